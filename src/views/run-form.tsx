import { browserPattern } from '../tasks/browser-pattern';
import type { ParamDef } from '../tasks/params';
import { CsrfField } from './csrf-field';
import type { FieldErrors } from './editor-fields';
import { Layout } from './layout';

/** A form value as shown: text as typed, or a checkbox's state. */
export type RunFormValues = Record<string, string | boolean>;

/**
 * The Run form of a task with parameters. `action` is where it posts: the task's run route, or a
 * run's rerun route (`rerunOf`) when it starts a run again with that run's values.
 */
export type RunFormProps = {
  taskId: string;
  defs: ParamDef[];
  values: RunFormValues;
  errors: FieldErrors;
  action: string;
  rerunOf?: number;
};

/** The form field name of a parameter. */
export const paramField = (name: string) => `param.${name}`;

/** The values a fresh form starts with: each parameter's default. */
export function defaultValues(defs: ParamDef[]): RunFormValues {
  return Object.fromEntries(
    defs.map((d) => [d.name, d.type === 'boolean' ? d.default === true : d.default === undefined ? '' : String(d.default)]),
  );
}

// The limits a parameter states, for its hint.
function limits(def: ParamDef): string | undefined {
  const { min, max } = def;
  const unit = def.type === 'integer' || def.type === 'number' ? '' : ' characters';
  if (min !== undefined && max !== undefined) return `${min} to ${max}${unit}`;
  if (min !== undefined) return `at least ${min}${unit}`;
  if (max !== undefined) return `at most ${max}${unit}`;
  return undefined;
}

function hintOf(def: ParamDef): string | undefined {
  const parts = [def.description, limits(def), def.pattern !== undefined ? `must match ${def.pattern}` : undefined];
  if (def.type === 'secret') parts.push('Not kept after the run, and masked in its log.');
  const text = parts.filter((p) => p !== undefined && p !== '').join(' · ');
  return text === '' ? undefined : text;
}

function ParamInput({
  def,
  value,
  describedBy,
  invalid,
}: {
  def: ParamDef;
  value: string | boolean | undefined;
  describedBy: string;
  invalid: boolean;
}) {
  const common = {
    id: `rp-${def.name}`,
    name: paramField(def.name),
    required: def.required === true,
    'aria-describedby': describedBy,
    'aria-invalid': invalid ? 'true' : undefined,
  };
  const text = typeof value === 'string' ? value : '';
  // Lengths are whole numbers; a number's bounds are its min and max.
  const minLength = def.min !== undefined && def.min >= 0 ? Math.ceil(def.min) : undefined;
  const maxLength = def.max !== undefined && def.max >= 0 ? Math.floor(def.max) : undefined;
  switch (def.type) {
    case 'boolean':
      return <input {...common} type="checkbox" value="true" checked={value === true} required={false} />;
    case 'integer':
    case 'number':
      return (
        <input
          {...common}
          type="number"
          step={def.type === 'integer' ? '1' : 'any'}
          inputmode={def.type === 'integer' ? 'numeric' : 'decimal'}
          min={def.min}
          max={def.max}
          value={text}
        />
      );
    case 'choice':
      return (
        <select {...common}>
          {def.default === undefined && (
            <option value="" selected={text === ''}>
              {def.required ? 'Choose…' : '(none)'}
            </option>
          )}
          {(def.choices ?? []).map((c) => (
            <option value={c} selected={text === c}>
              {c}
            </option>
          ))}
        </select>
      );
    case 'text':
      return (
        <textarea {...common} rows={4} minlength={minLength} maxlength={maxLength} spellcheck={false}>
          {text}
        </textarea>
      );
    case 'secret':
      // Never filled in: a secret value is not kept, so it is never sent back either.
      return <input {...common} type="password" autocomplete="off" minlength={minLength} maxlength={maxLength} value="" />;
    default:
      return (
        <input
          {...common}
          type="text"
          autocomplete="off"
          spellcheck={false}
          minlength={minLength}
          maxlength={maxLength}
          pattern={def.pattern === undefined ? undefined : browserPattern(def.pattern)}
          value={text}
        />
      );
  }
}

function ParamField({ def, value, error }: { def: ParamDef; value: string | boolean | undefined; error?: string }) {
  const hint = hintOf(def);
  const errorId = `error-param-${def.name}`;
  const describedBy = hint ? `hint-param-${def.name} ${errorId}` : errorId;
  const label = (
    <label for={`rp-${def.name}`}>
      {def.label ?? def.name}
      {def.required && def.type !== 'boolean' && (
        <span class="required" title="required">
          {' '}
          *<span class="sr-only"> (required)</span>
        </span>
      )}
      {def.label !== undefined && <code class="param-name">{def.name}</code>}
    </label>
  );
  return (
    <div class={`field${def.type === 'boolean' ? ' field-check' : ''}${error ? ' field-invalid' : ''}`} data-param={def.name}>
      {def.type === 'boolean' ? (
        <div class="check-row">
          <ParamInput def={def} value={value} describedBy={describedBy} invalid={!!error} />
          {label}
        </div>
      ) : (
        <>
          {label}
          <ParamInput def={def} value={value} describedBy={describedBy} invalid={!!error} />
        </>
      )}
      {hint && (
        <p id={`hint-param-${def.name}`} class="hint">
          {hint}
        </p>
      )}
      <p id={errorId} class="field-error">
        {error ?? ''}
      </p>
    </div>
  );
}

/**
 * The form, swapped whole (outerHTML) when the server refuses the values: each message beside its
 * field. Problems not about a declared field (a parameter the task no longer has) are listed below.
 */
export function RunForm({ taskId, defs, values, errors, action, rerunOf }: RunFormProps) {
  const declared = new Set(defs.map((d) => d.name));
  const other = Object.entries(errors).filter(([k]) => !declared.has(k));
  return (
    <form
      id="run-form"
      class="run-form task-form"
      method="post"
      action={action}
      novalidate
      hx-post={action}
      hx-target="this"
      hx-swap="outerHTML"
      hx-disabled-elt="find button[type=submit]"
    >
      <CsrfField />
      <input type="hidden" name="_form" value="1" />
      {defs.length === 0 && <p class="muted">{taskId} has no parameters.</p>}
      {defs.map((d) => (
        <ParamField def={d} value={values[d.name]} error={errors[d.name]} />
      ))}
      {other.length > 0 && (
        <ul class="alert alert-error run-form-errors">
          {other.map(([k, v]) => (
            <li>
              <code>{k}</code> {v}
            </li>
          ))}
        </ul>
      )}
      <div class="form-actions">
        <button type="submit" class="btn btn-primary">
          {rerunOf !== undefined ? 'Run again' : 'Run'}
        </button>
        <a href={rerunOf !== undefined ? `/runs/${rerunOf}` : `/tasks/${taskId}/edit`}>Cancel</a>
        <span id="run-form-status" class="form-status" role="status" aria-live="polite">
          {Object.keys(errors).length > 0 && <span class="save-failed">Not started: see the marked fields.</span>}
        </span>
      </div>
    </form>
  );
}

/** The page of the Run form. */
export function RunFormPage(props: RunFormProps) {
  const { taskId, rerunOf } = props;
  return (
    <Layout title={`Run ${taskId}`} section="tasks">
      <div class="page-head">
        <h1>
          Run{' '}
          <a class="task-id" href={`/tasks/${taskId}/edit`}>
            {taskId}
          </a>
        </h1>
        {rerunOf !== undefined && (
          <p class="muted">
            Again, with the values of <a href={`/runs/${rerunOf}`}>run #{rerunOf}</a>
          </p>
        )}
      </div>
      <RunForm {...props} />
    </Layout>
  );
}
