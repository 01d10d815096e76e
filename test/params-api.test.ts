import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTask } from './support/dirs';
import { createHarness, type Harness } from './support/harness';

// Parameters and environment of a task over the JSON API: settings, checked values on execute, and
// values reaching the script literally (argv and TASKRUN_PARAM_*), never through a shell.

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

const send = (method: string, url: string, body?: unknown) =>
  h.app.request(url, {
    method,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });

// Every type, with its checks.
const EVERY_TYPE = [
  { name: 'region', type: 'string', label: 'Region', pattern: '[a-z]+-[0-9]', required: true },
  { name: 'rows', type: 'integer', min: 1, max: 100, default: 10 },
  { name: 'ratio', type: 'number', min: 0, max: 1 },
  { name: 'dry_run', type: 'boolean', default: true },
  { name: 'mode', type: 'choice', choices: ['fast', 'safe'], default: 'safe' },
  { name: 'note', type: 'text', max: 50 },
  { name: 'token', type: 'secret' },
];

async function runOf(runId: number) {
  return (await h.app.request(`/api/runs/${runId}`)).json();
}

describe('parameter, environment and retry settings', () => {
  it('creates a task with them, shows them, changes them, and restores defaults with null', async () => {
    const created = await send('POST', '/api/tasks', {
      id: 'typed',
      language: 'sh',
      content: 'echo hi\n',
      params: EVERY_TYPE,
      env: { REGION: 'eu-west-1', EMPTY: '', _X: 'a=b c' },
      max_retries: 2,
      retry_delay_s: 30,
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      id: 'typed',
      params: EVERY_TYPE,
      env: { REGION: 'eu-west-1', EMPTY: '', _X: 'a=b c' },
      secrets: [],
      max_retries: 2,
      retry_delay_s: 30,
    });
    const listed = (await (await h.app.request('/api/tasks')).json()).find((t: { id: string }) => t.id === 'typed');
    expect(listed).toMatchObject({ params: EVERY_TYPE, max_retries: 2, retry_delay_s: 30, secrets: [] });

    const changed = await send('PUT', '/api/tasks/typed', { env: { A: '1' }, max_retries: 0 });
    expect(await changed.json()).toMatchObject({ params: EVERY_TYPE, env: { A: '1' }, max_retries: 0, retry_delay_s: 30 });
    const reset = await send('PUT', '/api/tasks/typed', { params: null, env: null, max_retries: null, retry_delay_s: null });
    expect(await reset.json()).toMatchObject({ params: [], env: {}, max_retries: 0, retry_delay_s: 0 });
  });

  it.each([
    ['params not a list', { params: {} }, 'params', /must be a list of parameters/],
    ['a parameter without a name', { params: [{ type: 'string' }] }, 'params.0.name', /must be a string/],
    ['a bad parameter name', { params: [{ name: '1x', type: 'string' }] }, 'params.0.name', /must be 1 to 64 letters/],
    ['an unknown type', { params: [{ name: 'x', type: 'date' }] }, 'params.0.type', /must be one of string, integer/],
    ['a choice without choices', { params: [{ name: 'x', type: 'choice' }] }, 'params.0.choices', /needs choices/],
    ['a bad pattern', { params: [{ name: 'x', type: 'string', pattern: '(' }] }, 'params.0.pattern', /valid regular expression/],
    [
      'a lookahead (not linear)',
      { params: [{ name: 'x', type: 'string', pattern: '(?!admin)\\w+' }] },
      'params.0.pattern',
      /^the pattern of x must be a valid regular expression in RE2 syntax \(no lookarounds or backreferences\)/,
    ],
    [
      'a backreference',
      { params: [{ name: 'x', type: 'string', pattern: '(a)\\1' }] },
      'params.0.pattern',
      /^the pattern of x must be a valid regular expression in RE2 syntax/,
    ],
    ['a default outside the limits', { params: [{ name: 'x', type: 'integer', max: 3, default: 5 }] }, 'params.0.default', /at most 3/],
    ['a secret with a default', { params: [{ name: 'x', type: 'secret', default: 'pw' }] }, 'params.0.default', /cannot have a default/],
    ['min above max', { params: [{ name: 'x', type: 'number', min: 2, max: 1 }] }, 'params.0.min', /not be above max/],
    [
      'a name declared twice',
      {
        params: [
          { name: 'x', type: 'string' },
          { name: 'X', type: 'integer' },
        ],
      },
      'params.1.name',
      /declared twice/,
    ],
    ['an unknown field of a parameter', { params: [{ name: 'x', type: 'string', secret: true }] }, 'params.0', /unknown field secret/],
    ['env a list', { env: ['A=1'] }, 'env', /JSON object/],
    ['an env name starting with a digit', { env: { '1A': 'x' } }, 'env.1A', /not starting with a digit/],
    ['an env name with a dash', { env: { 'A-B': 'x' } }, 'env.A-B', /letters, digits or _/],
    ['an env name taskrun sets', { env: { TASKRUN_RUN_ID: '1' } }, 'env.TASKRUN_RUN_ID', /must not start with TASKRUN_/],
    ['an env name of 101 characters', { env: { ['A'.repeat(101)]: 'x' } }, `env.${'A'.repeat(101)}`, /1 to 100 characters/],
    ['an env value that is a number', { env: { A: 1 } }, 'env.A', /must be a string/],
    ['an env value with a NUL byte', { env: { A: 'a\0b' } }, 'env.A', /NUL/],
    ['an env value over 32 KB', { env: { A: 'x'.repeat(32769) } }, 'env.A', /at most 32768/],
    [
      '101 env variables',
      { env: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`V${i}`, ''])) },
      'env',
      /at most 100 variables/,
    ],
    ['max_retries above 10', { max_retries: 11 }, 'max_retries', /at most 10/],
    ['max_retries negative', { max_retries: -1 }, 'max_retries', /at least 0/],
    ['max_retries fractional', { max_retries: 1.5 }, 'max_retries', /whole number/],
    ['max_retries a string', { max_retries: '2' }, 'max_retries', /whole number/],
    ['retry_delay_s above a day', { retry_delay_s: 86401 }, 'retry_delay_s', /at most 86400/],
  ])('refuses %s with 400 naming the field', async (_label, patch, field, message) => {
    const res = await send('PUT', '/api/tasks/typed', patch);
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.fields[field]).toMatch(message);
    expect(body.error).toContain(field);
  });

  it('refuses an env named __proto__ instead of dropping it', async () => {
    const res = await send('PUT', '/api/tasks/typed', '{"env":{"__proto__":"x"}}');
    expect(res.status).toBe(400);
    expect((await res.json()).fields).toEqual({ 'env.__proto__': 'is reserved' });
  });
});

describe('execute with parameter values', () => {
  beforeAll(async () => {
    await send('PUT', '/api/tasks/typed', { params: EVERY_TYPE });
  });

  // Each queued run is canceled so the next execute is not refused as busy (no runner is up here).
  async function executeOk(body: unknown): Promise<Record<string, unknown>> {
    const res = await send('POST', '/api/tasks/typed/execute', body);
    const json = await res.json();
    expect(res.status, JSON.stringify(json)).toBe(202);
    await h.app.request(`/api/runs/${json.run_id}/cancel`, { method: 'POST' });
    return runOf(json.run_id);
  }

  it('keeps the values a run starts with, defaults filled in, secrets left out', async () => {
    const run = await executeOk({ params: { region: 'eu-1', ratio: 0.5, note: 'two\nlines', token: 'pw-123' } });
    expect(run.params).toEqual({ region: 'eu-1', rows: 10, ratio: 0.5, dry_run: true, mode: 'safe', note: 'two\nlines' });
    expect(run).toMatchObject({ trigger: 'api', attempt: 1, max_attempts: 1, retry_of: null, not_before: null });
    expect(JSON.stringify(run)).not.toContain('pw-123');
  });

  it('accepts values as strings, as a form or a webhook sends them', async () => {
    const run = await executeOk({ params: { region: 'ab-9', rows: '42', ratio: '0.25', dry_run: 'false', mode: 'fast' } });
    expect(run.params).toEqual({ region: 'ab-9', rows: 42, ratio: 0.25, dry_run: false, mode: 'fast' });
  });

  it.each([
    ['string: pattern', { region: 'EU' }, 'region', 'must match [a-z]+-[0-9]'],
    ['string: required', {}, 'region', 'is required'],
    ['string: not a string', { region: 5 }, 'region', 'must be a string'],
    ['string: two lines', { region: 'ab-1\nab-2' }, 'region', 'must be a single line'],
    ['integer: fractional', { region: 'ab-1', rows: 1.5 }, 'rows', 'must be a whole number'],
    ['integer: text', { region: 'ab-1', rows: 'ten' }, 'rows', 'must be a whole number'],
    ['integer: below min', { region: 'ab-1', rows: 0 }, 'rows', 'must be at least 1'],
    ['integer: above max', { region: 'ab-1', rows: '101' }, 'rows', 'must be at most 100'],
    ['number: not a number', { region: 'ab-1', ratio: 'half' }, 'ratio', 'must be a number'],
    ['number: above max', { region: 'ab-1', ratio: 1.01 }, 'ratio', 'must be at most 1'],
    ['boolean: other text', { region: 'ab-1', dry_run: 'yes' }, 'dry_run', 'must be true or false'],
    ['boolean: a number', { region: 'ab-1', dry_run: 2 }, 'dry_run', 'must be true or false'],
    ['choice: not listed', { region: 'ab-1', mode: 'reckless' }, 'mode', 'must be one of fast, safe'],
    ['text: too long', { region: 'ab-1', note: 'x'.repeat(51) }, 'note', 'must be at most 50 characters'],
    ['text: a NUL byte', { region: 'ab-1', note: 'a\0b' }, 'note', 'must not contain NUL bytes'],
    ['secret: not a string', { region: 'ab-1', token: { v: 1 } }, 'token', 'must be a string'],
    ['an undeclared parameter', { region: 'ab-1', owner: 'root' }, 'owner', 'is not a parameter of this task'],
  ])('refuses %s with 400 naming the field', async (_label, params, field, message) => {
    const res = await send('POST', '/api/tasks/typed/execute', { params });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.fields).toEqual({ [field]: message });
    expect(body.error).toBe(`invalid parameters: ${field} ${message}`);
  });

  it('names every bad field at once', async () => {
    const res = await send('POST', '/api/tasks/typed/execute', { params: { rows: 0, ratio: 'x', mode: 'no', extra: 1 } });
    expect(res.status).toBe(400);
    expect(Object.keys((await res.json()).fields).sort()).toEqual(['extra', 'mode', 'ratio', 'region', 'rows']);
  });

  it('takes no body, an empty object, or params; refuses anything else at the top level', async () => {
    writeTask(h.dirs, 'plain.sh', 'echo plain\n');
    for (const body of [undefined, '', '{}', '{"params":{}}', '{"params":null}']) {
      const res = await send('POST', '/api/tasks/plain/execute', body);
      expect(res.status, String(body)).toBe(202);
      await h.app.request(`/api/runs/${(await res.json()).run_id}/cancel`, { method: 'POST' });
    }
    const bad = await send('POST', '/api/tasks/plain/execute', { params: {}, priority: 1 });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'body: unknown field priority', fields: { body: 'unknown field priority' } });
  });
});

describe('values reach the script literally, never through a shell', () => {
  it('passes hostile values as argv and TASKRUN_PARAM_* without running any of them', async () => {
    await h.startRunner();
    const marks = ['pwned-1', 'pwned-2', 'pwned-3', 'pwned-4'].map((m) => path.join(h.dirs.root, m));
    const victim = path.join(h.dirs.root, 'victim');
    fs.mkdirSync(victim);
    fs.writeFileSync(path.join(victim, 'keep.txt'), 'keep\n');
    const values = {
      semi: `x; rm -rf ${victim}`,
      subst: `$(touch ${marks[0]})`,
      ticks: `\`touch ${marks[1]}\``,
      body: `line one\n$(touch ${marks[2]})\n\`touch ${marks[3]}\`; rm -rf ${victim}\n'"\\ end`,
      dash: '--body',
    };
    // Prints what it got as JSON: argv after the script, and its TASKRUN_PARAM_ variables.
    const script = [
      'import json, os, sys',
      "env = {k: v for k, v in os.environ.items() if k.startswith('TASKRUN_PARAM_')}",
      "print('GOT ' + json.dumps({'argv': sys.argv[1:], 'env': env}))",
    ].join('\n');
    const created = await send('POST', '/api/tasks', {
      id: 'literal',
      language: 'py',
      content: `${script}\n`,
      params: [
        { name: 'semi', type: 'string' },
        { name: 'subst', type: 'string' },
        { name: 'ticks', type: 'string' },
        { name: 'body', type: 'text' },
        { name: 'dash', type: 'string' },
      ],
    });
    expect(created.status).toBe(201);
    const res = await send('POST', '/api/tasks/literal/execute', { params: values });
    expect(res.status).toBe(202);
    const { run_id, log } = await res.json();
    const run = await h.runEnded(run_id);
    const text = await (await h.app.request(log)).text();
    expect(run.status, text).toBe('success');
    const got = JSON.parse(/^GOT (.*)$/m.exec(text)![1]);
    expect(got.argv).toEqual([
      `--semi=${values.semi}`,
      `--subst=${values.subst}`,
      `--ticks=${values.ticks}`,
      `--body=${values.body}`,
      `--dash=${values.dash}`,
    ]);
    expect(got.env).toEqual({
      TASKRUN_PARAM_SEMI: values.semi,
      TASKRUN_PARAM_SUBST: values.subst,
      TASKRUN_PARAM_TICKS: values.ticks,
      TASKRUN_PARAM_BODY: values.body,
      TASKRUN_PARAM_DASH: values.dash,
    });
    for (const m of marks) expect(fs.existsSync(m), m).toBe(false);
    expect(fs.readFileSync(path.join(victim, 'keep.txt'), 'utf8')).toBe('keep\n');
    expect(run.params).toEqual(values);
  });

  it('gives a shell script the same values in "$@" and its environment', async () => {
    const mark = path.join(h.dirs.root, 'pwned-sh');
    writeTask(h.dirs, 'shelly.sh', 'printf "<%s>\\n" "$@"\nprintf "env<%s>\\n" "$TASKRUN_PARAM_CMD"\n');
    await send('PUT', '/api/tasks/shelly', { params: [{ name: 'cmd', type: 'text' }] });
    const cmd = `$(touch ${mark}); \`touch ${mark}\`\n; touch ${mark}`;
    const { run_id, log } = await (await send('POST', '/api/tasks/shelly/execute', { params: { cmd } })).json();
    await h.runEnded(run_id);
    const text = await (await h.app.request(log)).text();
    expect(text).toContain(`<--cmd=${cmd}>\n`);
    expect(text).toContain(`env<${cmd}>\n`);
    expect(fs.existsSync(mark)).toBe(false);
  });

  it('gives the task its environment variables', async () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion in the task script
    writeTask(h.dirs, 'envy.sh', 'printf "%s|%s|%s\\n" "$REGION" "$QUOTED" "${UNSET-unset}"\n');
    await send('PUT', '/api/tasks/envy', { env: { REGION: 'eu-west-1', QUOTED: '$(echo no) `x` "y"' } });
    const { run_id, log } = await (await send('POST', '/api/tasks/envy/execute')).json();
    await h.runEnded(run_id);
    expect(await (await h.app.request(log)).text()).toContain('eu-west-1|$(echo no) `x` "y"|unset\n');
  });
});
