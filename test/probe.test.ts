import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECURITY_HEADERS } from '../src/routes/security/headers';
import { createTestDb, type TestDb } from './support/test-db';
import { withProbe } from '../src/web/probe';
import { closeDb, connectDb } from '../src/db/client';

// The web server answers probes itself and hands everything else to the app, on a real database.
let tdb: TestDb;
let server: Server;
let base: string;
const passedOn: string[] = [];
beforeAll(async () => {
  tdb = await createTestDb();
  server = createServer(
    withProbe(tdb.db, (req, res) => {
      passedOn.push(`${req.method} ${req.url}`);
      res.end('app');
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await tdb.drop();
});

describe('withProbe', () => {
  it('answers GET and HEAD /healthz as the app route does, with the security headers, and passes on the rest', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(res.headers.get('content-type')).toBe('application/json');
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(res.headers.get(name)).toBe(value);
    const head = await fetch(`${base}/healthz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('application/json');
    expect(passedOn).toEqual([]);

    for (const [method, path] of [
      ['GET', '/healthz?x=1'],
      ['POST', '/healthz'],
      ['GET', '/readyz'],
      ['GET', '/'],
    ]) {
      expect(await (await fetch(`${base}${path}`, { method })).text()).toBe('app');
    }
    expect(passedOn).toEqual(['GET /healthz?x=1', 'POST /healthz', 'GET /readyz', 'GET /']);
  });

  it('answers 503 with the same headers while the database does not answer', async () => {
    const nowhere = connectDb('postgres://postgres@127.0.0.1:1/none', 'probe-test', 1);
    const down = createServer(withProbe(nowhere, (_req, res) => res.end('app')));
    await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(down.address() as AddressInfo).port}/healthz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: 'unavailable', error: 'database not reachable' });
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(res.headers.get(name)).toBe(value);
    } finally {
      await new Promise((resolve) => down.close(resolve));
      await closeDb(nowhere);
    }
  });
});
