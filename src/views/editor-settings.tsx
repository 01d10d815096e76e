import { CsrfField } from './csrf-field';
import { describedBy, Field, type FieldErrors } from './editor-fields';

const PARAMS_EXAMPLE = `[
  {"name": "target", "type": "choice", "choices": ["staging", "production"], "default": "staging", "required": true},
  {"name": "rows", "type": "integer", "label": "Rows to load", "min": 1, "max": 10000, "default": 100},
  {"name": "dry_run", "type": "boolean", "default": true},
  {"name": "note", "type": "text", "max": 2000},
  {"name": "tag", "type": "string", "pattern": "[a-z0-9-]+"},
  {"name": "api_token", "type": "secret", "required": true}
]`;

/** The fields of the settings form, in the order their errors are reported. */
export const SETTINGS_FIELDS = ['params', 'env', 'max_retries', 'retry_delay_s'] as const;
export type SettingsValues = Record<(typeof SETTINGS_FIELDS)[number], string>;
/** What the settings form shows: its values as typed, and a message per refused field. */
export type SettingsState = { values: SettingsValues; errors: FieldErrors };

/**
 * A task's parameters (a JSON list of definitions), plain environment variables (NAME=value lines)
 * and retries: a form of its own beside the script's, saved with its own button.
 */
export function SettingsForm({ taskId, values, errors }: SettingsState & { taskId: string }) {
  const action = `/tasks/${taskId}/settings`;
  return (
    <form id="settings-form" class="params-env" method="post" action={action} novalidate
      hx-post={action} hx-target="#settings-status" hx-swap="innerHTML" hx-disabled-elt="find button[type=submit]">
      <CsrfField />
      <h2>Parameters, environment and retries</h2>
      <Field name="params" label="Parameters (JSON)" error={errors.params}
        hint="A list of parameters; types: string, integer, number, boolean, choice, text, secret. Each may have label, description, required, default, choices, pattern (RE2 syntax: no lookarounds or backreferences), min and max (a number's value, a text's length). Empty: none. Run then opens a form built from them.">
        <textarea id="f-params" name="params" class="code-plain" rows={6} spellcheck={false} autocapitalize="off"
          placeholder='[{"name": "target", "type": "string", "required": true}]'
          aria-describedby={describedBy('params', true)} aria-invalid={errors.params ? 'true' : undefined}>{values.params}</textarea>
      </Field>
      <details class="example">
        <summary>Example</summary>
        <pre><code>{PARAMS_EXAMPLE}</code></pre>
        <p class="hint">A script gets each value as <code>--name value</code> arguments and as <code>TASKRUN_PARAM_NAME</code> in its
          environment; a secret only in its environment.</p>
      </details>
      <Field name="env" label="Environment variables" error={errors.env}
        hint='One NAME=value per line; # starts a comment. A value in double quotes is read as a JSON string ("line one\nline two"). Secrets go in the Secrets section below.'>
        <textarea id="f-env" name="env" class="code-plain" rows={4} spellcheck={false} autocapitalize="off" placeholder="REGION=eu-west-1"
          aria-describedby={describedBy('env', true)} aria-invalid={errors.env ? 'true' : undefined}>{values.env}</textarea>
      </Field>
      <div class="field-row">
        <Field name="max_retries" label="Retries" hint="After failed, timeout or lost: 0 to 10." error={errors.max_retries}>
          <input id="f-max_retries" name="max_retries" type="number" min={0} max={10} step={1} inputmode="numeric" value={values.max_retries}
            aria-describedby={describedBy('max_retries', true)} aria-invalid={errors.max_retries ? 'true' : undefined} />
        </Field>
        <Field name="retry_delay_s" label="Retry delay (seconds)" hint="0 to 86400." error={errors.retry_delay_s}>
          <input id="f-retry_delay_s" name="retry_delay_s" type="number" min={0} max={86400} step={1} inputmode="numeric" value={values.retry_delay_s}
            aria-describedby={describedBy('retry_delay_s', true)} aria-invalid={errors.retry_delay_s ? 'true' : undefined} />
        </Field>
      </div>
      <div class="form-actions">
        <button type="submit" class="btn">Save settings</button>
        <span id="settings-status" class="form-status" role="status" aria-live="polite"></span>
      </div>
    </form>
  );
}
