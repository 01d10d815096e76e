import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../src/auth/secrets';
import { runs, webhooks } from '../src/db/schema';
import { saveTaskSettings } from '../src/queries/task-settings';
import { writeTask } from './support/dirs';
import { createHarness, type Harness } from './support/harness';

// Inbound webhooks against a real database, over a real socket where it matters. No runner runs here, so
// a run a hook starts stays queued (and busy) until the test cancels it.

let h: Harness;
let server: ServerType;
let base: string;
beforeAll(async () => {
  h = await createHarness({ HOOK_RATE_PER_MIN: '3', MAX_QUEUED_RUNS: '1', PUBLIC_URL: 'https://taskrun.example.com/' });
  writeTask(h.dirs, 'deploy.sh', 'echo deploying\n');
  writeTask(h.dirs, 'other.sh', 'echo other\n');
  await saveTaskSettings(h.deps.db, 'deploy', {
    params: [
      { name: 'env', type: 'choice', choices: ['staging', 'prod'], default: 'staging' },
      { name: 'count', type: 'integer', min: 1, max: 10 },
      { name: 'token', type: 'secret' },
    ],
  });
  server = serve({ fetch: h.rawApp.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await h.close();
});
// Every queued run is cancelled, so each test starts with idle tasks and an empty queue.
afterEach(async () => {
  const queued = await h.deps.db.select({ id: runs.id }).from(runs).where(eq(runs.status, 'queued'));
  for (const r of queued) await h.app.request(`/api/runs/${r.id}/cancel`, { method: 'POST' });
});

type NewHook = { id: number; name: string; url: string; secret: string };
async function newHook(task = 'deploy', name = 'ci'): Promise<NewHook> {
  const res = await h.app.request(`/api/tasks/${task}/webhooks`, {
    method: 'POST',
    body: JSON.stringify({ name }),
    headers: { 'content-type': 'application/json' },
  });
  expect(res.status).toBe(201);
  return res.json();
}
const call = (secret: string, body?: string, headers: Record<string, string> = {}) =>
  fetch(`${base}/hooks/${secret}`, { method: 'POST', body, headers });

describe('managing webhooks', () => {
  it('shows the secret and URL once, keeps only its hash, and never lists it', async () => {
    const hook = await newHook('deploy', 'from CI');
    expect(hook.secret).toMatch(/^whk_[A-Za-z0-9_-]{43}$/);
    expect(hook.url).toBe(`https://taskrun.example.com/hooks/${hook.secret}`);
    const [row] = await h.deps.db.select().from(webhooks).where(eq(webhooks.id, hook.id));
    expect(row!.secretHash).toBe(sha256(hook.secret));
    const list = await (await h.app.request('/api/tasks/deploy/webhooks')).json();
    const listed = list.find((w: { id: number }) => w.id === hook.id);
    expect(Object.keys(listed).sort()).toEqual(['created_at', 'created_by', 'id', 'last_used_at', 'name', 'revoked_at']);
    expect(listed).toMatchObject({ name: 'from CI', created_by: 'token:test-admin', last_used_at: null, revoked_at: null });
    expect(JSON.stringify(list)).not.toContain(hook.secret);
    const audit = await (await h.app.request('/api/audit?action=webhook.create')).json();
    expect(audit.entries[0]).toMatchObject({ target: 'deploy', details: { webhook_id: hook.id, name: 'from CI' } });
    expect(JSON.stringify(audit)).not.toContain(hook.secret);
  });

  it('refuses a bad name and an unknown task', async () => {
    const post = (task: string, body: string) =>
      h.app.request(`/api/tasks/${task}/webhooks`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    expect((await (await post('deploy', '{"name":""}')).json()).error).toBe('name: must not be empty');
    expect((await (await post('deploy', '{"name":"a","secret":"x"}')).json()).error).toBe('body: unknown field secret');
    expect((await (await post('deploy', '{"name":"a\\nb"}')).json()).error).toBe('name: must not contain control characters');
    const ghost = await post('ghost', '{"name":"x"}');
    expect(ghost.status).toBe(404);
    expect((await ghost.json()).error).toBe('task not found: ghost');
  });
});

describe('POST /hooks/:secret', () => {
  it('starts a run over a real socket with the JSON body as its parameters, as webhook:<id>', async () => {
    const hook = await newHook();
    // No session, no CSRF token, a foreign Origin: the secret alone is the credential.
    const res = await call(hook.secret, JSON.stringify({ env: 'prod', count: 3, token: 's3cret' }), {
      origin: 'https://elsewhere.example',
    });
    expect(res.status).toBe(202);
    const body = await res.json();
    expect(body).toEqual({ run_id: expect.any(Number), task_id: 'deploy', status: 'queued', log: `/api/logs/deploy_${body.run_id}.log` });
    const [run] = await h.deps.db.select().from(runs).where(eq(runs.id, body.run_id));
    expect(run!.trigger).toBe('webhook');
    expect(run!.params).toEqual({ env: 'prod', count: 3 }); // the secret is sealed apart, never kept
    expect(run!.secretParams).not.toContain('s3cret');
    const audit = await (await h.app.request(`/api/audit?actor=${encodeURIComponent(`webhook:${hook.id}`)}`)).json();
    expect(audit.entries[0]).toMatchObject({
      action: 'run.execute',
      target: 'deploy',
      ip: '127.0.0.1',
      details: { run_id: body.run_id, trigger: 'webhook' },
    });
    const listed = (await (await h.app.request('/api/tasks/deploy/webhooks')).json()).find((w: { id: number }) => w.id === hook.id);
    expect(listed.last_used_at).not.toBeNull();
  });

  it('takes an empty body as no parameters (defaults apply)', async () => {
    const hook = await newHook();
    const res = await call(hook.secret);
    expect(res.status).toBe(202);
    const [run] = await h.deps.db
      .select()
      .from(runs)
      .where(eq(runs.id, (await res.json()).run_id));
    expect(run!.params).toEqual({ env: 'staging' });
  });

  it('refuses bad bodies: not JSON, not an object, bad parameters, over 64 KB', async () => {
    // A webhook each: every call counts against HOOK_RATE_PER_MIN (3 here), refused or not.
    const refused = async (body: string, status: number, error: RegExp) => {
      const res = await call((await newHook()).secret, body, { 'content-type': 'application/json' });
      const json = await res.json();
      expect(res.status, JSON.stringify(json)).toBe(status);
      expect(json.error).toMatch(error);
      return json;
    };
    await refused('{"env":', 400, /^request body is not valid JSON$/);
    await refused('[1,2]', 400, /must be a JSON object/);
    await refused('null', 400, /must be a JSON object/);
    await refused('"prod"', 400, /must be a JSON object/);
    const bad = await refused(JSON.stringify({ env: 'dev', count: 11, owner: 'x' }), 400, /^invalid parameters/);
    expect(bad.fields).toEqual({ env: expect.any(String), count: 'must be at most 10', owner: 'is not a parameter of this task' });
    await refused(JSON.stringify({ env: 'x'.repeat(64 * 1024) }), 413, /64 KB/);
    expect(await h.deps.db.select().from(runs).where(eq(runs.status, 'queued'))).toEqual([]);
  });

  it('answers 409 while the task is busy, and 429 when the queue is full', async () => {
    const a = await newHook('deploy');
    const b = await newHook('other');
    const first = await (await call(a.secret)).json();
    const busy = await call(a.secret);
    expect(busy.status).toBe(409);
    expect(await busy.json()).toEqual({ error: 'task already running', run_id: first.run_id });
    const full = await call(b.secret); // MAX_QUEUED_RUNS=1 and deploy's run is queued
    expect(full.status).toBe(429);
    expect(await full.json()).toEqual({ error: 'queue full' });
  });

  it('answers 404 alike for an unknown, a malformed and a revoked secret', async () => {
    const hook = await newHook();
    const del = await h.app.request(`/api/webhooks/${hook.id}`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    const answers = await Promise.all(
      [hook.secret, `whk_${'A'.repeat(43)}`, 'nope', `${hook.secret}x`].map(async (s) => {
        const res = await call(s, '{}');
        return [res.status, await res.text()];
      }),
    );
    expect(new Set(answers.map((a) => JSON.stringify(a)))).toEqual(new Set([JSON.stringify([404, '{"error":"no such webhook"}'])]));
    const listed = (await (await h.app.request('/api/tasks/deploy/webhooks')).json()).find((w: { id: number }) => w.id === hook.id);
    expect(listed.revoked_at).not.toBeNull();
    expect((await h.app.request(`/api/webhooks/${hook.id}`, { method: 'DELETE' })).status).toBe(404);
    const audit = await (await h.app.request('/api/audit?action=webhook.revoke')).json();
    expect(audit.entries[0]).toMatchObject({ target: 'deploy', details: { webhook_id: hook.id } });
  });

  it('limits each webhook to HOOK_RATE_PER_MIN calls a minute, with Retry-After', async () => {
    const hook = await newHook();
    const other = await newHook();
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(hook.secret, '{}')).status);
    expect(statuses).toEqual([202, 409, 409]);
    const limited = await call(hook.secret, '{}');
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const body = await limited.json();
    expect(body).toEqual({ error: 'too many calls: this webhook takes at most 3 a minute', retry_after_s: retryAfter });
    // Another webhook has a window of its own.
    expect((await call(other.secret, '{}')).status).toBe(409);
  });

  it('answers through the app without a socket too (no client address)', async () => {
    const hook = await newHook('other');
    const res = await h.rawApp.request(`/hooks/${hook.secret}`, { method: 'POST', body: '' });
    expect(res.status).toBe(202);
  });
});
