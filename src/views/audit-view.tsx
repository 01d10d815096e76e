import type { AuditJson } from '../services/audit-service';
import { Layout } from './layout';
import { Time } from './status-badge';

export type AuditFilterValues = { actor: string; action: string; cursor: string };

const ACTIONS = [
  'signin',
  'signin.failed',
  'signout',
  'task.create',
  'task.edit',
  'task.delete',
  'run.execute',
  'run.cancel',
  'secret.set',
  'secret.delete',
  'schedule.create',
  'schedule.edit',
  'schedule.delete',
  'webhook.create',
  'webhook.revoke',
  'notification.create',
  'notification.edit',
  'notification.delete',
  'user.add',
  'user.remove',
  'token.create',
  'token.revoke',
  'setup',
];

function auditUrl(f: Partial<AuditFilterValues>): string {
  const qs = new URLSearchParams(Object.entries(f).filter(([, v]) => v) as [string, string][]).toString();
  return qs ? `/audit?${qs}` : '/audit';
}

/** The audit log for admins: who did what, when, from where; filter by actor and action; keyset pages. */
export function AuditPage({ entries, next, filter }: { entries: AuditJson[]; next: string | null; filter: AuditFilterValues }) {
  return (
    <Layout title="Audit log" section="audit">
      <div class="page-head">
        <h1>Audit log</h1>
      </div>
      <form method="get" action="/audit" class="filters" role="search">
        <div class="field">
          <label for="f-actor">Actor</label>
          <input id="f-actor" name="actor" value={filter.actor} placeholder="user:alice or token:ci" />
        </div>
        <div class="field">
          <label for="f-action">Action</label>
          <select id="f-action" name="action">
            <option value="">any</option>
            {ACTIONS.map((a) => (
              <option value={a} selected={filter.action === a}>
                {a}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" class="btn">
          Filter
        </button>
      </form>
      {entries.length === 0 ? (
        <p class="empty">No entries match.</p>
      ) : (
        <table class="table audit">
          <caption class="sr-only">Audit log, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">From</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr>
                <td data-label="When">
                  <Time iso={e.at} />
                </td>
                <td data-label="Actor">{e.actor}</td>
                <td data-label="Action">
                  <code>{e.action}</code>
                </td>
                <td data-label="Target">{e.target ?? ''}</td>
                <td data-label="From">{e.ip ?? ''}</td>
                <td data-label="Details">
                  <code class="details">{e.details ? JSON.stringify(e.details) : ''}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav class="pager" aria-label="Pages">
        {filter.cursor && (
          <a class="btn btn-small" href={auditUrl({ ...filter, cursor: '' })}>
            Newest
          </a>
        )}
        {next && (
          <a class="btn btn-small" href={auditUrl({ ...filter, cursor: next })}>
            Older entries →
          </a>
        )}
      </nav>
    </Layout>
  );
}
