import { listRunsPage } from '../../runs/service';
import type { Context } from 'hono';
import { Hono } from 'hono';
import { createTask, deleteTask, getTask, updateTask } from '../../services/tasks-service';
import { createTaskInput, taskIdParam, updateTaskInput } from '../../services/task-input';
import { parseInput } from '../../services/validate';
import { FORM_FIELDS, SaveResult, type FieldErrors, type FormValues } from '../../views/editor-fields';
import { EditorPage } from '../../views/editor-view';
import { RunControl } from '../../views/task-state';
import { Time } from '../../views/status-badge';
import { allow } from '../security/authenticate';
import { callerAtLeast, who } from '../security/context';
import type { WebDeps } from '../deps';
import {
  createPayload,
  fieldErrors,
  readSettingsForm,
  readTaskForm,
  settingsPayload,
  settingsValues,
  takenIdError,
  updatePayload,
} from './editor-form';
import { SETTINGS_FIELDS, type SettingsState } from '../../views/editor-settings';
import { listTaskSecrets } from '../../services/secrets-service';
import { isHtmx, redirectTo, sendFragment, sendPage, type PageEnv } from './render';

const EMPTY: FormValues = { id: '', language: 'py', description: '', timeout_s: '', content: '' };
const EDIT_FIELDS = ['description', 'timeout_s', 'content'];

/** The editor: new and edit pages, create, save and delete; the same service calls as /api/tasks. */
export function editorPages(deps: WebDeps): Hono<PageEnv> {
  const defaultTimeout = deps.cfg.taskTimeoutS;

  const editPage = async (
    c: Context,
    id: string,
    errors: FieldErrors = {},
    typed?: FormValues,
    status?: string,
    typedSettings?: SettingsState,
  ) => {
    // Viewers and operators see a task's page without its Secrets section: even the names are editors'.
    const editor = callerAtLeast(c, 'editor');
    const task = await getTask(deps, id, { secrets: editor });
    const values = typed ?? {
      ...EMPTY,
      description: task.description,
      content: task.content,
      timeout_s: task.timeout_s === defaultTimeout ? '' : String(task.timeout_s),
    };
    const settings = typedSettings ?? { values: settingsValues(task), errors: {} };
    const [recent, secrets] = await Promise.all([
      listRunsPage(deps, { task_id: id, limit: 20 }).then((p) => p.runs),
      editor ? listTaskSecrets(deps, id) : undefined,
    ]);
    const page = (
      <EditorPage
        task={task}
        values={values}
        errors={errors}
        defaultTimeout={defaultTimeout}
        status={status}
        recent={recent}
        settings={settings}
        secrets={secrets}
      />
    );
    return sendPage(c, page, Object.keys(errors).length > 0 || Object.keys(settings.errors).length > 0 ? 400 : 200);
  };

  // A refused save keeps what was typed: beside each field through htmx, or the whole page again.
  const invalid = (c: Context, errors: FieldErrors, values: FormValues, fields: readonly string[], id?: string) => {
    if (!isHtmx(c)) {
      if (id) return editPage(c, id, errors, values);
      return sendPage(c, <EditorPage values={values} errors={errors} defaultTimeout={defaultTimeout} />, 400);
    }
    c.header('HX-Retarget', '#form-status');
    return sendFragment(c, <SaveResult ok={false} fields={fields} errors={errors} message="Not saved: see the marked fields." />, 400);
  };

  return new Hono<PageEnv>()
    .get('/tasks/new', allow('editor'), (c) => sendPage(c, <EditorPage values={EMPTY} errors={{}} defaultTimeout={defaultTimeout} />))
    .post('/tasks', allow('editor'), async (c) => {
      c.set('errorTarget', '#form-status');
      const values = await readTaskForm(c);
      try {
        await createTask(deps, parseInput(createTaskInput, createPayload(values)), who(c));
      } catch (err) {
        const errors = fieldErrors(err) ?? takenIdError(err);
        if (errors) return invalid(c, errors, values, FORM_FIELDS);
        throw err;
      }
      return redirectTo(c, `/tasks/${values.id}/edit?created=1`);
    })
    .get('/tasks/:id/edit', allow('viewer'), (c) => {
      const created = c.req.query('created') !== undefined;
      return editPage(c, taskIdParam(c.req.param('id')), {}, undefined, created ? 'Created.' : undefined);
    })
    .post('/tasks/:id', allow('editor'), async (c) => {
      const id = taskIdParam(c.req.param('id'));
      c.set('errorTarget', '#form-status');
      const values = await readTaskForm(c);
      try {
        await updateTask(deps, id, parseInput(updateTaskInput, updatePayload(values)), who(c));
      } catch (err) {
        const errors = fieldErrors(err);
        if (errors) return invalid(c, errors, values, EDIT_FIELDS, id);
        throw err;
      }
      if (!isHtmx(c)) return redirectTo(c, `/tasks/${id}/edit`);
      const saved = (
        <>
          Saved at <Time iso={new Date().toISOString()} />
        </>
      );
      return sendFragment(c, <SaveResult ok fields={EDIT_FIELDS} errors={{}} message={saved} />);
    })
    .post('/tasks/:id/settings', allow('editor'), async (c) => {
      const id = taskIdParam(c.req.param('id'));
      c.set('errorTarget', '#settings-status');
      const values = await readSettingsForm(c);
      let hasParams: boolean;
      try {
        hasParams = (await updateTask(deps, id, settingsPayload(values), who(c))).params.length > 0;
      } catch (err) {
        const errors = fieldErrors(err);
        if (!errors) throw err;
        if (!isHtmx(c)) return editPage(c, id, {}, undefined, undefined, { values, errors });
        c.header('HX-Retarget', '#settings-status');
        return sendFragment(
          c,
          <SaveResult ok={false} fields={SETTINGS_FIELDS} errors={errors} message="Not saved: see the marked fields." />,
          400,
        );
      }
      if (!isHtmx(c)) return redirectTo(c, `/tasks/${id}/edit`);
      const saved = (
        <>
          Saved at <Time iso={new Date().toISOString()} />
        </>
      );
      return sendFragment(
        c,
        <>
          <SaveResult ok fields={SETTINGS_FIELDS} errors={{}} message={saved} />
          <RunControl id={id} hasParams={hasParams} oob />
        </>,
      );
    })
    .post('/tasks/:id/delete', allow('editor'), async (c) => {
      const id = taskIdParam(c.req.param('id'));
      c.set('errorTarget', '#delete-status');
      await deleteTask(deps, id, who(c));
      return redirectTo(c, `/?deleted=${id}`);
    });
}
