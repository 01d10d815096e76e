import { getRequestListener } from '@hono/node-server';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';
import { createApp } from '../src/routes/app';
import { createHarness, type Harness } from './support/harness';
import { seedPrincipals, type Principals } from './support/principals';

// Behind TRUST_PROXY=N the client's address is what the N-th proxy from us appended to X-Forwarded-For,
// never what the client wrote there itself: the address the audit log records and sign-in limits count.
// A real HTTP server, so the socket's address (127.0.0.1) is the nearest "proxy".

let h: Harness;
let p: Principals;
const servers: Server[] = [];
beforeAll(async () => {
  h = await createHarness();
  p = await seedPrincipals(h);
});
afterAll(async () => {
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  await h.close();
});

async function serve(trustProxy: string): Promise<string> {
  const app = createApp({ ...h.deps, cfg: loadConfig({ ...h.env, TRUST_PROXY: trustProxy }) });
  const server = createServer(getRequestListener(app.fetch));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let attempt = 0;
// A failed sign-in through `base` with these headers; returns the address the audit log recorded for it.
async function signInFrom(base: string, headers: Record<string, string>): Promise<{ ip: string | null; cookie: string | null }> {
  const name = `nobody-${++attempt}`;
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...headers, origin: base, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ name, password: 'wrong password', next: '/' }),
  });
  await res.text();
  const { entries } = await (await h.app.request('/api/audit?action=signin.failed&limit=500')).json();
  const entry = entries.find((e: { target: string }) => e.target === name);
  return { ip: entry?.ip ?? null, cookie: res.headers.get('set-cookie') };
}

describe('TRUST_PROXY', () => {
  it('1 (or true): the address the proxy appended, not the one the client put first', async () => {
    for (const value of ['1', 'true']) {
      const base = await serve(value);
      expect((await signInFrom(base, { 'x-forwarded-for': '6.6.6.6, 203.0.113.7' })).ip).toBe('203.0.113.7');
      expect((await signInFrom(base, { 'x-forwarded-for': '203.0.113.8' })).ip).toBe('203.0.113.8');
      expect((await signInFrom(base, {})).ip).toBe('127.0.0.1');
    }
  });

  it('2: the second entry from the right; the socket when the header has fewer', async () => {
    const base = await serve('2');
    expect((await signInFrom(base, { 'x-forwarded-for': '6.6.6.6, 203.0.113.9, 10.0.0.2' })).ip).toBe('203.0.113.9');
    expect((await signInFrom(base, { 'x-forwarded-for': '203.0.113.9' })).ip).toBe('127.0.0.1');
  });

  it("0 (the default): X-Forwarded-For is the client's own text and is ignored", async () => {
    const base = await serve('false');
    expect((await signInFrom(base, { 'x-forwarded-for': '6.6.6.6' })).ip).toBe('127.0.0.1');
  });

  it('believes X-Forwarded-Proto only from a trusted proxy: the session cookie is Secure then', async () => {
    const signIn = async (base: string, proto: string) => {
      const res = await fetch(`${base}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'x-forwarded-proto': proto, origin: base, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ name: 'user-viewer', password: p.password, next: '/' }),
      });
      expect(res.status).toBe(303);
      return res.headers.get('set-cookie') ?? '';
    };
    expect(await signIn(await serve('0'), 'https')).not.toMatch(/;\s*Secure/i);
    const behindOne = await serve('1');
    expect(await signIn(behindOne, 'https')).toMatch(/;\s*Secure/i);
    expect(await signIn(behindOne, 'https, http')).not.toMatch(/;\s*Secure/i);
  });
});
