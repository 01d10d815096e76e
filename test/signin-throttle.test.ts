import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../src/services/users-service';
import { SYSTEM } from '../src/services/deps';
import { createHarness, type Harness } from './support/harness';

// TRUST_PROXY: each request names its address in X-Forwarded-For, as a proxy in front would.
let h: Harness;
const PASSWORD = 'the right password';
beforeAll(async () => {
  h = await createHarness({ TRUST_PROXY: '1' });
  for (const name of ['carol', 'alice', 'bob', 'dave', 'erin', 'hank']) await addUser(h.deps, SYSTEM, name, PASSWORD, 'viewer');
});
afterAll(() => h.close());

const signIn = (name: string, password: string, ip: string) =>
  h.rawApp.request('/login', {
    method: 'POST',
    headers: { origin: 'http://localhost', host: 'localhost', 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip },
    body: new URLSearchParams({ name, password }).toString(),
  });
const statuses = (responses: Response[]) => responses.map((r) => r.status);
const count = (list: number[], status: number) => list.filter((s) => s === status).length;

describe('sign-in throttle', () => {
  it('judges 5 of 40 parallel wrong passwords for one user from one address and refuses the rest (429, Retry-After)', async () => {
    const answers = await Promise.all(Array.from({ length: 40 }, () => signIn('carol', 'wrong guess', '10.0.0.1')));
    const got = statuses(answers);
    expect(count(got, 401)).toBe(5);
    expect(count(got, 429)).toBe(35);
    for (const r of answers.filter((a) => a.status === 429)) {
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await r.text()).toContain('too many failed sign-ins; try again in');
    }
    expect((await signIn('carol', PASSWORD, '10.0.0.1')).status).toBe(429); // the right password waits too: guessing stays slow
  });

  it('counts parallel guesses from many addresses against the user one by one: 30, then 429', async () => {
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => signIn('erin', 'wrong guess', `10.3.0.${i + 1}`)));
    const got = statuses(answers);
    expect(count(got, 401)).toBe(30);
    expect(count(got, 429)).toBe(10);
  });

  it('lets the real user in from an address they signed in from before, while guesses from elsewhere are refused', async () => {
    expect((await signIn('alice', PASSWORD, '10.1.0.1')).status).toBe(303);
    for (let i = 1; i <= 40; i++) await signIn('alice', 'wrong guess', `10.9.0.${i}`);
    expect((await signIn('alice', 'wrong guess', '10.9.1.1')).status).toBe(429);
    expect((await signIn('alice', PASSWORD, '10.1.0.2')).status).toBe(429); // a new address waits like the attacker
    expect((await signIn('alice', PASSWORD, '10.1.0.1')).status).toBe(303);
    expect((await signIn('alice', PASSWORD, '10.1.0.1')).status).toBe(303);
  });

  it('slows down an attacker behind an address without locking out the other users behind it', async () => {
    for (const name of ['bob', 'nobody', 'x', 'y', 'z']) {
      for (let i = 0; i < 5; i++) expect((await signIn(name, 'wrong guess', '10.2.0.1')).status).toBe(401);
    }
    expect((await signIn('bob', 'wrong guess', '10.2.0.1')).status).toBe(429);
    expect((await signIn('dave', PASSWORD, '10.2.0.1')).status).toBe(303);
    expect((await signIn('bob', PASSWORD, '10.2.0.2')).status).toBe(303);
  });

  it('keys on the address the proxy appended, not on one the client wrote before it', async () => {
    expect((await signIn('hank', PASSWORD, '10.4.0.1')).status).toBe(303);
    // An attacker claims hank's own address; the proxy appends the one it really came from.
    for (let i = 1; i <= 40; i++) await signIn('hank', 'wrong guess', `10.4.0.1, 10.66.0.${i}`);
    expect((await signIn('hank', 'wrong guess', '10.4.0.1, 10.66.1.1')).status).toBe(429);
    expect((await signIn('hank', PASSWORD, '10.4.0.1')).status).toBe(303);
  });
});
