import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cspViolations } from './views/fixtures';
import { writeTask } from './support/dirs';
import { createHarness, waitFor, type Harness } from './support/harness';

// The pages of parameters, environment, secrets and retries, through the app as a browser's htmx
// would call them (the browser test drives the Run form for real).

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  writeTask(h.dirs, 'plain.sh', 'echo plain\n');
  writeTask(h.dirs, 'typed.sh', 'echo "typed $TASKRUN_PARAM_REGION"\n');
  await h.app.request('/api/tasks/typed', {
    method: 'PUT',
    body: JSON.stringify({
      params: [
        { name: 'region', type: 'string', label: 'Region', pattern: '[a-z]+', min: 2, max: 8, required: true, description: 'Where to run' },
        { name: 'rows', type: 'integer', min: 1, max: 100, default: 10 },
        { name: 'ratio', type: 'number' },
        { name: 'dry_run', type: 'boolean', default: true },
        { name: 'mode', type: 'choice', choices: ['fast', 'safe'], required: true },
        { name: 'note', type: 'text' },
        { name: 'token', type: 'secret' },
      ],
    }),
  });
});
afterAll(() => h.close());

const HTMX = { 'HX-Request': 'true' };
const form = (url: string, fields: Record<string, string>, headers: Record<string, string> = HTMX) =>
  h.app.request(url, {
    method: 'POST',
    body: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });
const page = async (url: string) => {
  const res = await h.app.request(url);
  expect(res.status, url).toBe(200);
  return res.text();
};

describe('the Run form', () => {
  it('is what Run opens for a task with parameters; a task without keeps the one-click Run', async () => {
    const html = await page('/');
    expect(html).toMatch(/<a class="btn btn-run" href="\/tasks\/typed\/run">Run…/);
    expect(html).toMatch(/<button type="button" class="btn btn-run" hx-post="\/tasks\/plain\/run"/);
    expect(await page('/tasks/typed/edit')).toContain('href="/tasks/typed/run"');
  });

  it('builds an input for each parameter with its label, default, checks and required mark', async () => {
    const html = await page('/tasks/typed/run');
    expect(cspViolations(html)).toEqual([]);
    expect(html).toMatch(/<form id="run-form"[^>]* action="\/tasks\/typed\/run"[^>]* hx-post="\/tasks\/typed\/run"/);
    expect(html).toMatch(/<label for="rp-region">Region<span class="required"[^>]*> \*<span class="sr-only"> \(required\)/);
    expect(html).toMatch(
      /<input id="rp-region" name="param.region" required=""[^>]* type="text"[^>]* minlength="2" maxlength="8" pattern="\[a-z\]\+" value=""/,
    );
    expect(html).toContain('Where to run · 2 to 8 characters · must match [a-z]+');
    expect(html).toMatch(/<input id="rp-rows" name="param.rows"[^>]* type="number" step="1"[^>]* min="1" max="100" value="10"/);
    expect(html).toMatch(/<input id="rp-ratio" name="param.ratio"[^>]* type="number" step="any"/);
    expect(html).toMatch(/<input id="rp-dry_run" name="param.dry_run"[^>]* type="checkbox" value="true" checked=""/);
    expect(html).toMatch(
      /<select id="rp-mode" name="param.mode" required=""[^>]*><option value="" selected="">Choose…<\/option><option value="fast">fast<\/option>/,
    );
    expect(html).toMatch(/<textarea id="rp-note" name="param.note"/);
    expect(html).toMatch(/<input id="rp-token" name="param.token"[^>]* type="password" autocomplete="off"[^>]* value=""/);
  });

  it("shows the server's refusal beside each field, keeping what was typed but never a secret", async () => {
    const res = await form('/tasks/typed/run', {
      _form: '1',
      'param.region': 'EU',
      'param.rows': '500',
      'param.mode': '',
      'param.token': 'pw-typed',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('HX-Retarget')).toBe('#run-form');
    expect(res.headers.get('HX-Reswap')).toBe('outerHTML');
    const html = await res.text();
    expect(html).toContain('<p id="error-param-region" class="field-error">must match [a-z]+</p>');
    expect(html).toContain('<p id="error-param-rows" class="field-error">must be at most 100</p>');
    expect(html).toContain('<p id="error-param-mode" class="field-error">is required</p>');
    expect(html).toContain('<p id="error-param-ratio" class="field-error"></p>');
    expect(html).toMatch(/id="rp-region"[^>]*aria-invalid="true"[^>]* value="EU"/);
    expect(html).not.toContain('pw-typed');
    // An unchecked checkbox sent nothing: false, not the default.
    expect(html).not.toMatch(/id="rp-dry_run"[^>]*checked/);
  });

  it('starts the run and opens its page; the run keeps the values, secrets left out', async () => {
    await h.startRunner();
    const res = await form('/tasks/typed/run', {
      _form: '1',
      'param.region': 'eu',
      'param.mode': 'safe',
      'param.note': 'a\r\nb',
      'param.token': 'pw-1',
      'param.dry_run': 'true',
    });
    expect(res.status).toBe(200);
    const to = res.headers.get('HX-Redirect')!;
    expect(to).toMatch(/^\/runs\/\d+$/);
    const runId = Number(to.split('/')[2]);
    const run = await (await h.app.request(`/api/runs/${runId}`)).json();
    expect(run).toMatchObject({ trigger: 'web', params: { region: 'eu', rows: 10, dry_run: true, mode: 'safe', note: 'a\nb' } });
    await h.runEnded(runId);

    const view = await page(to);
    expect(view).toContain('<h2 id="params-heading">Parameters</h2>');
    expect(view).toContain('<dt><code>region</code></dt><dd><code class="param-value">eu</code></dd>');
    expect(view).toContain(`href="/tasks/typed/run?from=${runId}"`);
    expect(view).not.toContain('pw-1');
  });

  it('works without htmx: 303 to the run, or the page again with the errors', async () => {
    const ok = await form('/tasks/typed/run', { _form: '1', 'param.region': 'eu', 'param.mode': 'fast' }, {});
    expect(ok.status).toBe(303);
    const runId = Number(ok.headers.get('location')!.split('/')[2]);
    await h.runEnded(runId);
    const bad = await form('/tasks/typed/run', { _form: '1', 'param.region': '1' }, {});
    expect(bad.status).toBe(400);
    const html = await bad.text();
    expect(html).toContain('<title>Run typed · taskrun</title>');
    expect(html).toContain('<p id="error-param-region" class="field-error">must be at least 2 characters</p>');
  });

  it("is prefilled with a run's values to start it again, as trigger rerun", async () => {
    const runs = (await (await h.app.request('/api/runs?task_id=typed')).json()).runs;
    const from = runs.find((r: { params: { note?: string } }) => r.params.note === 'a\nb');
    const html = await page(`/tasks/typed/run?from=${from.run_id}`);
    expect(html).toMatch(new RegExp(`<form id="run-form"[^>]* action="/runs/${from.run_id}/rerun"`));
    expect(html).toMatch(/id="rp-region"[^>]* value="eu"/);
    expect(html).toMatch(/<option value="safe" selected="">safe<\/option>/);
    expect(html).toMatch(/<textarea id="rp-note"[^>]*>a\nb<\/textarea>/);
    expect(html).toMatch(/id="rp-dry_run"[^>]*checked=""/);

    const res = await form(`/runs/${from.run_id}/rerun`, { _form: '1', 'param.region': 'us', 'param.mode': 'safe', 'param.note': 'a\nb' });
    const runId = Number(res.headers.get('HX-Redirect')!.split('/')[2]);
    const run = await (await h.app.request(`/api/runs/${runId}`)).json();
    expect(run).toMatchObject({ trigger: 'rerun', params: { region: 'us', mode: 'safe', note: 'a\nb', dry_run: false } });
    await h.runEnded(runId);
    expect((await h.app.request(`/tasks/plain/run?from=${from.run_id}`)).status).toBe(404);
  });

  it('starts a task without parameters again in one click', async () => {
    const first = (await (await h.app.request('/api/tasks/plain/execute', { method: 'POST' })).json()).run_id;
    await h.runEnded(first);
    const view = await page(`/runs/${first}`);
    expect(view).toContain(`hx-post="/runs/${first}/rerun"`);
    const res = await form(`/runs/${first}/rerun`, {});
    const again = Number(res.headers.get('HX-Redirect')!.split('/')[2]);
    expect(again).toBeGreaterThan(first);
    await h.runEnded(again);
  });
});

describe('the run view of retries', () => {
  it('shows attempt N of M, the run retried, its retry, and a retry waiting out its delay', async () => {
    writeTask(h.dirs, 'flaky.sh', 'exit 1\n');
    await h.app.request('/api/tasks/flaky', { method: 'PUT', body: JSON.stringify({ max_retries: 1, retry_delay_s: 3600 }) });
    const first = (await (await h.app.request('/api/tasks/flaky/execute', { method: 'POST' })).json()).run_id;
    await h.runEnded(first);
    const retry = await waitFor(async () =>
      (await (await h.app.request('/api/runs?task_id=flaky')).json()).runs.find((r: { retry_of: number }) => r.retry_of === first),
    );
    expect(retry).toMatchObject({ status: 'queued', attempt: 2, max_attempts: 2 });

    const firstView = await page(`/runs/${first}`);
    expect(firstView).toContain('Attempt 1 of 2');
    expect(firstView).toContain(`retried as <a href="/runs/${retry.run_id}">run #${retry.run_id}</a>`);
    const retryView = await page(`/runs/${retry.run_id}`);
    expect(retryView).toContain('Attempt 2 of 2');
    expect(retryView).toContain(`retries <a href="/runs/${first}">run #${first}</a>`);
    expect(retryView).toMatch(/waiting to retry until <time datetime="[^"]+"/);
    await h.app.request(`/api/runs/${retry.run_id}/cancel`, { method: 'POST' });
  });
});

describe('the task page: parameters, environment, retries and secrets', () => {
  const save = (fields: Record<string, string>) =>
    form('/tasks/plain/settings', { params: '', env: '', max_retries: '', retry_delay_s: '', ...fields });

  it('saves parameters as JSON, environment as NAME=value lines and the retry settings', async () => {
    const res = await save({
      params: '[{"name": "day", "type": "string", "required": true}]',
      env: '# comment\nREGION=eu-west-1\n\nMULTI="a\\nb"\nSPACED = x y ',
      max_retries: '2',
      retry_delay_s: '60',
    });
    const answer = await res.text();
    expect(res.status, answer).toBe(200);
    expect(answer).toContain('Saved at');
    // The Run button follows: the task has parameters now, so Run opens its form.
    expect(answer).toContain(
      '<div id="run-control-plain" class="run-control" hx-swap-oob="true"><a class="btn btn-run" href="/tasks/plain/run">',
    );
    const task = await (await h.app.request('/api/tasks/plain')).json();
    expect(task).toMatchObject({
      params: [{ name: 'day', type: 'string', required: true }],
      env: { REGION: 'eu-west-1', MULTI: 'a\nb', SPACED: ' x y ' },
      max_retries: 2,
      retry_delay_s: 60,
    });
    const html = await page('/tasks/plain/edit');
    // One line per variable (PostgreSQL's jsonb keeps them in its own order); a line break quoted.
    const lines = /<textarea id="f-env"[^>]*>([^<]*)<\/textarea>/.exec(html)![1].split('\n').sort();
    expect(lines).toEqual(['MULTI=&quot;a\\nb&quot;', 'REGION=eu-west-1', 'SPACED= x y ']);
    expect(html).toMatch(/id="f-max_retries"[^>]* value="2"/);
    expect(html).toContain('&quot;name&quot;: &quot;day&quot;');
  });

  it.each([
    [{ params: '[{"name": "day",' }, 'params', /^must be valid JSON/],
    [{ params: '[{"name": "day", "type": "date"}]' }, 'params', /^parameter 1, type: must be one of string/],
    [{ env: 'NOEQUALS' }, 'env', /^line 1 must be NAME=value$/],
    [{ env: 'A=1\nA=2' }, 'env', /^line 2: A is set twice$/],
    [{ env: 'TASKRUN_X=1' }, 'env', /^TASKRUN_X: must not start with TASKRUN_/],
    [{ max_retries: '11' }, 'max_retries', /^must be at most 10$/],
    [{ retry_delay_s: 'soon' }, 'retry_delay_s', /^must be a whole number of seconds$/],
  ])('refuses %j beside the field', async (fields, field, message) => {
    const res = await save(fields);
    expect(res.status).toBe(400);
    const html = await res.text();
    const error = new RegExp(`<p id="error-${field}" class="field-error" hx-swap-oob="true">([^<]*)</p>`).exec(html)?.[1];
    expect(error).toMatch(message);
  });

  it("reports text that does not parse together with the other fields' problems", async () => {
    const res = await save({ params: '[', env: 'A=1\nbroken', max_retries: '-1' });
    expect(res.status).toBe(400);
    const html = await res.text();
    for (const [field, message] of [
      ['params', 'must be valid JSON'],
      ['env', 'line 2 must be NAME=value'],
      ['max_retries', 'must be at least 0'],
    ]) {
      expect(html).toMatch(new RegExp(`<p id="error-${field}" class="field-error" hx-swap-oob="true">${message}`));
    }
  });

  it('adds, lists and deletes secrets, never showing a value', async () => {
    const added = await form('/tasks/plain/secrets', { name: 'API_TOKEN', value: 'tok-never-shown' });
    expect(added.status).toBe(200);
    const html = await added.text();
    expect(html).toContain('<section id="secrets"');
    expect(html).toContain('<th scope="row"><code>API_TOKEN</code></th>');
    expect(html).toContain('Secret API_TOKEN saved.');
    expect(html).not.toContain('tok-never-shown');
    expect(await page('/tasks/plain/edit')).not.toContain('tok-never-shown');

    const bad = await form('/tasks/plain/secrets', { name: 'bad name', value: '' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('HX-Retarget')).toBe('#secrets');
    const refused = await bad.text();
    expect(refused).toContain('<p id="error-secret-name" class="field-error">must be letters, digits or _, not starting with a digit</p>');
    expect(refused).toContain('<p id="error-secret-value" class="field-error">must not be empty</p>');
    expect(refused).toMatch(/id="s-name" name="name" value="bad name"/);

    const deleted = await form('/tasks/plain/secrets/API_TOKEN/delete', {});
    expect(await deleted.text()).toContain('No secrets.');
    expect(await (await h.app.request('/api/tasks/plain/secrets')).json()).toEqual([]);
  });
});
