import type { SecretJson } from '../services/secrets-service';
import { CsrfField } from './csrf-field';
import { Time } from './status-badge';

/** What the Secrets section shows: the names, and after a change its outcome or the refused fields. */
export type SecretsProps = {
  taskId: string;
  secrets: SecretJson[];
  errors?: { name?: string; value?: string };
  typedName?: string;
  notice?: string;
};

/**
 * A task's secrets on its page: names and when each was set, a form to add or replace one, and
 * delete. Every change answers this whole section (outerHTML); a value is never sent back.
 */
export function SecretsSection({ taskId, secrets, errors = {}, typedName = '', notice }: SecretsProps) {
  const action = `/tasks/${taskId}/secrets`;
  return (
    <section id="secrets" class="secrets" aria-labelledby="secrets-heading">
      <h2 id="secrets-heading">Secrets</h2>
      <p class="muted">
        Environment variables whose values are stored encrypted, never shown again, and masked as <code>***</code> in logs.
      </p>
      {secrets.length === 0 ? (
        <p class="muted" id="secrets-none">
          No secrets.
        </p>
      ) : (
        <table class="table secrets-list">
          <caption class="sr-only">Secrets of {taskId}</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Set</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {secrets.map((s) => (
              <tr data-secret={s.name}>
                <th scope="row">
                  <code>{s.name}</code>
                </th>
                <td>
                  <Time iso={s.updated_at} />
                </td>
                <td>
                  <form
                    method="post"
                    action={`${action}/${s.name}/delete`}
                    hx-post={`${action}/${s.name}/delete`}
                    hx-target="#secrets"
                    hx-swap="outerHTML"
                    hx-confirm={`Delete secret ${s.name}? Runs started afterwards no longer get it.`}
                  >
                    <CsrfField />
                    <button type="submit" class="btn btn-small btn-danger">
                      Delete<span class="sr-only"> {s.name}</span>
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form
        id="secret-form"
        class="secret-form"
        method="post"
        action={action}
        hx-post={action}
        hx-target="#secrets"
        hx-swap="outerHTML"
        hx-disabled-elt="find button[type=submit]"
        novalidate
        autocomplete="off"
      >
        <CsrfField />
        <div class={`field${errors.name ? ' field-invalid' : ''}`}>
          <label for="s-name">Name</label>
          <input
            id="s-name"
            name="name"
            value={typedName}
            required
            maxlength={100}
            spellcheck={false}
            autocapitalize="off"
            placeholder="API_TOKEN"
            aria-describedby="hint-secret-name error-secret-name"
            aria-invalid={errors.name ? 'true' : undefined}
          />
          <p id="hint-secret-name" class="hint">
            Letters, digits or _; an existing name is replaced.
          </p>
          <p id="error-secret-name" class="field-error">
            {errors.name ?? ''}
          </p>
        </div>
        <div class={`field${errors.value ? ' field-invalid' : ''}`}>
          <label for="s-value">Value</label>
          <input
            id="s-value"
            name="value"
            type="password"
            required
            autocomplete="new-password"
            aria-describedby="hint-secret-value error-secret-value"
            aria-invalid={errors.value ? 'true' : undefined}
          />
          <p id="hint-secret-value" class="hint">
            One line here; a value with line breaks can be set with the API.
          </p>
          <p id="error-secret-value" class="field-error">
            {errors.value ?? ''}
          </p>
        </div>
        <div class="form-actions">
          <button type="submit" class="btn">
            Save secret
          </button>
          <span id="secrets-status" class="form-status" role="status" aria-live="polite">
            {notice}
          </span>
        </div>
      </form>
    </section>
  );
}
