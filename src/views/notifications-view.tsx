import { roleAtLeast } from '../auth/roles';
import { NOTIFY_EVENTS } from '../db/schema';
import type { DeliveryJson, TargetJson } from '../services/notifications-service';
import { formatAgo } from './format';
import { currentPrincipal, Layout } from './layout';
import { Time } from './status-badge';

// Checked in a new target's form: the ends someone usually wants to hear about.
const DEFAULT_EVENTS = new Set(['failed', 'timeout', 'lost', 'error']);
const DELIVERY_BADGE = { pending: 'badge-queued', delivered: 'badge-success', failed: 'badge-failed' } as const;

/** Where the notification targets of a task appear on its page: loaded by htmx, for editors only. */
export function NotificationsSlot({ taskId }: { taskId: string }) {
  const p = currentPrincipal();
  if (!p || !roleAtLeast(p.role, 'editor')) return null;
  return (
    <section id="notifications" class="automation" hx-get={`/tasks/${taskId}/notifications`} hx-trigger="load" hx-swap="outerHTML">
      <h2>Notifications</h2>
      <p class="muted">Loading…</p>
    </section>
  );
}

function NewTarget({ target }: { target: TargetJson & { secret: string } }) {
  return (
    <div class="secret-once" role="status">
      <p>
        <strong>Target “{target.name}” created. Copy its signing secret now: it is shown only this once.</strong>
      </p>
      <div class="copy-row">
        <code id={`target-secret-${target.id}`} class="secret-value">
          {target.secret}
        </code>
        <button type="button" class="btn btn-small" data-copy={`#target-secret-${target.id}`}>
          Copy secret
        </button>
      </div>
      <p class="muted">
        Each POST carries <code>X-Taskrun-Signature: sha256=HMAC-SHA256(secret, body)</code>, in hex.
      </p>
    </div>
  );
}

function TargetRow({ target }: { target: TargetJson }) {
  const t = target;
  return (
    <tr class={t.enabled ? undefined : 'disabled'}>
      <td data-label="Name">{t.name}</td>
      <td data-label="URL">
        <code class="target-url">{t.url}</code>
      </td>
      <td data-label="Events">{t.events.join(', ')}</td>
      <td data-label="State">{t.enabled ? 'enabled' : <span class="muted">disabled</span>}</td>
      <td data-label="Actions" class="target-actions">
        <button
          type="button"
          class="btn btn-small"
          hx-post={`/notifications/${t.id}/enabled`}
          hx-vals={JSON.stringify({ enabled: String(!t.enabled) })}
          hx-target="#notifications"
          hx-swap="outerHTML"
        >
          {t.enabled ? 'Disable' : 'Enable'}
          <span class="sr-only"> {t.name}</span>
        </button>
        <button
          type="button"
          class="btn btn-small"
          hx-get={`/notifications/${t.id}/deliveries`}
          hx-target="#delivery-log"
          hx-swap="innerHTML"
        >
          Delivery log<span class="sr-only"> of {t.name}</span>
        </button>
        <button
          type="button"
          class="btn btn-small btn-danger"
          hx-post={`/notifications/${t.id}/delete`}
          hx-target="#notifications"
          hx-swap="outerHTML"
          hx-confirm={`Delete target “${t.name}” and its delivery log?`}
        >
          Delete<span class="sr-only"> {t.name}</span>
        </button>
      </td>
    </tr>
  );
}

/** The targets of a task (`taskId`) or the global ones, the create form, and a new target's secret once. */
export function NotificationsSection({
  taskId,
  targets,
  created,
}: {
  taskId: string | null;
  targets: TargetJson[];
  created?: TargetJson & { secret: string };
}) {
  const action = taskId === null ? '/notifications' : `/tasks/${taskId}/notifications`;
  return (
    <section id="notifications" class="automation" aria-labelledby="notifications-heading">
      <h2 id="notifications-heading">{taskId === null ? 'Global targets' : 'Notifications'}</h2>
      <p class="muted">
        {taskId === null ? 'Told when a run of any task ends.' : 'Told when a run of this task ends.'} Each gets a signed JSON POST, retried
        with back-off until it answers 2xx.
      </p>
      {created && <NewTarget target={created} />}
      {targets.length === 0 ? (
        <p class="empty">No targets yet.</p>
      ) : (
        <table class="table targets">
          <caption class="sr-only">Notification targets</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">URL</th>
              <th scope="col">Events</th>
              <th scope="col">State</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {targets.map((t) => (
              <TargetRow target={t} />
            ))}
          </tbody>
        </table>
      )}
      <div id="delivery-log" aria-live="polite"></div>
      <form class="target-form" hx-post={action} hx-target="#notifications" hx-swap="outerHTML" hx-disabled-elt="find button">
        <h3>New target</h3>
        <div class="field-row">
          <div class="field">
            <label for="f-target-name">Name</label>
            <input id="f-target-name" name="name" required maxlength={100} placeholder="e.g. team chat" autocomplete="off" />
          </div>
          <div class="field">
            <label for="f-target-url">URL</label>
            <input
              id="f-target-url"
              name="url"
              type="url"
              required
              maxlength={2000}
              placeholder="https://example.com/hooks/taskrun"
              autocomplete="off"
            />
          </div>
        </div>
        <fieldset class="events">
          <legend>When a run ends</legend>
          {NOTIFY_EVENTS.map((e) => (
            <label>
              <input type="checkbox" name="events" value={e} checked={DEFAULT_EVENTS.has(e)} /> {e === 'any' ? 'any end' : e}
            </label>
          ))}
        </fieldset>
        <div class="form-actions">
          <button type="submit" class="btn">
            Add target
          </button>
          <span id="target-form-status" class="form-status" role="status"></span>
        </div>
      </form>
    </section>
  );
}

function Attempts({ delivery }: { delivery: DeliveryJson }) {
  if (delivery.attempts.length === 0) return <span class="muted">not tried yet</span>;
  return (
    <ol class="attempts">
      {delivery.attempts.map((a) => (
        <li>
          <Time iso={a.at} text={formatAgo(a.at)} /> <strong>{a.response_status ?? 'no answer'}</strong>
          {a.error && a.response_status === null && <> {a.error}</>} <span class="muted">{a.duration_ms} ms</span>
        </li>
      ))}
    </ol>
  );
}

/** The last deliveries to a target, each attempt with its response status or error. */
export function DeliveryLog({ target, deliveries }: { target: TargetJson; deliveries: DeliveryJson[] }) {
  return (
    <div class="delivery-log">
      <h3>Delivery log of “{target.name}”</h3>
      {deliveries.length === 0 ? (
        <p class="empty">Nothing sent yet.</p>
      ) : (
        <table class="table deliveries">
          <caption class="sr-only">Deliveries to {target.name}, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
            </tr>
          </thead>
          <tbody>
            {deliveries.map((d) => (
              <tr id={`delivery-${d.id}`}>
                <td data-label="Run">
                  <a href={`/runs/${d.run_id}`}>#{d.run_id}</a> <Time iso={d.created_at} text={formatAgo(d.created_at)} />
                </td>
                <td data-label="Event">{d.event}</td>
                <td data-label="Status">
                  <span class={`badge ${DELIVERY_BADGE[d.status]}`}>{d.status}</span>
                </td>
                <td data-label="Attempts">
                  <Attempts delivery={d} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** The admins' page of global targets: told about every task's runs. */
export function NotificationsPage({ targets, created }: { targets: TargetJson[]; created?: TargetJson & { secret: string } }) {
  return (
    <Layout title="Notifications">
      <div class="page-head">
        <h1>Notifications</h1>
      </div>
      <p>Targets of one task are set on that task's page; the targets here hear about every task.</p>
      <NotificationsSection taskId={null} targets={targets} created={created} />
    </Layout>
  );
}
