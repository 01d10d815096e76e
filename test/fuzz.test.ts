import fs from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PARAM_ROUTES as CORE_PARAM_ROUTES, SENTINEL, errorProblem, snapshotTree, type ParamRoute } from './support/bad-input';
import { PARAM_TYPES } from '../src/tasks/params';
import { writeTask } from './support/dirs';
import { saveTaskSettings } from '../src/queries/task-settings';
import { createHarness, waitFor, type Harness } from './support/harness';

// Random and hostile strings in every path parameter, query string, header and JSON body. Whatever comes
// in: never a 5xx, every API error is JSON with an `error` string (a path that leaves the API for a page
// gets the HTML 404), an accepted body is stored as sent, and no file outside TASKS_DIR changes.
// No runner is left alive, so a task created here is never run. The seed is fixed; fast-check prints it.

const RUNS = { numRuns: 200, seed: 0x7a5c };

let h: Harness;
let runId: number;
let outside: Record<string, string>;
beforeAll(async () => {
  // A high webhook rate, so fuzzed bodies reach the parser instead of the rate limit.
  h = await createHarness({ HOOK_RATE_PER_MIN: '1000000' });
  writeTask(h.dirs, 'alpha.sh', "printf 'one\\ntwo\\n'\n");
  const runner = await h.startRunner();
  runId = (await (await h.app.request('/api/tasks/alpha/execute', { method: 'POST' })).json()).run_id;
  await waitFor(async () => (await (await h.app.request(`/api/runs/${runId}`)).json()).finished_at, 20_000, 'the alpha run');
  await runner.shutdown();
  outside = snapshotTree(h.dirs.root, [h.dirs.tasksDir]);
});
afterAll(() => h.close());

/** Sends a request and asserts: no 5xx, a clear error if it is one, nothing leaked, no file outside TASKS_DIR changed. */
async function sendSafely(url: string, init: RequestInit = {}): Promise<Response> {
  const res = await h.app.request(url, init);
  const text = await res.clone().text();
  expect(res.status, text).toBeLessThan(500);
  if (res.status >= 400) expect(errorProblem(url, res, text), text).toBeUndefined();
  expect(text).not.toContain(SENTINEL);
  expect(snapshotTree(h.dirs.root, [h.dirs.tasksDir])).toEqual(outside);
  for (const f of fs.readdirSync(h.dirs.tasksDir)) expect(f).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}\.(py|sh|js)$/);
  return res;
}

/** After an accepted create or change, the task reads back exactly what was sent. */
async function expectStored(id: string, sent: Record<string, unknown>): Promise<void> {
  const task = await (await h.app.request(`/api/tasks/${id}`)).json();
  for (const key of ['content', 'description', 'timeout_s']) if (sent[key] != null) expect(task[key], key).toEqual(sent[key]);
}

const encode = (s: string) => {
  try {
    return encodeURIComponent(s);
  } catch {
    return s; // a lone surrogate: sent raw, the URL parser replaces it
  }
};

const fragment = fc.oneof(
  fc.constantFrom(
    '..',
    '.',
    '/',
    '\\',
    '%2e%2e%2f',
    '%2e%2e',
    '%2F',
    '%5C',
    '%00',
    '%',
    '%25',
    '%C0%AE',
    '?',
    '#',
    ' ',
    '日本',
    '/etc/passwd',
    '../outside.txt',
    'alpha',
    '_',
    '.log',
    '1',
    '0',
    '-1',
    'a'.repeat(200),
  ),
  fc.constantFrom('\0', '\n', '\r', '\t', '\u202e', '\uD800', '\uFEFF'),
);
const join = (parts: string[]) => parts.join('');
const hostile = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
  { weight: 2, arbitrary: fc.array(fragment, { minLength: 1, maxLength: 6 }).map(join) },
  { weight: 2, arbitrary: fc.tuple(fc.string(), fragment, fc.string()).map(join) },
);
const segment = fc.oneof(hostile, hostile.map(encode), fc.bigInt().map(String));

const PARAM_ROUTES: ParamRoute[] = [
  ...CORE_PARAM_ROUTES,
  ['GET', (p) => `/api/logs/alpha_${p}.log`],
  ['GET', (p) => `/api/logs/${p}_${runId}.log`],
  ['GET', (p) => `/api/runs/${p}/resources`],
  ['GET', (p) => `/api/runs/${p}/stream`],
  ['DELETE', (p) => `/api/users/${p}`],
  ['DELETE', (p) => `/api/tokens/${p}`],
  // The pages: the same ids through the HTML routes (errors as HTML pages or fragments).
  ['GET', (p) => `/tasks/${p}/edit`],
  ['GET', (p) => `/tasks/${p}/state`],
  ['POST', (p) => `/tasks/${p}/run`],
  ['POST', (p) => `/tasks/${p}`],
  ['POST', (p) => `/tasks/${p}/delete`],
  ['GET', (p) => `/runs/${p}`],
  ['GET', (p) => `/runs/${p}/status`],
  ['POST', (p) => `/runs/${p}/cancel`],
  ['GET', (p) => `/runs?task_id=${p}&status=${p}&cursor=${p}`],
  ['GET', (p) => `/audit?actor=${p}&action=${p}&cursor=${p}`],
  ['GET', (p) => `/tasks/rows?q=${p}&offset=${p}`],
  // Parameters, secrets and starting a run again.
  ['GET', (p) => `/api/tasks/${p}/secrets`],
  ['PUT', (p) => `/api/tasks/alpha/secrets/${p}`],
  ['DELETE', (p) => `/api/tasks/${p}/secrets/${p}`],
  ['POST', (p) => `/api/runs/${p}/rerun`],
  ['GET', (p) => `/tasks/${p}/run?from=${p}`],
  ['GET', (p) => `/tasks/alpha/run?from=${p}`],
  ['POST', (p) => `/runs/${p}/rerun`],
  ['POST', (p) => `/tasks/${p}/settings`],
  ['POST', (p) => `/tasks/${p}/secrets`],
  ['POST', (p) => `/tasks/alpha/secrets/${p}/delete`],
  // Webhooks and notifications: the public trigger, the API and the task page's fragments.
  ['POST', (p) => `/hooks/${p}`],
  ['GET', (p) => `/api/tasks/${p}/webhooks`],
  ['POST', (p) => `/api/tasks/${p}/webhooks`],
  ['DELETE', (p) => `/api/webhooks/${p}`],
  ['GET', (p) => `/api/tasks/${p}/notifications`],
  ['POST', (p) => `/api/tasks/${p}/notifications`],
  ['PATCH', (p) => `/api/notifications/${p}`],
  ['DELETE', (p) => `/api/notifications/${p}`],
  ['GET', (p) => `/api/notifications/${p}/deliveries`],
  ['GET', (p) => `/api/notifications/1/deliveries?limit=${p}&before=${p}`],
  ['GET', (p) => `/tasks/${p}/webhooks`],
  ['POST', (p) => `/tasks/${p}/webhooks`],
  ['POST', (p) => `/webhooks/${p}/revoke`],
  ['GET', (p) => `/tasks/${p}/notifications`],
  ['POST', (p) => `/tasks/${p}/notifications`],
  ['POST', (p) => `/notifications/${p}/enabled`],
  ['POST', (p) => `/notifications/${p}/delete`],
  ['GET', (p) => `/notifications/${p}/deliveries`],
  // Schedules: the API, the page fragments, the previews.
  ['GET', (p) => `/api/tasks/${p}/schedules`],
  ['POST', (p) => `/api/tasks/${p}/schedules`],
  ['GET', (p) => `/api/schedules/${p}`],
  ['PATCH', (p) => `/api/schedules/${p}`],
  ['DELETE', (p) => `/api/schedules/${p}`],
  ['GET', (p) => `/api/schedules/${p}/fires?limit=${p}&before=${p}`],
  ['GET', (p) => `/api/schedules/preview?cron=${p}&timezone=${p}`],
  ['GET', (p) => `/schedules?schedule_id=${p}`],
  ['GET', (p) => `/schedules/preview?cron=${p}&timezone=${p}`],
  ['GET', (p) => `/tasks/${p}/schedules`],
  ['POST', (p) => `/tasks/${p}/schedules`],
  ['POST', (p) => `/schedules/${p}/pause`],
  ['POST', (p) => `/schedules/${p}/resume?in=${p}`],
  ['POST', (p) => `/schedules/${p}/delete`],
];

// Header values must be Latin-1 without line breaks or NUL, or the request cannot even be built.
const headerValue = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'bytes=-0123456789,abc */ '.split('')) }),
  fc
    .tuple(fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), fc.oneof(fc.constant(''), fc.bigInt().map(String)))
    .map(([a, b]) => `bytes=${a}-${b}`),
  fc.string({ unit: 'binary-ascii' }).map((s) => s.replace(/[\0\r\n]/g, '')),
);
const offset = fc.oneof(
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
  fc.integer().map(String),
  fc.double().map(String),
  hostile.map(encode),
);

// Each field mostly valid (so the others get checked too), else absent, any JSON value or a hostile string.
const anyValue = fc.oneof(fc.jsonValue(), hostile, fc.constantFrom(null, true, 0, -1, 1.5, Number.POSITIVE_INFINITY, [], {}));
const field = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: anyValue }, { weight: 1, arbitrary: fc.constant(undefined) });
const settings = {
  content: field(hostile),
  description: field(hostile),
  timeout_s: field(fc.oneof(fc.integer({ min: 1, max: 2_000_000 }), fc.integer())),
};
const createFields = fc.record({
  id: field(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,70}$/)),
  language: field(fc.constantFrom('py', 'sh', 'js')),
  ...settings,
});
const updateFields = fc.record(settings);
const bodyOf = (fields: fc.Arbitrary<Record<string, unknown>>) =>
  fc.oneof(
    { weight: 4, arbitrary: fields.map((v) => JSON.stringify(v)) },
    fc
      .tuple(fields, fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 1, maxKeys: 3 }))
      .map(([v, extra]) => JSON.stringify({ ...extra, ...v })),
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.string({ unit: 'binary' }),
    fc.uint8Array({ maxLength: 64 }),
  );

describe('fuzz: nothing a client sends gives a 5xx or touches a file outside TASKS_DIR', () => {
  it('path parameters', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PARAM_ROUTES), segment, async ([method, url], seg) => {
        const init: RequestInit = method === 'PUT' ? { method, body: '{"description":"fuzzed"}' } : { method };
        await sendSafely(url(seg), init);
      }),
      RUNS,
    );
  });

  it('GET /api/runs query strings', async () => {
    const key = fc.oneof(fc.constantFrom('task_id', 'status', 'limit', 'cursor'), hostile.map(encode));
    const query = fc.array(fc.tuple(key, fc.oneof(segment, fc.bigInt().map(String))), { maxLength: 4 });
    await fc.assert(
      fc.asyncProperty(query, fc.oneof(fc.constant(''), hostile), async (pairs, raw) => {
        const qs = pairs.map(([k, v]) => `${k}=${v}`).join('&');
        await sendSafely(`/api/runs?${qs}${raw ? `&${raw}` : ''}`);
      }),
      RUNS,
    );
  });

  it('log offsets and Range headers', async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.option(offset), fc.option(headerValue), async (download, off, range) => {
        const base = download ? `/logs/alpha_${runId}.log/download` : `/api/logs/alpha_${runId}.log`;
        await sendSafely(off === null ? base : `${base}?offset=${off}`, { headers: range === null ? {} : { range } });
      }),
      RUNS,
    );
  });

  it.each([
    ['POST', '/api/tasks', bodyOf(createFields)],
    ['PUT', '/api/tasks/alpha', bodyOf(updateFields)],
  ])('JSON bodies of %s %s', async (method, url, body) => {
    await fc.assert(
      fc.asyncProperty(body, async (raw) => {
        const res = await sendSafely(url, { method, body: raw, headers: { 'content-type': 'application/json' } });
        if (!res.ok) return;
        const sent = JSON.parse(typeof raw === 'string' ? raw : new TextDecoder().decode(raw));
        await expectStored(method === 'POST' ? sent.id : 'alpha', sent);
      }),
      RUNS,
    );
  });

  it('webhook calls: any body gives 202, or a clear 400, 409 (busy) or 413', async () => {
    const created = await h.app.request('/api/tasks/alpha/webhooks', {
      method: 'POST',
      body: '{"name":"fuzz"}',
      headers: { 'content-type': 'application/json' },
    });
    const { secret } = await created.json();
    await saveTaskSettings(h.deps.db, 'alpha', {
      params: [
        { name: 'name', type: 'string' },
        { name: 'count', type: 'integer', max: 5 },
        { name: 'flag', type: 'boolean' },
        { name: 'note', type: 'text' },
      ],
    });
    const value = fc.oneof(hostile, fc.integer(), fc.boolean(), anyValue);
    const params = fc.dictionary(
      fc.oneof({ weight: 4, arbitrary: fc.constantFrom('name', 'count', 'flag', 'note') }, fc.constantFrom('__proto__'), fc.string()),
      value,
      { maxKeys: 4 },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.constant(''), bodyOf(params)), async (raw) => {
        const res = await sendSafely(`/hooks/${secret}`, { method: 'POST', body: raw });
        expect([202, 400, 409, 413]).toContain(res.status);
      }),
      RUNS,
    );
  });

  it('notification target bodies', async () => {
    const target = fc.record({
      name: field(hostile),
      url: field(fc.oneof(fc.webUrl(), fc.constantFrom('ftp://x/', 'https://u:p@x/', 'javascript:1', 'http://[::1]:99/'), hostile)),
      events: field(fc.array(fc.oneof(fc.constantFrom('success', 'failed', 'any'), hostile), { maxLength: 4 })),
    });
    await fc.assert(
      fc.asyncProperty(bodyOf(target), fc.boolean(), async (raw, global) => {
        const url = global ? '/api/notifications' : '/api/tasks/alpha/notifications';
        const res = await sendSafely(url, { method: 'POST', body: raw, headers: { 'content-type': 'application/json' } });
        expect([201, 400]).toContain(res.status);
      }),
      RUNS,
    );
  });

  it('parameter values of execute and rerun', async () => {
    const defs = [
      { name: 's', type: 'string', pattern: '[a-z]*' },
      { name: 'i', type: 'integer', min: 0, max: 9 },
      { name: 'n', type: 'number' },
      { name: 'b', type: 'boolean' },
      { name: 'c', type: 'choice', choices: ['x', 'y'] },
      { name: 't', type: 'text' },
      { name: 'k', type: 'secret' },
    ];
    const created = await h.app.request('/api/tasks', {
      method: 'POST',
      body: JSON.stringify({ id: 'paramy', language: 'sh', content: 'echo hi\n', params: defs }),
    });
    expect(created.status).toBe(201);
    const values = fc.dictionary(fc.oneof(fc.constantFrom('s', 'i', 'n', 'b', 'c', 't', 'k', '__proto__'), fc.string()), anyValue, {
      maxKeys: 5,
    });
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.constant(''), bodyOf(fc.record({ params: field(values) }))), fc.boolean(), async (raw, rerun) => {
        const url = rerun ? `/api/runs/${runId}/rerun` : '/api/tasks/paramy/execute';
        const res = await sendSafely(url, { method: 'POST', body: raw, headers: { 'content-type': 'application/json' } });
        // No runner is up: the first accepted run stays queued, and the task is busy (409) afterwards.
        expect([202, 400, 409, 413]).toContain(res.status);
      }),
      RUNS,
    );
  });

  it('task settings: parameters, environment and retries', async () => {
    const def = fc.record(
      {
        name: field(fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,8}$/)),
        type: field(fc.constantFrom(...PARAM_TYPES)),
        required: field(fc.boolean()),
        default: field(fc.oneof(fc.string(), fc.integer(), fc.boolean())),
        choices: field(fc.array(fc.string(), { maxLength: 3 })),
        pattern: field(fc.oneof(fc.constantFrom('[a-z]+', '(', '\\d{2}', '(?<x>a)'), hostile)),
        min: field(fc.integer()),
        max: field(fc.integer()),
      },
      { requiredKeys: [] },
    );
    const automation = fc.record({
      params: field(fc.array(def, { maxLength: 3 })),
      env: field(
        fc.dictionary(fc.oneof(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/), hostile), fc.oneof(hostile, anyValue), { maxKeys: 3 }),
      ),
      max_retries: field(fc.integer({ min: -1, max: 11 })),
      retry_delay_s: field(fc.integer({ min: -1, max: 90_000 })),
    });
    const defaults: Record<string, unknown> = { params: [], env: {}, max_retries: 0, retry_delay_s: 0 };
    await fc.assert(
      fc.asyncProperty(bodyOf(automation), async (raw) => {
        const res = await sendSafely('/api/tasks/paramy', { method: 'PUT', body: raw, headers: { 'content-type': 'application/json' } });
        if (!res.ok) return;
        // Stored as sent; null restores the default.
        const sent = JSON.parse(typeof raw === 'string' ? raw : new TextDecoder().decode(raw));
        const task = await (await h.app.request('/api/tasks/paramy')).json();
        for (const key of Object.keys(defaults)) if (sent[key] !== undefined) expect(task[key], key).toEqual(sent[key] ?? defaults[key]);
      }),
      RUNS,
    );
  });

  it('schedule bodies: created as sent, or a clear 400', async () => {
    const schedule = fc.record({
      cron: field(
        fc.oneof(
          fc.constantFrom('* * * * *', ' */5  * * * * * ', '0 3 * * 1-5', '@daily', '61 * * * *', '0 0 30 2 *', 'L * * * *'),
          hostile,
        ),
      ),
      timezone: field(fc.oneof(fc.constantFrom('UTC', 'europe/berlin', 'Asia/Kolkata', 'Mars/Base', 'Etc/GMT+5'), hostile)),
      enabled: field(fc.boolean()),
      missed_policy: field(fc.constantFrom('skip', 'catch_up')),
      params: field(
        fc.dictionary(fc.oneof(fc.constantFrom('name', 'count', '__proto__'), fc.string()), fc.oneof(hostile, fc.integer(), anyValue), {
          maxKeys: 3,
        }),
      ),
    });
    await fc.assert(
      fc.asyncProperty(bodyOf(schedule), fc.boolean(), async (raw, patch) => {
        const url = patch ? '/api/schedules/1' : '/api/tasks/alpha/schedules';
        const res = await sendSafely(url, { method: patch ? 'PATCH' : 'POST', body: raw, headers: { 'content-type': 'application/json' } });
        expect(patch ? [200, 400, 404] : [201, 400]).toContain(res.status);
        if (!res.ok) return;
        const sent = JSON.parse(typeof raw === 'string' ? raw : new TextDecoder().decode(raw));
        const got = await res.json();
        if (typeof sent.cron === 'string') expect(got.cron).toBe(sent.cron.trim().replace(/\s+/g, ' '));
        if (typeof sent.timezone === 'string') expect(got.timezone.toLowerCase()).toBe(sent.timezone.trim().toLowerCase());
        expect(got.next_fires.length).toBe(got.enabled ? 5 : 0);
      }),
      RUNS,
    );
  });

  it('leaves the API whole afterwards', async () => {
    expect((await h.app.request('/api/tasks')).status).toBe(200);
    expect((await h.app.request('/api/runs?limit=500')).status).toBe(200);
    expect((await h.app.request(`/api/logs/alpha_${runId}.log`)).status).toBe(200);
  });
});
