import { CsrfField } from './csrf-field';
import { describedBy, Field, FieldError, type FieldErrors } from './editor-fields';

const PARAMS_EXAMPLE = `[
  {"name": "target", "type": "choice", "choices": ["staging", "production"], "default": "staging", "required": true},
  {"name": "rows", "type": "integer", "label": "Rows to load", "min": 1, "max": 10000, "default": 100},
  {"name": "dry_run", "type": "boolean", "default": true},
  {"name": "note", "type": "text", "max": 2000},
  {"name": "tag", "type": "string", "pattern": "[a-z0-9-]+"},
  {"name": "api_token", "type": "secret", "required": true}
]`;

/** The fields of the settings form, in the order their errors are reported. */
export const SETTINGS_FIELDS = [
  'params',
  'env',
  'max_retries',
  'retry_delay_s',
  'isolation',
  'network',
  'max_processes',
  'max_memory_bytes',
  'max_file_bytes',
  'max_open_files',
  'max_cpu_seconds',
] as const;
/** The limits as the form shows them: sizes in MB (the API's are bytes), empty for the runner's default. */
export const LIMIT_FIELDS = [
  { name: 'max_processes', label: 'Processes', hint: 'processes and threads at once', mb: false, min: 1 },
  { name: 'max_memory_bytes', label: 'Memory (MB)', hint: 'the whole run', mb: true, min: 16 },
  { name: 'max_file_bytes', label: 'Largest file (MB)', hint: 'any file it writes', mb: true, min: 1 },
  { name: 'max_open_files', label: 'Open files', hint: 'per process', mb: false, min: 16 },
  { name: 'max_cpu_seconds', label: 'CPU time (s)', hint: 'per process', mb: false, min: 1 },
] as const;
export type SettingsValues = Record<(typeof SETTINGS_FIELDS)[number], string>;
/** What the settings form shows: its values as typed, and a message per refused field. */
export type SettingsState = { values: SettingsValues; errors: FieldErrors };

/**
 * A task's parameters (a JSON list of definitions), plain environment variables (NAME=value lines),
 * retries, isolation and limits: a form of its own beside the script's, saved with its own button.
 */
export function SettingsForm({ taskId, values, errors }: SettingsState & { taskId: string }) {
  const action = `/tasks/${taskId}/settings`;
  return (
    <form
      id="settings-form"
      class="params-env"
      method="post"
      action={action}
      novalidate
      hx-post={action}
      hx-target="#settings-status"
      hx-swap="innerHTML"
      hx-disabled-elt="find button[type=submit]"
    >
      <CsrfField />
      <h2>Parameters, environment, retries and isolation</h2>
      <Field
        name="params"
        label="Parameters (JSON)"
        error={errors.params}
        hint="A list of parameters; types: string, integer, number, boolean, choice, text, secret. Each may have label, description, required, default, choices, pattern (RE2 syntax: no lookarounds or backreferences), min and max (a number's value, a text's length). Empty: none. Run then opens a form built from them."
      >
        <textarea
          id="f-params"
          name="params"
          class="code-plain"
          rows={6}
          spellcheck={false}
          autocapitalize="off"
          placeholder='[{"name": "target", "type": "string", "required": true}]'
          aria-describedby={describedBy('params', true)}
          aria-invalid={errors.params ? 'true' : undefined}
        >
          {values.params}
        </textarea>
      </Field>
      <details class="example">
        <summary>Example</summary>
        <pre>
          <code>{PARAMS_EXAMPLE}</code>
        </pre>
        <p class="hint">
          A script gets each value as <code>--name value</code> arguments and as <code>TASKRUN_PARAM_NAME</code> in its environment; a
          secret only in its environment.
        </p>
      </details>
      <Field
        name="env"
        label="Environment variables"
        error={errors.env}
        hint='One NAME=value per line; # starts a comment. A value in double quotes is read as a JSON string ("line one\nline two"). Secrets go in the Secrets section below.'
      >
        <textarea
          id="f-env"
          name="env"
          class="code-plain"
          rows={4}
          spellcheck={false}
          autocapitalize="off"
          placeholder="REGION=eu-west-1"
          aria-describedby={describedBy('env', true)}
          aria-invalid={errors.env ? 'true' : undefined}
        >
          {values.env}
        </textarea>
      </Field>
      <div class="field-row">
        <Field name="max_retries" label="Retries" hint="After failed, timeout or lost: 0 to 10." error={errors.max_retries}>
          <input
            id="f-max_retries"
            name="max_retries"
            type="number"
            min={0}
            max={10}
            step={1}
            inputmode="numeric"
            value={values.max_retries}
            aria-describedby={describedBy('max_retries', true)}
            aria-invalid={errors.max_retries ? 'true' : undefined}
          />
        </Field>
        <Field name="retry_delay_s" label="Retry delay (seconds)" hint="0 to 86400." error={errors.retry_delay_s}>
          <input
            id="f-retry_delay_s"
            name="retry_delay_s"
            type="number"
            min={0}
            max={86400}
            step={1}
            inputmode="numeric"
            value={values.retry_delay_s}
            aria-describedby={describedBy('retry_delay_s', true)}
            aria-invalid={errors.retry_delay_s ? 'true' : undefined}
          />
        </Field>
      </div>
      <fieldset class="isolation">
        <legend>Isolation and limits</legend>
        <Field
          name="isolation"
          label="Isolation"
          error={errors.isolation}
          hint="Standard: the run has an unprivileged user, a scratch folder of its own (HOME, TMPDIR) and the limits below. Strict adds namespaces: a read-only system, a private /tmp, no view of other processes, only its own script, and the network can be cut."
        >
          <select
            id="f-isolation"
            name="isolation"
            aria-describedby={describedBy('isolation', true)}
            aria-invalid={errors.isolation ? 'true' : undefined}
          >
            <option value="standard" selected={values.isolation !== 'strict'}>
              standard
            </option>
            <option value="strict" selected={values.isolation === 'strict'}>
              strict
            </option>
          </select>
        </Field>
        <div class={`field field-check${errors.network ? ' field-invalid' : ''}`}>
          <input type="hidden" name="network" value="false" />
          <label for="f-network">
            <input
              id="f-network"
              name="network"
              type="checkbox"
              value="true"
              checked={values.network !== 'false'}
              aria-describedby={describedBy('network', true)}
            />{' '}
            Network
          </label>
          <p id="hint-network" class="hint">
            Unchecked: the run has no network at all (strict only).
          </p>
          <FieldError name="network" message={errors.network} />
        </div>
        <div class="field-row limits">
          {LIMIT_FIELDS.map((f) => (
            <Field name={f.name} label={f.label} hint={`${f.hint}; empty: the runner's default`} error={errors[f.name]}>
              <input
                id={`f-${f.name}`}
                name={f.name}
                type="number"
                min={f.min}
                step={1}
                inputmode="numeric"
                value={values[f.name]}
                placeholder="default"
                aria-describedby={describedBy(f.name, true)}
                aria-invalid={errors[f.name] ? 'true' : undefined}
              />
            </Field>
          ))}
        </div>
      </fieldset>
      <div class="form-actions">
        <button type="submit" class="btn">
          Save settings
        </button>
        <span id="settings-status" class="form-status" role="status" aria-live="polite"></span>
      </div>
    </form>
  );
}
