import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE_IDS, HOSTILE_SEGMENTS, PARAM_ROUTES, expectError, expectNoFileChange, withBody } from './support/bad-input';
import { writeTask } from './support/dirs';
import { createHarness, waitFor, type Harness } from './support/harness';

// Hostile ids, bodies, run ids and queries against every route: each gets its exact 4xx as JSON with a
// message (a URL that resolves to a path outside the API gets the HTML 404 page), and no file anywhere
// under the test's temp root is created, changed or deleted.

const MB = 1024 * 1024;
const ALPHA = "printf 'one\\ntwo\\n'\n";

let h: Harness;
let runId: number;
beforeAll(async () => {
  h = await createHarness();
  writeTask(h.dirs, 'alpha.sh', ALPHA);
  await h.startRunner();
  runId = (await (await h.app.request('/api/tasks/alpha/execute', { method: 'POST' })).json()).run_id;
  await waitFor(async () => (await (await h.app.request(`/api/runs/${runId}`)).json()).finished_at, 20_000, 'the alpha run');
});
afterAll(() => h.close());

/** Sends a request and asserts its error answer, with the whole temp root unchanged afterwards. */
const refused = (url: string, init: RequestInit, status: number, mentions?: RegExp) =>
  expectNoFileChange(h.dirs.root, () => expectError(h.app, url, init, status, mentions));

const initFor = (method: string): RequestInit => (method === 'PUT' ? withBody(method, '{"content":"echo pwned\\n"}') : { method });

describe('hostile ids and log names in the path', () => {
  const cases = PARAM_ROUTES.flatMap(([method, url]) => HOSTILE_SEGMENTS.map(([seg, status]) => ({ method, path: url(seg), status })));
  it.each(cases)('$method $path → $status', async ({ method, path: p, status }) => {
    await refused(p, initFor(method), status, status === 400 ? /^invalid (task id|run id|log name)/ : undefined);
  });

  it('keeps the script a refused PUT aimed at', () => {
    expect(fs.readFileSync(path.join(h.dirs.tasksDir, 'alpha.sh'), 'utf8')).toBe(ALPHA);
  });
});

describe('unknown and malformed run ids', () => {
  const RUN_IDS: [id: string, status: 400 | 404][] = [
    ['0', 400],
    ['-1', 400],
    ['1e3', 400],
    ['1.5', 400],
    ['01', 400],
    ['abc', 400],
    ['%201', 400],
    ['9223372036854775808', 400],
    ['9223372036854775807', 400],
    ['99999999999', 404],
  ];
  const cases = RUN_IDS.flatMap(([id, status]) => [
    { method: 'GET', path: `/api/runs/${id}`, status },
    { method: 'POST', path: `/api/runs/${id}/cancel`, status },
    { method: 'GET', path: `/api/logs/alpha_${id}.log`, status },
  ]);
  it.each(cases)('$method $path → $status', async ({ method, path: p, status }) => {
    await refused(p, { method }, status, status === 400 ? /invalid (run id|log name)/ : /not found/);
  });

  it('refuses to cancel a finished run with 409 and its status', async () => {
    const body = await refused(`/api/runs/${runId}/cancel`, { method: 'POST' }, 409, /already finished/);
    expect(body.status).toBe('success');
  });
});

describe('unknown tasks', () => {
  it.each([
    ['GET', '/api/tasks/ghost'],
    ['DELETE', '/api/tasks/ghost'],
    ['POST', '/api/tasks/ghost/execute'],
    ['PUT', '/api/tasks/ghost'],
  ])('%s %s → 404, and PUT creates no file', async (method, p) => {
    await refused(p, initFor(method), 404, /task not found: ghost/);
  });
});

const valid = { id: 'fresh', language: 'sh', content: 'echo hi\n' };
const json = (patch: Record<string, unknown>) => JSON.stringify({ ...valid, ...patch });

/** Bodies refused by POST /api/tasks (with `base` a valid body) and by PUT (with `base` = {}). */
function badBodies(base: Record<string, unknown>): [label: string, status: 400 | 413, body: string, mentions: RegExp][] {
  const b = (patch: Record<string, unknown>) => JSON.stringify({ ...base, ...patch });
  const raw = (extra: string) => `${JSON.stringify(base).slice(0, -1)}${Object.keys(base).length ? ',' : ''}${extra}}`;
  return [
    ['not JSON', 400, 'id=fresh&language=sh', /not valid JSON/],
    ['empty', 400, '', /JSON object/],
    ['truncated JSON', 400, '{"content":"x"', /not valid JSON/],
    ['a JSON array', 400, '[]', /^body: must be a JSON object$/],
    ['a JSON string', 400, '"fresh"', /^body: must be a JSON object$/],
    ['JSON null', 400, 'null', /^body: must be a JSON object$/],
    ['a JSON number', 400, '42', /^body: must be a JSON object$/],
    ['content a number', 400, b({ content: 5 }), /^content: must be a string$/],
    ['content null', 400, b({ content: null }), /^content: must be a string$/],
    ['content an array', 400, b({ content: ['echo'] }), /^content: must be a string$/],
    ['content with a NUL byte', 400, b({ content: 'echo hi\0' }), /^content: must not contain NUL/],
    ['content over 1 MB', 400, b({ content: 'x'.repeat(MB + 1) }), /^content: must be at most 1 MB$/],
    ['content with a lone surrogate', 400, raw('"content":"echo \\ud800"'), /^content: must be valid Unicode/],
    ['description an object', 400, b({ description: { a: 1 } }), /^description: must be a string$/],
    ['description with a lone surrogate', 400, raw('"description":"\\udc00x"'), /^description: must be valid Unicode/],
    ['description with a NUL byte', 400, b({ description: 'a\0b' }), /^description: must not contain NUL/],
    ['timeout_s a string', 400, b({ timeout_s: '30' }), /^timeout_s: must be a whole number/],
    ['timeout_s fractional', 400, b({ timeout_s: 1.5 }), /^timeout_s: must be a whole number/],
    ['timeout_s a boolean', 400, b({ timeout_s: true }), /^timeout_s: must be a whole number/],
    ['timeout_s zero', 400, b({ timeout_s: 0 }), /^timeout_s: must be at least 1$/],
    ['timeout_s negative', 400, b({ timeout_s: -5 }), /^timeout_s: must be at least 1$/],
    ['timeout_s huge', 400, b({ timeout_s: 1e12 }), /^timeout_s: must be at most/],
    ['timeout_s overflowing', 400, raw('"timeout_s":1e400'), /^timeout_s: must be a whole number/],
    ['an unknown field', 400, b({ owner: 'root' }), /^body: unknown field owner$/],
    ['a __proto__ field', 400, raw('"__proto__":{"admin":true}'), /^body: unknown field __proto__$/],
    ['a 2 MB body', 413, b({ content: 'x'.repeat(2 * MB) }), /too large/],
  ];
}

describe('POST /api/tasks with a bad body', () => {
  it.each(badBodies(valid))('%s → %i', async (_label, status, body, mentions) => {
    await refused('/api/tasks', withBody('POST', body), status, mentions);
  });

  it.each([
    ['id missing', JSON.stringify({ language: 'sh', content: 'x' }), /id: must be a string/],
    ['id a number', json({ id: 5 }), /id: must be a string/],
    ['id null', json({ id: null }), /id: must be a string/],
    ['language missing', JSON.stringify({ id: 'fresh', content: 'x' }), /language: must be one of py, sh, js/],
    ['language unknown', json({ language: 'rb' }), /language: must be one of py, sh, js/],
    ['language exec', json({ language: 'exec' }), /language: must be one of py, sh, js/],
    ['language an array', json({ language: ['py'] }), /language: must be one of py, sh, js/],
    ['content missing', JSON.stringify({ id: 'fresh', language: 'sh' }), /content: must be a string/],
  ])('%s → 400', async (_label, body, mentions) => {
    await refused('/api/tasks', withBody('POST', body), 400, mentions);
  });

  it.each(HOSTILE_IDS.map((id) => [JSON.stringify(id)]))('id %s → 400', async (id) => {
    await refused('/api/tasks', withBody('POST', json({ id: JSON.parse(id) })), 400, /^id: must be 1 to 64/);
  });

  it('refuses an id that exists, in any language, with 409', async () => {
    await refused('/api/tasks', withBody('POST', json({ id: 'alpha', language: 'py' })), 409, /task already exists: alpha/);
  });
});

describe('PUT /api/tasks/:id with a bad body', () => {
  it.each([
    ...badBodies({}),
    ['an id field', 400, JSON.stringify({ id: '../outside' }), /^body: unknown field id$/],
    ['a language field', 400, JSON.stringify({ language: 'py' }), /^body: unknown field language$/],
  ])('%s → %i, the script kept', async (_label, status, body, mentions) => {
    await refused('/api/tasks/alpha', withBody('PUT', body), status, mentions);
  });
});

describe('GET /api/runs with a bad query', () => {
  it.each([
    ...HOSTILE_IDS.filter((id) => id !== '').map((id) => [`task_id=${encodeURIComponent(id)}`, /task_id: not a valid task id/]),
    ['status=QUEUED', /status: must be one of/],
    ['status=done', /status: must be one of/],
    ...['0', '501', '-1', 'abc', '1.5', '1e400'].map((v) => [`limit=${v}`, /limit: must be/]),
    ...['0', '-1', 'abc', '1e3', '9223372036854775808', '%00'].map((v) => [`cursor=${v}`, /cursor: not a cursor/]),
    ['sort=id', /unknown parameter sort/],
  ] as [string, RegExp][])('?%s → 400', async (query, mentions) => {
    await refused(`/api/runs?${query}`, { method: 'GET' }, 400, mentions);
  });

  it('pages past an unknown cursor without error', async () => {
    const res = await h.app.request('/api/runs?cursor=99999999999&limit=1');
    expect(res.status).toBe(200);
    expect((await res.json()).runs.map((r: { run_id: number }) => r.run_id)).toEqual([runId]);
  });
});

describe('webhook and notification routes with hostile ids and bodies', () => {
  // Only the segments that reach a route: a dot segment would make the URL name another route entirely.
  const reaching = HOSTILE_SEGMENTS.filter(([, status]) => status === 400).map(([seg]) => seg);
  const TASK_ROUTES: [method: string, url: (p: string) => string][] = [
    ['GET', (p) => `/api/tasks/${p}/webhooks`],
    ['POST', (p) => `/api/tasks/${p}/webhooks`],
    ['GET', (p) => `/api/tasks/${p}/notifications`],
    ['POST', (p) => `/api/tasks/${p}/notifications`],
  ];
  const ID_ROUTES: [method: string, url: (p: string) => string, what: string][] = [
    ['DELETE', (p) => `/api/webhooks/${p}`, 'webhook id'],
    ['PATCH', (p) => `/api/notifications/${p}`, 'notification target id'],
    ['DELETE', (p) => `/api/notifications/${p}`, 'notification target id'],
    ['GET', (p) => `/api/notifications/${p}/deliveries`, 'notification target id'],
  ];
  const BAD_IDS = [...reaching, '0', '-1', '1.5', '1e3', '01', 'abc', '2147483648', '99999999999'];

  it.each(TASK_ROUTES.flatMap(([method, url]) => reaching.map((seg) => ({ method, path: url(seg) }))))(
    '$method $path → 400',
    async ({ method, path: p }) => {
      await refused(p, { method }, 400, /^invalid task id/);
    },
  );

  it.each(ID_ROUTES.flatMap(([method, url, what]) => BAD_IDS.map((id) => ({ method, path: url(id), what }))))(
    '$method $path → 400',
    async ({ method, path: p, what }) => {
      await refused(p, method === 'PATCH' ? withBody(method, '{"enabled":false}') : { method }, 400, new RegExp(`^invalid ${what}`));
    },
  );

  it.each(ID_ROUTES.map(([method, url]) => ({ method, path: url('2147483647') })))(
    '$method $path (unknown) → 404',
    async ({ method, path: p }) => {
      await refused(
        p,
        method === 'PATCH' ? withBody(method, '{"enabled":false}') : { method },
        404,
        /^no (active webhook|notification target) 2147483647$/,
      );
    },
  );

  it.each(['ghost/webhooks', 'ghost/notifications'])('GET /api/tasks/%s → 404', async (p) => {
    await refused(`/api/tasks/${p}`, { method: 'GET' }, 404, /^task not found: ghost$/);
  });

  it.each([...reaching, 'whk_', `whk_${'A'.repeat(43)}`, `whk_${'A'.repeat(44)}`])('POST /hooks/%s → 404, nothing started', async (seg) => {
    await refused(`/hooks/${seg}`, withBody('POST', '{}'), 404);
  });

  it.each([
    ['POST', '/api/tasks/alpha/webhooks', 'name=x', /not valid JSON/],
    ['POST', '/api/tasks/alpha/webhooks', '[]', /^body: must be a JSON object$/],
    ['POST', '/api/tasks/alpha/webhooks', '{}', /^name: must be a string$/],
    ['POST', '/api/tasks/alpha/webhooks', '{"name":"a\\u0000b"}', /^name: must not contain control characters$/],
    ['POST', '/api/tasks/alpha/webhooks', `{"name":"${'n'.repeat(101)}"}`, /^name: must be at most 100 characters$/],
    [
      'POST',
      '/api/tasks/alpha/notifications',
      '{"name":"x","url":"javascript:alert(1)","events":["any"]}',
      /^url: must use http or https$/,
    ],
    ['POST', '/api/tasks/alpha/notifications', '{"name":"x","url":"file:///etc/passwd","events":["any"]}', /^url: must use http or https$/],
    [
      'POST',
      '/api/tasks/alpha/notifications',
      '{"name":"x","url":"https://example.com","events":"any"}',
      /^events: must be a list of events/,
    ],
    [
      'POST',
      '/api/tasks/alpha/notifications',
      `{"name":"x","url":"https://example.com/${'a'.repeat(2000)}","events":["any"]}`,
      /^url: must be at most 2000/,
    ],
    [
      'POST',
      '/api/notifications',
      '{"name":"x","url":"https://example.com","events":["any"],"task_id":"alpha"}',
      /^body: unknown field task_id$/,
    ],
  ])('%s %s %#→ 400', async (method, url, body, mentions) => {
    await refused(url, withBody(method, body), 400, mentions);
  });
});

describe('parameter, secret and rerun routes with hostile ids and bodies', () => {
  // Only the segments that reach a route: a dot segment would make the URL name another route entirely.
  const reaching = HOSTILE_SEGMENTS.filter(([, status]) => status === 400).map(([seg]) => seg);
  const TASK_ROUTES: [method: string, url: (p: string) => string][] = [
    ['GET', (p) => `/api/tasks/${p}/secrets`],
    ['PUT', (p) => `/api/tasks/${p}/secrets/TOKEN`],
    ['DELETE', (p) => `/api/tasks/${p}/secrets/TOKEN`],
    ['GET', (p) => `/tasks/${p}/run`],
    ['POST', (p) => `/tasks/${p}/settings`],
    ['POST', (p) => `/tasks/${p}/secrets`],
    ['POST', (p) => `/tasks/${p}/secrets/TOKEN/delete`],
  ];
  const secretInit = (method: string): RequestInit => (method === 'PUT' ? withBody(method, '{"value":"s3cret"}') : { method });

  it.each(TASK_ROUTES.flatMap(([method, url]) => reaching.map((seg) => ({ method, path: url(seg) }))))(
    '$method $path → 400',
    async ({ method, path: p }) => {
      await refused(p, secretInit(method), 400, /^invalid task id/);
    },
  );

  const BAD_NAMES = [...reaching, 'TASKRUN_X', 'taskrun_y', '1A', 'a-b', 'a.b', 'x'.repeat(101), '__proto__', '%20A'];
  it.each(
    BAD_NAMES.flatMap((name) => [
      { method: 'PUT', path: `/api/tasks/alpha/secrets/${name}` },
      { method: 'DELETE', path: `/api/tasks/alpha/secrets/${name}` },
      { method: 'POST', path: `/tasks/alpha/secrets/${name}/delete` },
    ]),
  )('$method $path → 400', async ({ method, path: p }) => {
    await refused(p, secretInit(method), 400, /^invalid secret name/);
  });

  it.each([
    ['GET', '/api/tasks/ghost/secrets'],
    ['PUT', '/api/tasks/ghost/secrets/TOKEN'],
    ['DELETE', '/api/tasks/ghost/secrets/TOKEN'],
    ['GET', '/tasks/ghost/run'],
  ])('%s %s → 404', async (method, p) => {
    await refused(p, secretInit(method), 404, /^task not found: ghost$/);
  });

  it('DELETE of a secret that does not exist → 404', async () => {
    await refused('/api/tasks/alpha/secrets/NOPE', { method: 'DELETE' }, 404, /^secret not found: NOPE$/);
  });

  const RUN_IDS: [id: string, status: 400 | 404][] = [
    ['0', 400],
    ['-1', 400],
    ['1e3', 400],
    ['01', 400],
    ['abc', 400],
    ['%00', 400],
    ['9223372036854775808', 400],
    ['99999999999', 404],
  ];
  it.each(
    RUN_IDS.flatMap(([id, status]) => [
      { method: 'POST', path: `/api/runs/${id}/rerun`, status },
      { method: 'POST', path: `/runs/${id}/rerun`, status },
      { method: 'GET', path: `/tasks/alpha/run?from=${id}`, status },
    ]),
  )('$method $path → $status', async ({ method, path: p, status }) => {
    await refused(p, { method }, status, status === 400 ? /^invalid run id/ : /^run not found/);
  });

  const body = (s: string) => s;
  it.each([
    ['not JSON', body('params=1'), /^request body is not valid JSON$/],
    ['a JSON array', body('[]'), /^body: must be a JSON object/],
    ['JSON null', body('null'), /^body: must be a JSON object/],
    ['an unknown field', body('{"parameters":{}}'), /^body: unknown field parameters$/],
    ['params a list', body('{"params":[]}'), /^invalid parameters: params must be a JSON object/],
    ['params a string', body('{"params":"a=1"}'), /^invalid parameters: params must be a JSON object/],
    ['an undeclared parameter', body('{"params":{"nope":1}}'), /^invalid parameters: nope is not a parameter of this task$/],
    ['a __proto__ parameter', body('{"params":{"__proto__":{"x":1}}}'), /^invalid parameters: __proto__ is not a parameter of this task$/],
  ])('execute and rerun with %s → 400, nothing started', async (_label, raw, mentions) => {
    const before = (await (await h.app.request('/api/runs?task_id=alpha')).json()).runs.length;
    const a = await refused('/api/tasks/alpha/execute', withBody('POST', raw), 400, mentions);
    const b = await refused(`/api/runs/${runId}/rerun`, withBody('POST', raw), 400, mentions);
    if (/parameter/.test(String(a.error))) expect(a.fields).toBeTypeOf('object');
    expect(b.error).toBe(a.error);
    expect((await (await h.app.request('/api/runs?task_id=alpha')).json()).runs.length).toBe(before);
  });

  it.each([
    ['no body', '', /^request body must be a JSON object$/],
    ['not JSON', 'value=x', /^request body is not valid JSON$/],
    ['a JSON string', '"x"', /^body: must be a JSON object/],
    ['value missing', '{}', /^value: must be a string$/],
    ['value empty', '{"value":""}', /^value: must not be empty$/],
    ['value a number', '{"value":5}', /^value: must be a string$/],
    ['value null', '{"value":null}', /^value: must be a string$/],
    ['value with a NUL byte', '{"value":"a\\u0000b"}', /^value: must not contain NUL bytes$/],
    ['value with a lone surrogate', '{"value":"\\ud800"}', /^value: must be valid Unicode/],
    ['value over 32768 characters', JSON.stringify({ value: 'x'.repeat(32769) }), /^value: must be at most 32768 characters$/],
    ['an unknown field', '{"value":"x","name":"Y"}', /^body: unknown field name$/],
  ])('PUT a secret with %s → 400, nothing stored', async (_label, raw, mentions) => {
    await refused('/api/tasks/alpha/secrets/TOKEN', withBody('PUT', raw), 400, mentions);
    expect(await (await h.app.request('/api/tasks/alpha/secrets')).json()).toEqual([]);
  });
});

describe('schedule routes with hostile ids, bodies and queries', () => {
  // Only the segments that reach a route: a dot segment would make the URL name another route entirely.
  const reaching = HOSTILE_SEGMENTS.filter(([, status]) => status === 400).map(([seg]) => seg);
  const TASK_ROUTES: [method: string, url: (p: string) => string][] = [
    ['GET', (p) => `/api/tasks/${p}/schedules`],
    ['POST', (p) => `/api/tasks/${p}/schedules`],
    ['GET', (p) => `/tasks/${p}/schedules`],
    ['POST', (p) => `/tasks/${p}/schedules`],
  ];
  const ID_ROUTES: [method: string, url: (p: string) => string][] = [
    ['GET', (p) => `/api/schedules/${p}`],
    ['PATCH', (p) => `/api/schedules/${p}`],
    ['DELETE', (p) => `/api/schedules/${p}`],
    ['GET', (p) => `/api/schedules/${p}/fires`],
    ['POST', (p) => `/schedules/${p}/pause`],
    ['POST', (p) => `/schedules/${p}/resume`],
    ['POST', (p) => `/schedules/${p}/delete`],
  ];
  const BAD_IDS = [...reaching, '0', '-1', '1.5', '1e3', '01', 'abc', '2147483648', '99999999999'];
  const init = (method: string, body = '{"cron":"* * * * *","enabled":false}'): RequestInit =>
    method === 'GET' || method === 'DELETE' ? { method } : withBody(method, body);

  it.each(TASK_ROUTES.flatMap(([method, url]) => reaching.map((seg) => ({ method, path: url(seg) }))))(
    '$method $path → 400',
    async ({ method, path: p }) => {
      await refused(p, init(method), 400, /^invalid task id/);
    },
  );

  it.each(ID_ROUTES.flatMap(([method, url]) => BAD_IDS.map((id) => ({ method, path: url(id) }))))(
    '$method $path → 400',
    async ({ method, path: p }) => {
      await refused(p, init(method), 400, /^invalid schedule id/);
    },
  );

  it.each(ID_ROUTES.map(([method, url]) => ({ method, path: url('2147483647') })))(
    '$method $path (unknown) → 404',
    async ({ method, path: p }) => {
      await refused(p, init(method), 404, /^schedule not found: 2147483647$/);
    },
  );

  it.each([
    ['/api/tasks/ghost/schedules', withBody('POST', '{"cron":"* * * * *"}')],
    [
      '/tasks/ghost/schedules',
      { method: 'POST', body: 'cron=*+*+*+*+*', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    ],
  ] as [string, RequestInit][])('GET and POST %s → 404, nothing stored', async (p, post) => {
    await refused(p, { method: 'GET' }, 404, /^task not found: ghost$/);
    await refused(p, post, 404, /^task not found: ghost$/);
    expect(await (await h.app.request('/api/schedules')).json()).toEqual([]);
  });

  it.each([
    ['not JSON', 'cron=* * * * *', /^request body is not valid JSON$/],
    ['a JSON array', '[]', /^body: must be a JSON object$/],
    ['cron missing', '{}', /^cron: must be a string$/],
    ['cron with a NUL byte', '{"cron":"* * * * *\\u0000"}', /^cron: /],
    ['cron of 7 fields', '{"cron":"* * * * * * *"}', /^cron: must have 5 fields/],
    ['cron too long', JSON.stringify({ cron: `${'1,'.repeat(150)}1 * * * *` }), /^cron: must be at most 200 characters$/],
    ['a zone that is a path', '{"cron":"* * * * *","timezone":"../../etc/localtime"}', /^timezone: must be an IANA time zone/],
    ['a zone with a NUL byte', '{"cron":"* * * * *","timezone":"UTC\\u0000"}', /^timezone: must be an IANA time zone/],
    ['params a list', '{"cron":"* * * * *","params":[1]}', /^params: must be a JSON object/],
    ['an undeclared parameter', '{"cron":"* * * * *","params":{"__proto__":{"x":1}}}', /^params\./],
    ['a __proto__ field', '{"cron":"* * * * *","__proto__":{"admin":true}}', /^body: unknown field __proto__$/],
  ])('POST /api/tasks/alpha/schedules with %s → 400, nothing stored', async (_label, raw, mentions) => {
    await refused('/api/tasks/alpha/schedules', withBody('POST', raw), 400, mentions);
    expect(await (await h.app.request('/api/tasks/alpha/schedules')).json()).toEqual([]);
  });

  it.each([
    ['cron=', /^cron: must be a cron expression/],
    ['cron=%00', /^cron: /],
    ['cron=*+*+*+*+*&timezone=%2e%2e%2fetc', /^timezone: must be an IANA/],
    ['cron=*+*+*+*+*&cron=1+*+*+*+*&x=1', /^body: unknown parameter x$/],
  ])('GET /api/schedules/preview?%s → 400', async (query, mentions) => {
    await refused(`/api/schedules/preview?${query}`, { method: 'GET' }, 400, mentions);
  });
});
