import type { FireJson, ScheduleJson } from '../services/schedules-service';
import { Layout } from './layout';
import { StatusBadge, Time } from './status-badge';

/** Where a schedule row is shown: the Schedules page (with its task) or a task's page (without). */
export type RowPlace = 'list' | 'task';

/** An instant as wall-clock time in a zone: "2026-03-29 03:00:00". */
export function zoned(iso: string, timezone: string): string {
  try {
    return new Intl.DateTimeFormat('sv-SE', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    }).format(new Date(iso));
  } catch {
    return iso;
  }
}

/** How a fire time was decided, as a badge: queued (a run), busy or full (skipped), missed, error. */
export function OutcomeBadge({ outcome }: { outcome: FireJson['outcome'] }) {
  const label = outcome === 'busy' ? 'skipped: busy' : outcome === 'full' ? 'skipped: queue full' : outcome;
  return <span class={`badge fire-${outcome}`}>{label}</span>;
}

function LastFire({ s }: { s: ScheduleJson }) {
  const f = s.last_fire;
  if (!f) return <span class="muted">never</span>;
  return (
    <span class="fire-summary">
      <OutcomeBadge outcome={f.outcome} />
      <Time iso={f.fire_at} />
      {f.run_id !== null && <a href={`/runs/${f.run_id}`}>run #{f.run_id}</a>}
    </span>
  );
}

function NextFire({ s }: { s: ScheduleJson }) {
  const next = s.next_fires[0];
  if (!s.enabled) return <span class="muted">paused</span>;
  if (!next) return <span class="muted">none</span>;
  return (
    <span class="fire-summary">
      <Time iso={next} />
      {s.timezone !== 'UTC' && <span class="muted">{`${zoned(next, s.timezone)} ${s.timezone}`}</span>}
    </span>
  );
}

function ParamList({ params }: { params: ScheduleJson['params'] }) {
  const entries = Object.entries(params);
  if (entries.length === 0) return <span class="muted">defaults</span>;
  return (
    <span class="schedule-params">
      {entries.map(([k, v]) => (
        <code>{`${k}=${String(v)}`}</code>
      ))}
    </span>
  );
}

/** The Pause or Resume button and Delete, for editors. */
function RowActions({ s, place }: { s: ScheduleJson; place: RowPlace }) {
  const base = `/schedules/${s.schedule_id}`;
  return (
    <td class="schedule-actions">
      <button
        type="button"
        class="btn btn-small"
        hx-post={`${base}/${s.enabled ? 'pause' : 'resume'}?in=${place}`}
        hx-target="closest tr"
        hx-swap="outerHTML"
        hx-disabled-elt="this"
      >
        {s.enabled ? 'Pause' : 'Resume'}
        <span class="sr-only"> schedule {s.schedule_id}</span>
      </button>
      <button
        type="button"
        class="btn btn-small btn-danger"
        hx-post={`${base}/delete`}
        hx-target="closest tr"
        hx-swap="delete"
        hx-confirm={`Delete the schedule "${s.cron}" of ${s.task_id}? Its fire records go too; its runs stay.`}
      >
        Delete<span class="sr-only"> schedule {s.schedule_id}</span>
      </button>
    </td>
  );
}

/** One schedule as a table row; Pause, Resume and Delete swap or remove just this row. */
export function ScheduleRow({ s, place, canEdit }: { s: ScheduleJson; place: RowPlace; canEdit: boolean }) {
  return (
    <tr id={`schedule-${s.schedule_id}`} data-enabled={s.enabled ? 'true' : 'false'}>
      {place === 'list' && (
        <th scope="row" class="task-name">
          <a href={`/tasks/${s.task_id}/edit`}>{s.task_id}</a>
        </th>
      )}
      <td data-label="Cron">
        <code class="cron">{s.cron}</code> <span class="muted">{s.timezone}</span>
      </td>
      <td data-label="State">
        {s.enabled ? <span class="badge fire-queued">enabled</span> : <span class="badge fire-missed">paused</span>}
      </td>
      <td data-label="If missed">{s.missed_policy === 'catch_up' ? 'catch up once' : 'skip'}</td>
      <td data-label="Parameters">
        <ParamList params={s.params} />
      </td>
      <td data-label="Last fire">
        <LastFire s={s} />
      </td>
      <td data-label="Next fire">
        <NextFire s={s} />
      </td>
      {place === 'list' && (
        <td data-label="Fires">
          <a href={`/schedules?schedule_id=${s.schedule_id}#fires`}>fires</a>
        </td>
      )}
      {canEdit && <RowActions s={s} place={place} />}
    </tr>
  );
}

/** The schedules as a table (or a line saying there are none). */
export function ScheduleTable({ schedules, place, canEdit }: { schedules: ScheduleJson[]; place: RowPlace; canEdit: boolean }) {
  if (schedules.length === 0)
    return (
      <p class="empty">
        {place === 'task' ? 'No schedules: this task runs only when started.' : 'No schedules yet. Add one on a task’s page.'}
      </p>
    );
  return (
    <table class="table schedules">
      <caption class="sr-only">Schedules</caption>
      <thead>
        <tr>
          {place === 'list' && <th scope="col">Task</th>}
          <th scope="col">Cron</th>
          <th scope="col">State</th>
          <th scope="col">If missed</th>
          <th scope="col">Parameters</th>
          <th scope="col">Last fire</th>
          <th scope="col">Next fire</th>
          {place === 'list' && <th scope="col">Fires</th>}
          {canEdit && (
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          )}
        </tr>
      </thead>
      <tbody>
        {schedules.map((s) => (
          <ScheduleRow s={s} place={place} canEdit={canEdit} />
        ))}
      </tbody>
    </table>
  );
}

function FireRow({ f }: { f: FireJson }) {
  return (
    <tr>
      <th scope="row">
        <Time iso={f.fire_at} />
      </th>
      <td data-label="Task">
        <a href={`/tasks/${f.task_id}/edit`}>{f.task_id}</a> <span class="muted">#{f.schedule_id}</span>
      </td>
      <td data-label="Outcome">
        <OutcomeBadge outcome={f.outcome} />
      </td>
      <td data-label="Run">
        {f.run_id !== null && (
          <span class="fire-summary">
            <a href={`/runs/${f.run_id}`}>#{f.run_id}</a>
            {f.run_status && <StatusBadge status={f.run_status} />}
          </span>
        )}
      </td>
      <td data-label="Detail" class="fire-detail">
        {f.detail ?? ''}
      </td>
    </tr>
  );
}

/** Fire records, newest first: the runs schedules made and the fire times they skipped or missed. */
export function FiresTable({ fires }: { fires: FireJson[] }) {
  if (fires.length === 0) return <p class="empty">No fire times decided yet.</p>;
  return (
    <table class="table fires">
      <caption class="sr-only">Fire times, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Fire time</th>
          <th scope="col">Task</th>
          <th scope="col">Outcome</th>
          <th scope="col">Run</th>
          <th scope="col">Detail</th>
        </tr>
      </thead>
      <tbody>
        {fires.map((f) => (
          <FireRow f={f} />
        ))}
      </tbody>
    </table>
  );
}

/** The Schedules page: every schedule with its last and next fire, then the latest fire records. */
export function SchedulesPage(p: { schedules: ScheduleJson[]; fires: FireJson[]; canEdit: boolean; scheduleId?: number }) {
  return (
    <Layout title="Schedules" section="schedules">
      <div class="page-head">
        <h1>Schedules</h1>
      </div>
      <ScheduleTable schedules={p.schedules} place="list" canEdit={p.canEdit} />
      <h2 id="fires">
        {p.scheduleId === undefined ? (
          'Recent fire times'
        ) : (
          <>
            Fire times of schedule #{p.scheduleId}{' '}
            <a class="btn btn-small" href="/schedules#fires">
              all schedules
            </a>
          </>
        )}
      </h2>
      <FiresTable fires={p.fires} />
    </Layout>
  );
}
