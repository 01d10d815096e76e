import type { Child } from 'hono/jsx';
import type { ScheduleJson } from '../services/schedules-service';
import type { ParamDef } from '../tasks/params';
import { ScheduleTable, zoned } from './schedules-view';
import { Time } from './status-badge';

/** The add-a-schedule form as typed (strings), so a refused save shows it again. */
export type ScheduleFormValues = {
  cron: string;
  timezone: string;
  missed_policy: string;
  enabled: boolean;
  params: Record<string, string>;
};
export const EMPTY_SCHEDULE_FORM: ScheduleFormValues = { cron: '', timezone: 'UTC', missed_policy: 'skip', enabled: true, params: {} };

const sectionId = (taskId: string) => `schedules-${taskId}`;

/** The task page's placeholder for its schedules, which htmx replaces with TaskSchedules once the page has loaded. */
export function ScheduleSlot({ taskId }: { taskId: string }) {
  return (
    <section
      id={sectionId(taskId)}
      class="schedules-section"
      aria-labelledby="schedules-heading"
      hx-get={`/tasks/${taskId}/schedules`}
      hx-trigger="load"
      hx-swap="outerHTML"
    >
      <h2 id="schedules-heading">Schedules</h2>
      <p class="muted">Loading schedules…</p>
    </section>
  );
}

function SField({ name, label, hint, error, children }: { name: string; label: string; hint?: string; error?: string; children: Child }) {
  return (
    <div class={`field${error ? ' field-invalid' : ''}`}>
      <label for={`sc-${name}`}>{label}</label>
      {children}
      {hint && (
        <p id={`sc-hint-${name}`} class="hint">
          {hint}
        </p>
      )}
      <p id={`sc-error-${name}`} class="field-error">
        {error ?? ''}
      </p>
    </div>
  );
}

const aria = (name: string, error: string | undefined, hint = false) => ({
  'aria-describedby': hint ? `sc-hint-${name} sc-error-${name}` : `sc-error-${name}`,
  'aria-invalid': error ? 'true' : undefined,
});

// An input for one declared parameter; empty means the parameter's default.
function ParamInput({ def, value, error }: { def: ParamDef; value: string; error?: string }) {
  const name = `param-${def.name}`;
  const attrs = { id: `sc-${name}`, name: `param.${def.name}`, ...aria(name, error) };
  const label = `${def.label ?? def.name}${def.required ? ' (required)' : ''}`;
  const hint = def.default !== undefined ? `Empty: ${String(def.default)}` : undefined;
  let input: Child;
  if (def.type === 'choice' || def.type === 'boolean') {
    const options = def.type === 'choice' ? def.choices! : ['true', 'false'];
    input = (
      <select {...attrs}>
        <option value="">{hint ? `default (${String(def.default)})` : '(none)'}</option>
        {options.map((o) => (
          <option value={o} selected={value === o}>
            {o}
          </option>
        ))}
      </select>
    );
  } else if (def.type === 'text') {
    input = (
      <textarea {...attrs} rows={3}>
        {value}
      </textarea>
    );
  } else {
    const numeric = def.type === 'integer' || def.type === 'number';
    input = (
      <input
        {...attrs}
        value={value}
        type={numeric ? 'number' : 'text'}
        step={def.type === 'number' ? 'any' : undefined}
        placeholder={hint}
        autocomplete="off"
      />
    );
  }
  return (
    <SField name={name} label={label} error={error}>
      {input}
    </SField>
  );
}

type FormProps = { taskId: string; defs: ParamDef[]; zones: readonly string[]; values: ScheduleFormValues; errors: Record<string, string> };

function ScheduleForm({ taskId, defs, zones, values, errors }: FormProps) {
  const action = `/tasks/${taskId}/schedules`;
  const open = defs.filter((d) => d.type !== 'secret');
  const secrets = defs.filter((d) => d.type === 'secret');
  const cronHint =
    'minute hour day month weekday, or 6 fields with seconds first: "0 3 * * *" is 03:00 every day, "*/10 * * * * *" every 10 seconds.';
  return (
    <form
      class="schedule-form"
      method="post"
      action={action}
      hx-post={action}
      hx-target={`#${sectionId(taskId)}`}
      hx-swap="outerHTML"
      hx-disabled-elt="find button[type=submit]"
      hx-disinherit="*"
      novalidate
    >
      <h3>Add a schedule</h3>
      <div class="field-row">
        <SField name="cron" label="Cron expression" hint={cronHint} error={errors.cron}>
          <input
            id="sc-cron"
            name="cron"
            value={values.cron}
            required
            maxlength={200}
            autocomplete="off"
            spellcheck={false}
            placeholder="0 3 * * *"
            class="mono"
            hx-get="/schedules/preview"
            hx-trigger="input changed delay:300ms, load"
            hx-include="#sc-timezone"
            hx-target="#sc-preview"
            {...aria('cron', errors.cron, true)}
          />
        </SField>
        <SField name="timezone" label="Time zone" hint="An IANA name; fire times follow its daylight saving." error={errors.timezone}>
          <input
            id="sc-timezone"
            name="timezone"
            value={values.timezone}
            list="sc-zones"
            maxlength={64}
            autocomplete="off"
            spellcheck={false}
            hx-get="/schedules/preview"
            hx-trigger="input changed delay:300ms, change"
            hx-include="#sc-cron"
            hx-target="#sc-preview"
            {...aria('timezone', errors.timezone, true)}
          />
          <datalist id="sc-zones">
            {zones.map((z) => (
              <option value={z} />
            ))}
          </datalist>
        </SField>
      </div>
      <div id="sc-preview" class="schedule-preview" role="status" aria-live="polite"></div>
      <div class="field-row">
        <SField name="missed_policy" label="Fire times missed while taskrun was down" error={errors.missed_policy}>
          <select id="sc-missed_policy" name="missed_policy" {...aria('missed_policy', errors.missed_policy)}>
            <option value="skip" selected={values.missed_policy !== 'catch_up'}>
              skip them (recorded as missed)
            </option>
            <option value="catch_up" selected={values.missed_policy === 'catch_up'}>
              run once to catch up
            </option>
          </select>
        </SField>
        <div class="field field-check">
          <label>
            <input id="sc-enabled" type="checkbox" name="enabled" value="true" checked={values.enabled} /> Enabled
          </label>
        </div>
      </div>
      {open.length > 0 && (
        <fieldset class="schedule-params-fields">
          <legend>Parameters of its runs</legend>
          {open.map((d) => (
            <ParamInput def={d} value={values.params[d.name] ?? ''} error={errors[`params.${d.name}`]} />
          ))}
        </fieldset>
      )}
      {secrets.length > 0 && (
        <p class="hint">Secret parameters ({secrets.map((d) => d.name).join(', ')}) cannot be given a value in a schedule.</p>
      )}
      <p id="sc-error-form" class="field-error">
        {errors.params ?? errors.body ?? ''}
      </p>
      <div class="form-actions">
        <button type="submit" class="btn btn-primary">
          Add schedule
        </button>
      </div>
    </form>
  );
}

/** A task's schedules with, for editors, the form to add one (and its errors after a refused save). */
export function TaskSchedules(p: { taskId: string; schedules: ScheduleJson[]; canEdit: boolean } & Omit<FormProps, 'taskId'>) {
  return (
    <section id={sectionId(p.taskId)} class="schedules-section" aria-labelledby="schedules-heading">
      <h2 id="schedules-heading">Schedules</h2>
      <p class="muted">
        Runs this task at cron times; each fire time runs once, however many runners are up. <a href="/schedules">All schedules</a>
      </p>
      <ScheduleTable schedules={p.schedules} place="task" canEdit={p.canEdit} />
      {p.canEdit && <ScheduleForm taskId={p.taskId} defs={p.defs} zones={p.zones} values={p.values} errors={p.errors} />}
    </section>
  );
}

/** The next fire times of what is typed so far, in its zone and in the reader's; or what is wrong with it. */
export function SchedulePreview(p: { nextFires: string[]; timezone: string } | { error: string } | { empty: true }) {
  if ('empty' in p) return <p class="muted">Type a cron expression to see its next five fire times.</p>;
  if ('error' in p) return <p class="field-error">{p.error}</p>;
  if (p.nextFires.length === 0) return <p class="muted">This expression never fires.</p>;
  return (
    <>
      <p class="hint">Next fire times:</p>
      <ol class="next-fires">
        {p.nextFires.map((iso) => (
          <li>
            <span class="mono">{zoned(iso, p.timezone)}</span> <span class="muted">{p.timezone}</span> · <Time iso={iso} />
          </li>
        ))}
      </ol>
    </>
  );
}
