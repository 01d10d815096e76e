import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness';
import { formPost, HX, page } from './page-request';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

const file = (name: string) => fs.readFileSync(path.join(h.dirs.tasksDir, name), 'utf8');

describe('editor pages', () => {
  it('creates a task from the form, saving the script with \\n line ends, and sends the browser to its editor', async () => {
    const res = await page(
      h,
      '/tasks',
      formPost({ id: 'greet', language: 'sh', description: 'hi', timeout_s: '30', content: 'echo a\r\necho b\r\n' }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('HX-Redirect')).toBe('/tasks/greet/edit?created=1');
    expect(file('greet.sh')).toBe('echo a\necho b\n');
    const json = await (await h.app.request('/api/tasks/greet')).json();
    expect(json).toMatchObject({ description: 'hi', timeout_s: 30, content: 'echo a\necho b\n' });

    const edit = await page(h, '/tasks/greet/edit?created=1');
    expect(edit.html).toContain('Created.');
    expect(edit.html).toContain('value="30"');
  });

  it('shows validation errors beside the fields through htmx, with the status line, not touching the editor', async () => {
    const res = await page(h, '/tasks', formPost({ id: '-no', language: 'rb', description: '', timeout_s: '1.5', content: 'x' }));
    expect(res.status).toBe(400);
    expect(res.headers.get('HX-Retarget')).toBe('#form-status');
    expect(res.html).toContain('Not saved');
    expect(res.html).toMatch(/<p id="error-id" class="field-error" hx-swap-oob="true">must be 1 to 64 letters/);
    expect(res.html).toMatch(/<p id="error-language" class="field-error" hx-swap-oob="true">must be one of py, sh, js<\/p>/);
    expect(res.html).toMatch(/<p id="error-timeout_s" class="field-error" hx-swap-oob="true">must be a whole number/);
    expect(res.html).toContain('<p id="error-content" class="field-error" hx-swap-oob="true"></p>');
    expect(fs.existsSync(path.join(h.dirs.tasksDir, '-no.rb'))).toBe(false);
  });

  it('shows a taken id beside the id field', async () => {
    const res = await page(h, '/tasks', formPost({ id: 'greet', language: 'py', description: '', timeout_s: '', content: 'print(1)' }));
    expect(res.status).toBe(400);
    expect(res.html).toContain('<p id="error-id" class="field-error" hx-swap-oob="true">a task with this id already exists</p>');
    expect(file('greet.sh')).toBe('echo a\necho b\n');
  });

  it('re-renders the whole form with the typed values when the browser posted without htmx', async () => {
    const res = await page(
      h,
      '/tasks',
      formPost({ id: 'ok', language: 'py', description: '<typed>', timeout_s: '0', content: 'print(2)' }, true),
    );
    expect(res.status).toBe(400);
    expect(res.html).toContain('<title>New task · taskrun</title>');
    expect(res.html).toContain('&lt;typed&gt;</textarea>');
    expect(res.html).toContain('<p id="error-timeout_s" class="field-error">must be at least 1</p>');
  });

  it('saves script, description and timeout (empty: back to the default) and answers a status line', async () => {
    const res = await page(h, '/tasks/greet', formPost({ description: 'new', timeout_s: '', content: 'echo c\r\n' }));
    expect(res.status).toBe(200);
    expect(res.html).toMatch(/^<span class="save-ok">Saved at <time datetime="[^"]+" data-local="">/);
    expect(res.html).toContain('<p id="error-content" class="field-error" hx-swap-oob="true"></p>');
    expect(file('greet.sh')).toBe('echo c\n');
    expect(await (await h.app.request('/api/tasks/greet')).json()).toMatchObject({ description: 'new', timeout_s: h.cfg.taskTimeoutS });

    const plain = await h.app.request('/tasks/greet', formPost({ description: 'plain', timeout_s: '5', content: 'echo d\n' }, true));
    expect(plain.status).toBe(303);
    expect(plain.headers.get('location')).toBe('/tasks/greet/edit');
  });

  it('refuses to delete a task with an active run, next to the delete button; then deletes it', async () => {
    await h.app.request('/api/tasks/greet/execute', { method: 'POST' });
    const busy = await page(h, '/tasks/greet/delete', { method: 'POST', headers: HX('delete-status') });
    expect(busy.status).toBe(409);
    expect(busy.headers.get('HX-Retarget')).toBe('#delete-status');
    expect(busy.html).toContain('task has an active run');

    await h.tdb.db.$client`update runs set status = 'canceled', finished_at = now() where task_id = 'greet'`;
    const res = await page(h, '/tasks/greet/delete', { method: 'POST', headers: HX('delete-status') });
    expect(res.headers.get('HX-Redirect')).toBe('/?deleted=greet');
    expect(fs.existsSync(path.join(h.dirs.tasksDir, 'greet.sh'))).toBe(false);
    expect((await page(h, '/?deleted=greet')).html).toContain('Task greet was deleted.');
    expect((await page(h, '/?deleted=%3Cb%3E')).html).not.toContain('was deleted');
  });

  it('answers 404 pages for a task that does not exist', async () => {
    const res = await page(h, '/tasks/nope/edit');
    expect(res.status).toBe(404);
    expect(res.html).toContain('task not found: nope');
  });
});
