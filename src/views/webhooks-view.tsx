import type { NewWebhookJson, WebhookJson } from '../services/webhooks-service';
import type { ParamDef, ParamValue } from '../tasks/params';
import { currentPrincipal } from './layout';
import { roleAtLeast } from '../auth/roles';
import { Time } from './status-badge';
import { formatAgo } from './format';

// A value that passes the parameter's own checks where it can: its default, a choice, a bound.
function sampleValue(def: ParamDef): ParamValue {
  if (def.default !== undefined) return def.default;
  if (def.type === 'choice') return def.choices?.[0] ?? '';
  if (def.type === 'boolean') return true;
  if (def.type === 'integer' || def.type === 'number') return def.min ?? 1;
  return def.type === 'secret' ? 'SECRET' : 'value';
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** A curl command that calls the webhook with a body holding the task's parameters. */
export function curlExample(url: string, params: ParamDef[]): string {
  const body = JSON.stringify(Object.fromEntries(params.map((d) => [d.name, sampleValue(d)])));
  return `curl -X POST -H 'Content-Type: application/json' -d ${shellQuote(body)} ${shellQuote(url)}`;
}

/** Where the webhooks of a task appear on its page: loaded by htmx, for editors only. */
export function WebhooksSlot({ taskId }: { taskId: string }) {
  const p = currentPrincipal();
  if (!p || !roleAtLeast(p.role, 'editor')) return null;
  return (
    <section id="webhooks" class="automation" hx-get={`/tasks/${taskId}/webhooks`} hx-trigger="load" hx-swap="outerHTML">
      <h2>Webhooks</h2>
      <p class="muted">Loading…</p>
    </section>
  );
}

/** The secret of a new webhook, shown once, with copy buttons and a curl example. */
function NewWebhook({ hook, curl }: { hook: NewWebhookJson; curl: string }) {
  return (
    <div class="secret-once" role="status">
      <p>
        <strong>Webhook “{hook.name}” created. Copy its URL now: it is shown only this once.</strong>
      </p>
      <div class="copy-row">
        <code id={`hook-url-${hook.id}`} class="secret-value">
          {hook.url}
        </code>
        <button type="button" class="btn btn-small" data-copy={`#hook-url-${hook.id}`}>
          Copy URL
        </button>
      </div>
      <p class="muted">Start a run with:</p>
      <div class="copy-row">
        <pre id={`hook-curl-${hook.id}`} class="secret-value">
          {curl}
        </pre>
        <button type="button" class="btn btn-small" data-copy={`#hook-curl-${hook.id}`}>
          Copy command
        </button>
      </div>
    </div>
  );
}

function HookRow({ hook }: { hook: WebhookJson }) {
  return (
    <tr class={hook.revoked_at ? 'revoked' : undefined}>
      <td data-label="Name">{hook.name}</td>
      <td data-label="Created">
        <Time iso={hook.created_at} /> <span class="muted">by {hook.created_by}</span>
      </td>
      <td data-label="Last used">
        {hook.last_used_at ? <Time iso={hook.last_used_at} text={formatAgo(hook.last_used_at)} /> : <span class="muted">never</span>}
      </td>
      <td data-label="State">
        {hook.revoked_at ? (
          <span class="muted">
            revoked <Time iso={hook.revoked_at} text={formatAgo(hook.revoked_at)} />
          </span>
        ) : (
          <button
            type="button"
            class="btn btn-small btn-danger"
            hx-post={`/webhooks/${hook.id}/revoke`}
            hx-target="#webhooks"
            hx-swap="outerHTML"
            hx-confirm={`Revoke webhook “${hook.name}”? Calls to its URL will be refused from now on.`}
          >
            Revoke<span class="sr-only"> {hook.name}</span>
          </button>
        )}
      </td>
    </tr>
  );
}

/** A task's webhooks: the list, the create form and, right after a create, the new secret. */
export function WebhooksSection({
  taskId,
  hooks,
  created,
}: {
  taskId: string;
  hooks: WebhookJson[];
  created?: { hook: NewWebhookJson; curl: string };
}) {
  return (
    <section id="webhooks" class="automation" aria-labelledby="webhooks-heading">
      <h2 id="webhooks-heading">Webhooks</h2>
      <p class="muted">A POST to a webhook's URL starts a run of this task; its JSON body holds the run's parameters.</p>
      {created && <NewWebhook {...created} />}
      {hooks.length === 0 ? (
        <p class="empty">No webhooks yet.</p>
      ) : (
        <table class="table hooks">
          <caption class="sr-only">Webhooks of {taskId}</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {hooks.map((h) => (
              <HookRow hook={h} />
            ))}
          </tbody>
        </table>
      )}
      <form
        class="inline-form"
        hx-post={`/tasks/${taskId}/webhooks`}
        hx-target="#webhooks"
        hx-swap="outerHTML"
        hx-disabled-elt="find button"
      >
        <label for="f-hook-name">New webhook</label>
        <input id="f-hook-name" name="name" required maxlength={100} placeholder="e.g. deploy from CI" autocomplete="off" />
        <button type="submit" class="btn">
          Create webhook
        </button>
        <span id="webhook-form-status" class="form-status" role="status"></span>
      </form>
    </section>
  );
}
