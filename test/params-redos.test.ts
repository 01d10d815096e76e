import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../src/db/embedded';
import { writeTask } from './support/dirs';
import { createHarness, waitFor, type Harness } from './support/harness';
import { startProcess, type Proc } from './support/processes';

// Parameter patterns that take a backtracking engine exponential time in the value, checked by a real
// web process: from a webhook, the API, the Run form and a schedule, with values long enough that
// backtracking would not end in our lifetime, while another request is in flight. Every request has a
// hard bound; none depends on how fast this machine is.

const BOUND_MS = 20_000;
const PATTERNS = [
  { name: 'word', type: 'string', pattern: '(\\w|\\d)+' },
  { name: 'email', type: 'string', pattern: '\\S+@\\S+\\.\\S+' },
  { name: 'nested', type: 'text', pattern: '(a+)+b' },
];

let h: Harness;
let web: Proc;
let base: string;
let hook: string;
beforeAll(async () => {
  h = await createHarness();
  writeTask(h.dirs, 'redos.sh', 'echo "$@"\n');
  const put = await h.app.request('/api/tasks/redos', {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ params: PATTERNS }),
  });
  expect(put.status).toBe(200);
  const created = await h.app.request('/api/tasks/redos/webhooks', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"name":"adversary"}',
  });
  hook = (await created.json()).secret;
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  web = startProcess('src/web/main.ts', { ...h.env, PORT: String(port) });
  await waitFor(
    () =>
      fetch(`${base}/healthz`).then(
        (r) => r.ok,
        () => false,
      ),
    30_000,
    'the web process',
  );
}, 60_000);
afterAll(async () => {
  // Killed, not asked: a web process stuck in a regular expression would never see a SIGTERM.
  web?.child.kill('SIGKILL');
  await web?.exited;
  await h.close();
});

const send = (path: string, init: RequestInit & { bearer?: boolean } = {}) =>
  fetch(`${base}${path}`, {
    ...init,
    headers: { ...(init.bearer === false ? {} : { authorization: `Bearer ${h.token}` }), ...(init.headers as Record<string, string>) },
    signal: AbortSignal.timeout(BOUND_MS),
  });
const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

// Values that defeat a backtracking engine: a long run that almost matches, then a character that does not.
const ADVERSARIAL: [string, string][] = [
  ['word', `${'a'.repeat(26)}!`],
  ['word', `${'1'.repeat(60_000)}!`],
  ['email', `${'a'.repeat(60_000)}!`],
  ['email', `${'@'.repeat(30_000)}!`],
  ['nested', `${'a'.repeat(60_000)}`],
];

describe('ReDoS-shaped parameter patterns', () => {
  it('answer 400 naming the parameter from every entry point, and a request in flight meanwhile is answered', async () => {
    const refusals = ADVERSARIAL.flatMap(([name, value]) =>
      [
        send(`/hooks/${hook}`, { ...json({ [name]: value }), bearer: false }),
        send('/api/tasks/redos/execute', json({ params: { [name]: value } })),
        send('/api/tasks/redos/schedules', json({ cron: '0 3 * * *', params: { [name]: value } })),
        send('/tasks/redos/run', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ _form: '1', [`param.${name}`]: value }),
        }),
      ].map(async (answer) => ({ name, res: await answer })),
    );
    const other = send('/api/tasks/redos');
    const answers = await Promise.all(refusals);
    expect((await other).status).toBe(200);
    for (const { name, res } of answers) {
      expect(res.status, res.url).toBe(400);
      const text = await res.text();
      // A schedule names the field under params; the Run form shows the message beside it.
      const field = res.url.endsWith('/schedules') ? `params.${name}` : name;
      if (res.headers.get('content-type')?.startsWith('application/json'))
        expect(JSON.parse(text).fields, res.url).toEqual({ [field]: expect.stringMatching(/^must match /) });
      else expect(text).toMatch(/must match /);
    }
  });

  it('accept long values that match: a webhook of 60 KB queues its run', async () => {
    const res = await send(`/hooks/${hook}`, {
      ...json({ word: 'a1'.repeat(10_000), email: `${'a'.repeat(20_000)}@${'b'.repeat(19_000)}.c`, nested: `${'a'.repeat(1000)}b` }),
      bearer: false,
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ task_id: 'redos', status: 'queued' });
  });
});
