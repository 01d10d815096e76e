import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './support/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

const root = path.resolve(__dirname, '..');
// Runs `npm run taskrun -- ARGS` as an operator would (through node directly, to skip npm's banner).
function cli(args: string[], stdin = ''): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: root,
      env: { ...process.env, ...h.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.stdin.end(stdin);
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

describe('npm run taskrun', () => {
  it('adds, lists and removes users; the password can come from standard input', async () => {
    expect((await cli(['user', 'add', 'alice', '--role', 'editor', '--password', 'alice-password'])).code).toBe(0);
    const bob = await cli(['user', 'add', 'bob', '--role', 'viewer'], 'bob-password-from-stdin\n');
    expect(bob).toMatchObject({ code: 0 });
    const list = await cli(['user', 'list']);
    expect(list.out).toMatch(/^alice\teditor\t/m);
    expect(list.out).toMatch(/^bob\tviewer\t/m);
    const dup = await cli(['user', 'add', 'alice', '--role', 'admin', '--password', 'whatever-long']);
    expect(dup.code).toBe(2);
    expect(dup.err).toMatch(/user already exists: alice/);
    expect((await cli(['user', 'add', 'carol', '--role', 'root', '--password', 'carol-password'])).err).toMatch(
      /must be one of viewer, operator, editor, admin/,
    );
    expect((await cli(['user', 'add', 'dave', '--role', 'viewer', '--password', 'short'])).err).toMatch(/at least 8 characters/);
    expect((await cli(['user', 'remove', 'bob'])).code).toBe(0);
    expect((await cli(['user', 'list'])).out).not.toMatch(/^bob/m);
    const audit = await (
      await h.app.request('/api/audit', {
        headers: { authorization: `Bearer ${(await cli(['token', 'create', '--name', 'auditor', '--role', 'admin'])).out.trim()}` },
      })
    ).json();
    expect(audit.entries.map((e: { action: string; target: string }) => `${e.action} ${e.target}`)).toEqual(
      expect.arrayContaining(['user.add alice', 'user.add bob', 'user.remove bob', 'token.create auditor']),
    );
  });

  it('creates a token shown once that works as a bearer token, lists and revokes it', async () => {
    const created = await cli(['token', 'create', '--name', 'ci', '--role', 'operator']);
    expect(created.code).toBe(0);
    const token = created.out.trim();
    expect(token).toMatch(/^trk_[A-Za-z0-9_-]{40,}$/);
    expect((await h.app.request('/api/tasks', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    const list = await cli(['token', 'list']);
    expect(list.out).toMatch(/^ci\toperator\tactive/m);
    expect(list.out).not.toContain(token);
    expect((await cli(['token', 'revoke', 'ci'])).code).toBe(0);
    expect((await h.app.request('/api/tasks', { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });

  it('prints its help', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/npm run taskrun -- user add NAME --role ROLE/);
  });
});
