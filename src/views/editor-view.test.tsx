import { describe, expect, it } from 'vitest';
import { cspViolations, render, taskFixture } from '../../test/views/fixtures';
import { SaveResult, type FormValues } from './editor-fields';
import { EditorPage } from './editor-view';

const values: FormValues = { id: 'greet', language: 'sh', description: '', timeout_s: '', content: 'echo hi\n' };

describe('editor views', () => {
  it('renders the create form: id, language, description, timeout and the code editor, posting multipart through htmx', async () => {
    const html = await render(<EditorPage values={values} errors={{}} defaultTimeout={3600} />);
    expect(html).toContain('<title>New task · taskrun</title>');
    expect(html).toContain('<script src="/assets/editor.js" defer=""></script>');
    expect(html).toMatch(/<form id="task-form"[^>]* action="\/tasks" enctype="multipart\/form-data"/);
    expect(html).toContain('hx-post="/tasks"');
    expect(html).toContain('hx-target="#form-status"');
    expect(html).toContain('<option value="sh" selected="">Shell</option>');
    expect(html).toContain('data-language="sh"');
    expect(html).toContain('Empty: the default, 3600 s.');
    expect(html).not.toContain('Delete task');
    expect(cspViolations(html)).toEqual([]);
  });

  it('shows each error beside its field and marks the field invalid, keeping what was typed', async () => {
    const typed = { ...values, id: 'bad id', timeout_s: 'x' };
    const html = await render(
      <EditorPage values={typed} errors={{ id: 'must be letters', timeout_s: 'must be a whole number' }} defaultTimeout={3600} />,
    );
    expect(html).toContain('<p id="error-id" class="field-error">must be letters</p>');
    expect(html).toContain('<p id="error-timeout_s" class="field-error">must be a whole number</p>');
    expect(html).toContain('<p id="error-content" class="field-error"></p>');
    expect(html).toMatch(/<input id="f-id" name="id" value="bad id"[^>]*aria-describedby="hint-id error-id" aria-invalid="true"/);
    expect(html).toContain('class="field field-invalid"');
  });

  it('escapes a script or description that tries to close its textarea', async () => {
    const task = taskFixture({ id: 'x', description: '</textarea><script>alert(1)</script>' });
    const content = 'echo "</textarea><img src=x onerror=alert(1)>"\n';
    const html = await render(
      <EditorPage task={task} values={{ ...values, description: task.description, content }} errors={{}} defaultTimeout={3600} />,
    );
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;/textarea&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(cspViolations(html)).toEqual([]);
  });

  it('renders the edit form with the task fixed, its live state, Run and a confirmed delete', async () => {
    const html = await render(
      <EditorPage task={taskFixture({ id: 'greet' })} values={values} errors={{}} defaultTimeout={3600} status="Created." />,
    );
    expect(html).toContain('<title>Edit greet · taskrun</title>');
    expect(html).toContain('hx-post="/tasks/greet"');
    expect(html).not.toContain('name="id"');
    expect(html).toContain('<code>greet.py</code>');
    expect(html).toContain('data-language="py"');
    expect(html).toContain('id="task-state-greet"');
    expect(html).toContain('hx-post="/tasks/greet/run"');
    expect(html).toContain('hx-confirm="Delete task greet? Its script file is removed; its runs stay in the history."');
    expect(html).toContain('Created.');
  });

  it('answers a save with a status and every error slot out of band, so the editor itself is not replaced', async () => {
    const html = await render(
      <SaveResult ok={false} fields={['description', 'content']} errors={{ content: 'must be at most 1 MB' }} message="Not saved" />,
    );
    expect(html).toContain('<span class="save-failed">Not saved</span>');
    expect(html).toContain('<p id="error-description" class="field-error" hx-swap-oob="true"></p>');
    expect(html).toContain('<p id="error-content" class="field-error" hx-swap-oob="true">must be at most 1 MB</p>');
    expect(html).not.toContain('textarea');
  });
});
