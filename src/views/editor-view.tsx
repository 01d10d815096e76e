import { RunTrends } from './resource-charts';
import type { RunJson } from '../runs/json';
import { CREATABLE_LANGUAGES } from '../tasks/languages';
import type { TaskJson } from '../services/tasks-service';
import { describedBy, Field, type FieldErrors, type FormValues } from './editor-fields';
import { Layout } from './layout';
import { SettingsForm, type SettingsState } from './editor-settings';
import { SecretsSection } from './secrets-view';
import type { SecretJson } from '../services/secrets-service';
import { NotificationsSlot } from './notifications-view';
import { WebhooksSlot } from './webhooks-view';
import { ScheduleSlot } from './schedule-form';
import { RunControl, TaskState } from './task-state';

const LANGUAGE_NAMES: Record<string, string> = { py: 'Python', sh: 'Shell', js: 'JavaScript', exec: 'Executable (#! line)' };

/** What the editor page needs: an existing task (edit) or none (create), the form's values and errors. */
export type EditorProps = {
  task?: TaskJson;
  values: FormValues;
  errors: FieldErrors;
  defaultTimeout: number;
  status?: string;
  recent?: RunJson[];
  // Parameters, environment and retries (a form of their own), and the names of the task's secrets.
  settings?: SettingsState;
  secrets?: SecretJson[];
};

function IdentityFields({ task, values, errors }: EditorProps) {
  if (task) {
    return (
      <p class="task-identity">
        <span class="lang">{LANGUAGE_NAMES[task.language] ?? task.language}</span> <code>{task.file}</code>
      </p>
    );
  }
  return (
    <div class="field-row">
      <Field name="id" label="Id" hint="1 to 64 letters, digits, _ or -; it names the script file." error={errors.id}>
        <input
          id="f-id"
          name="id"
          value={values.id}
          required
          maxlength={64}
          autocomplete="off"
          spellcheck={false}
          aria-describedby={describedBy('id', true)}
          aria-invalid={errors.id ? 'true' : undefined}
        />
      </Field>
      <Field name="language" label="Language" error={errors.language}>
        <select id="f-language" name="language" aria-describedby={describedBy('language', false)}>
          {CREATABLE_LANGUAGES.map((l) => (
            <option value={l} selected={values.language === l}>
              {LANGUAGE_NAMES[l]}
            </option>
          ))}
        </select>
      </Field>
    </div>
  );
}

function TaskForm(props: EditorProps) {
  const { task, values, errors, defaultTimeout, status } = props;
  const action = task ? `/tasks/${task.id}` : '/tasks';
  return (
    <form
      id="task-form"
      class="task-form"
      method="post"
      action={action}
      enctype="multipart/form-data"
      novalidate
      hx-post={action}
      hx-target="#form-status"
      hx-swap="innerHTML"
      hx-disabled-elt="find button[type=submit]"
    >
      <IdentityFields {...props} />
      <Field name="description" label="Description" error={errors.description}>
        <textarea
          id="f-description"
          name="description"
          rows={2}
          maxlength={2000}
          aria-describedby={describedBy('description', false)}
          aria-invalid={errors.description ? 'true' : undefined}
        >
          {values.description}
        </textarea>
      </Field>
      <Field name="timeout_s" label="Timeout (seconds)" hint={`Empty: the default, ${defaultTimeout} s.`} error={errors.timeout_s}>
        <input
          id="f-timeout_s"
          name="timeout_s"
          type="number"
          min={1}
          step={1}
          inputmode="numeric"
          value={values.timeout_s}
          aria-describedby={describedBy('timeout_s', true)}
          aria-invalid={errors.timeout_s ? 'true' : undefined}
        />
      </Field>
      <Field
        name="content"
        label="Script"
        hint="Tab indents; press Escape, then Tab, to leave the editor. Ctrl+S saves."
        error={errors.content}
      >
        <textarea
          id="f-content"
          name="content"
          class="code"
          rows={20}
          spellcheck={false}
          autocapitalize="off"
          data-language={task?.language ?? values.language}
          aria-describedby={describedBy('content', true)}
          aria-invalid={errors.content ? 'true' : undefined}
        >
          {values.content}
        </textarea>
      </Field>
      <div class="form-actions">
        <button type="submit" class="btn btn-primary">
          {task ? 'Save' : 'Create task'}
        </button>
        <span id="form-status" class="form-status" role="status" aria-live="polite">
          {status}
        </span>
      </div>
    </form>
  );
}

function DeleteTask({ id }: { id: string }) {
  return (
    <section class="danger-zone" aria-labelledby="delete-heading">
      <h2 id="delete-heading">Delete</h2>
      <p class="muted">Removes the script file and its settings. Its runs stay in the history.</p>
      <form
        method="post"
        action={`/tasks/${id}/delete`}
        hx-post={`/tasks/${id}/delete`}
        hx-target="#delete-status"
        hx-confirm={`Delete task ${id}? Its script file is removed; its runs stay in the history.`}
      >
        <button type="submit" class="btn btn-danger">
          Delete task
        </button>
        <span id="delete-status" role="status"></span>
      </form>
    </section>
  );
}

/** The task editor: create a task, or edit one's script and settings, run it, delete it. */
export function EditorPage(props: EditorProps) {
  const { task } = props;
  return (
    <Layout title={task ? `Edit ${task.id}` : 'New task'} section="tasks" editor>
      <div class="page-head">
        <h1>
          {task ? (
            <>
              Task <span class="task-id">{task.id}</span>
            </>
          ) : (
            'New task'
          )}
        </h1>
        {task && (
          <div class="head-actions" data-task-events="/events/tasks">
            <TaskState task={task} />
            <RunControl id={task.id} hasParams={task.params.length > 0} />
            <a href={`/runs?task_id=${task.id}`}>All runs</a>
          </div>
        )}
      </div>
      {props.recent && props.recent.length > 0 && <RunTrends runs={props.recent} />}
      <TaskForm {...props} />
      {task && props.settings && <SettingsForm taskId={task.id} {...props.settings} />}
      {task && props.secrets && <SecretsSection taskId={task.id} secrets={props.secrets} />}
      {task && <WebhooksSlot taskId={task.id} />}
      {task && <NotificationsSlot taskId={task.id} />}
      {task && <ScheduleSlot taskId={task.id} />}
      {task && <DeleteTask id={task.id} />}
    </Layout>
  );
}
