import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open } from '../src/auth/secret-box';
import { ROLES, roleAtLeast } from '../src/auth/roles';
import { writeTask } from './support/dirs';
import { createHarness, type Harness } from './support/harness';
import { bearer, seedPrincipals, type Principals } from './support/principals';

// Task secrets over the JSON API: stored sealed, listed by name only, never answered by any route nor
// written to the audit log; secret parameter values are not kept once their run has ended.

const VALUE = 'sk-live-7f3a9c1e-never-shown';
const REPLACED = 'sk-live-second-value-never-shown';
const PARAM_SECRET = 'param-secret-4b8d-never-shown';

let h: Harness;
let p: Principals;
beforeAll(async () => {
  h = await createHarness();
  p = await seedPrincipals(h);
  writeTask(h.dirs, 'vault.sh', 'echo "key=$API_KEY param=$TASKRUN_PARAM_PW"\n');
});
afterAll(() => h.close());

const put = (url: string, value: unknown, headers: Record<string, string> = {}) =>
  h.app.request(url, { method: 'PUT', body: JSON.stringify({ value }), headers: { 'content-type': 'application/json', ...headers } });

/** Every answer a client could read after the changes, concatenated. */
async function everyAnswer(): Promise<string> {
  const urls = [
    '/api/tasks',
    '/api/tasks/vault',
    '/api/tasks/vault/secrets',
    '/api/runs?limit=500',
    '/api/audit?limit=500',
    '/',
    '/tasks/vault/edit',
  ];
  const runs = (await (await h.app.request('/api/runs?limit=500')).json()).runs as { run_id: number; log: string }[];
  for (const r of runs) urls.push(`/api/runs/${r.run_id}`, r.log, `/runs/${r.run_id}`);
  const texts = await Promise.all(urls.map(async (u) => (await h.app.request(u)).text()));
  return texts.join('\n');
}

describe('secrets API', () => {
  it('creates, lists by name, replaces and deletes a secret', async () => {
    expect(await (await h.app.request('/api/tasks/vault/secrets')).json()).toEqual([]);
    const created = await put('/api/tasks/vault/secrets/API_KEY', VALUE);
    expect(created.status).toBe(204);
    expect(await created.text()).toBe('');
    const listed = await (await h.app.request('/api/tasks/vault/secrets')).json();
    expect(listed).toEqual([{ name: 'API_KEY', updated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }]);
    expect((await (await h.app.request('/api/tasks/vault')).json()).secrets).toEqual(['API_KEY']);

    expect((await put('/api/tasks/vault/secrets/API_KEY', REPLACED)).status).toBe(204);
    expect((await put('/api/tasks/vault/secrets/OTHER', 'x')).status).toBe(204);
    const after = await (await h.app.request('/api/tasks/vault/secrets')).json();
    expect(after.map((s: { name: string }) => s.name)).toEqual(['API_KEY', 'OTHER']);
    expect(after[0].updated_at >= listed[0].updated_at).toBe(true);

    expect((await h.app.request('/api/tasks/vault/secrets/OTHER', { method: 'DELETE' })).status).toBe(204);
    const gone = await h.app.request('/api/tasks/vault/secrets/OTHER', { method: 'DELETE' });
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual({ error: 'secret not found: OTHER' });
  });

  it('stores the value sealed with the secret key, not as text', async () => {
    const rows = await h.tdb.db.execute<{ sealed: string }>(
      sql`select sealed from task_secrets where task_id = 'vault' and name = 'API_KEY'`,
    );
    expect(rows[0].sealed).not.toContain(REPLACED);
    expect(rows[0].sealed).toMatch(/^v1\./);
    expect(open(h.deps.secretKey, rows[0].sealed)).toBe(REPLACED);
  });

  it('lets only editors and admins list or change secrets', async () => {
    for (const role of ['viewer', 'operator'] as const) {
      expect((await h.app.request('/api/tasks/vault/secrets', { headers: bearer(p.tokens[role]) })).status).toBe(403);
      expect((await put('/api/tasks/vault/secrets/API_KEY', 'stolen', bearer(p.tokens[role]))).status).toBe(403);
      expect((await h.app.request('/api/tasks/vault/secrets/API_KEY', { method: 'DELETE', headers: bearer(p.tokens[role]) })).status).toBe(
        403,
      );
    }
    expect((await h.app.request('/api/tasks/vault/secrets', { headers: bearer(p.tokens.editor) })).status).toBe(200);
    const rows = await h.tdb.db.execute<{ sealed: string }>(sql`select sealed from task_secrets where name = 'API_KEY'`);
    expect(open(h.deps.secretKey, rows[0].sealed)).toBe(REPLACED);
  });

  it('audits changes by name, without the value', async () => {
    const entries = (await (await h.app.request('/api/audit?limit=500')).json()).entries as {
      action: string;
      target: string;
      details: unknown;
    }[];
    const secretEntries = entries.filter((e) => e.action.startsWith('secret.'));
    expect(secretEntries.map((e) => [e.action, e.target, e.details]).reverse()).toEqual([
      ['secret.set', 'vault', { name: 'API_KEY', created: true }],
      ['secret.set', 'vault', { name: 'API_KEY', created: false }],
      ['secret.set', 'vault', { name: 'OTHER', created: true }],
      ['secret.delete', 'vault', { name: 'OTHER' }],
    ]);
  });

  it("names a task's secrets to editors and admins only: task JSON, list and task page", async () => {
    // A name the script does not mention (viewers read scripts), so any answer holding it leaks it.
    const name = 'DEPLOY_KEY_7C1F';
    writeTask(h.dirs, 'keys.sh', 'echo hi\n');
    expect((await put(`/api/tasks/keys/secrets/${name}`, 'v4lue-7c1f')).status).toBe(204);
    for (const role of ROLES) {
      const as = { headers: bearer(p.tokens[role]) };
      const list = await h.app.request('/api/tasks', as);
      const one = await h.app.request('/api/tasks/keys', as);
      const edit = await h.app.request('/tasks/keys/edit', as);
      expect([list.status, one.status, edit.status], role).toEqual([200, 200, 200]);
      const [listed, task, html] = [(await list.json()).find((t: { id: string }) => t.id === 'keys'), await one.json(), await edit.text()];
      if (roleAtLeast(role, 'editor')) {
        expect([listed.secrets, task.secrets], role).toEqual([[name], [name]]);
        expect(html, role).toContain(`data-secret="${name}"`);
      } else {
        expect(
          [listed, task].map((t) => 'secrets' in t),
          role,
        ).toEqual([false, false]);
        expect(JSON.stringify([listed, task]), role).not.toContain(name);
        expect(task.content, role).toBe('echo hi\n');
        expect(html, role).not.toContain(name);
        expect(html, role).not.toContain('id="secrets"');
      }
    }
  });

  it('gives a run its secrets and secret parameters, and no answer ever holds their values', async () => {
    await h.startRunner();
    expect(
      (
        await h.app.request('/api/tasks/vault', {
          method: 'PUT',
          body: JSON.stringify({ params: [{ name: 'pw', type: 'secret', required: true }] }),
        })
      ).status,
    ).toBe(200);
    const res = await h.app.request('/api/tasks/vault/execute', { method: 'POST', body: JSON.stringify({ params: { pw: PARAM_SECRET } }) });
    expect(res.status).toBe(202);
    const { run_id } = await res.json();
    // Sealed while the run is active (or already cleared, if it was quick).
    const during = await h.tdb.db.execute<{ secret_params: string | null }>(sql`select secret_params from runs where id = ${run_id}`);
    expect(during[0].secret_params ?? '').not.toContain(PARAM_SECRET);
    const run = await h.runEnded(run_id);
    expect(run.status).toBe('success');
    expect(run.params).toEqual({});
    // The script saw both (masked in its log), and the sealed parameter value is gone once the run ended.
    expect(await (await h.app.request(run.log)).text()).toBe('key=*** param=***\n');
    const after = await h.tdb.db.execute<{ secret_params: string | null }>(sql`select secret_params from runs where id = ${run_id}`);
    expect(after[0].secret_params).toBeNull();

    const all = await everyAnswer();
    for (const secret of [VALUE, REPLACED, PARAM_SECRET]) expect(all).not.toContain(secret);
    const audit = await h.tdb.db.execute<{ details: string | null }>(sql`select details from audit_log`);
    for (const row of audit) for (const secret of [VALUE, REPLACED, PARAM_SECRET]) expect(row.details ?? '').not.toContain(secret);
  });

  it('deletes the secrets with their task', async () => {
    expect((await h.app.request('/api/tasks/vault', { method: 'DELETE' })).status).toBe(204);
    const left = await h.tdb.db.execute(sql`select 1 from task_secrets where task_id = 'vault'`);
    expect(left.length).toBe(0);
    writeTask(h.dirs, 'vault.sh', 'echo again\n');
    expect(await (await h.app.request('/api/tasks/vault/secrets')).json()).toEqual([]);
  });

  it('answers 404 for the secrets of a task that does not exist', async () => {
    expect((await h.app.request('/api/tasks/ghost/secrets')).status).toBe(404);
    expect((await put('/api/tasks/ghost/secrets/A', 'x')).status).toBe(404);
    expect(await (await h.tdb.db.execute(sql`select 1 from task_secrets where task_id = 'ghost'`)).length).toBe(0);
  });
});
