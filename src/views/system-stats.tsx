import type { RunnerIsolation } from '../db/schema';
import type { SystemInfo } from '../services/system-service';
import { formatBytes, formatDuration, formatPct } from './format';
import { Time } from './status-badge';

/** One sample of the charted figures; the page script keeps the last minutes of them. */
export type Sample = { t: number; cpu: number; mem: number; load: number };

/** The charted figures of a system reading. */
export function sampleOf(info: SystemInfo, at: Date): Sample {
  const mem = info.memory.total > 0 ? (info.memory.used / info.memory.total) * 100 : 0;
  return { t: at.getTime(), cpu: info.cpu.load_pct, mem: Math.round(mem * 10) / 10, load: info.cpu.load_avg[0] ?? 0 };
}

function Card({ title, value, children }: { title: string; value: string; children?: unknown }) {
  return (
    <section class="card">
      <h2>{title}</h2>
      <p class="card-value">{value}</p>
      {children}
    </section>
  );
}

const CHARTS = [
  { key: 'cpu', label: 'CPU %' },
  { key: 'mem', label: 'Memory %' },
  { key: 'load', label: 'Load (1 min)' },
] as const;

// Empty frames: the page script draws the last minutes of samples into them after every refresh.
function Charts({ cores }: { cores: number }) {
  return (
    <section class="charts" aria-label="The last minutes">
      {CHARTS.map((c) => (
        <figure class="chart">
          <figcaption>
            {c.label} <span class="muted">· up to the last 10 min</span>
          </figcaption>
          <svg
            data-chart={c.key}
            data-max={c.key === 'load' ? String(cores) : '100'}
            viewBox="0 0 300 60"
            preserveAspectRatio="none"
            role="img"
            aria-label={`${c.label} over the last 10 minutes`}
          ></svg>
        </figure>
      ))}
    </section>
  );
}

// What a runner enforces, in a few words, and what keeps it from more.
function IsolationCell({ isolation }: { isolation: RunnerIsolation | null }) {
  if (!isolation) return <span class="muted">not reported</span>;
  if (isolation.levels.length === 0)
    return (
      <span class="badge badge-failed" title={isolation.problems.join('\n')}>
        runs refused: {isolation.problems[0]}
      </span>
    );
  const parts = [
    isolation.levels.join(' and '),
    isolation.run_users ? 'run uids' : 'one uid, namespaces',
    isolation.cgroup === 'none' ? 'rlimits only' : `cgroup ${isolation.cgroup}`,
  ];
  return (
    <span>
      {parts.join(' · ')}
      {isolation.problems.length > 0 && (
        <details class="isolation-problems">
          <summary class="muted">
            {isolation.problems.length} note{isolation.problems.length > 1 ? 's' : ''}
          </summary>
          <ul>
            {isolation.problems.map((p) => (
              <li>{p}</li>
            ))}
          </ul>
        </details>
      )}
    </span>
  );
}

function Runners({ runners }: { runners: SystemInfo['runners'] }) {
  if (runners.length === 0) return <p class="empty">No runner is alive: queued runs wait until one starts.</p>;
  return (
    <table class="table runners">
      <caption class="sr-only">Runners</caption>
      <thead>
        <tr>
          <th scope="col">Runner</th>
          <th scope="col">Slots in use</th>
          <th scope="col">Isolation</th>
          <th scope="col">Version</th>
          <th scope="col">Heartbeat</th>
        </tr>
      </thead>
      <tbody>
        {runners.map((r) => (
          <tr>
            <th scope="row">
              {r.host} <span class="muted">pid {r.pid}</span>
            </th>
            <td data-label="Slots">
              <meter min={0} max={r.slots} value={r.running}></meter> {r.running} / {r.slots}
            </td>
            <td data-label="Isolation">
              <IsolationCell isolation={r.isolation} />
            </td>
            <td data-label="Version">{r.version}</td>
            <td data-label="Heartbeat">
              <Time iso={r.heartbeat_at} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The machine's figures, charts and runners; polls itself every few seconds and carries a chart sample. */
export function SystemStats({ info, at }: { info: SystemInfo; at: Date }) {
  const { cpu, memory } = info;
  return (
    <div
      id="system-stats"
      hx-get="/system/stats"
      hx-trigger="every 3s"
      hx-swap="outerHTML"
      data-sample={JSON.stringify(sampleOf(info, at))}
    >
      <div class="cards">
        <Card title="CPU" value={formatPct(cpu.load_pct)}>
          <meter min={0} max={100} value={cpu.load_pct} aria-label="CPU load"></meter>
          <p class="muted">
            {cpu.cores} cores · load {cpu.load_avg.join(' / ')}
          </p>
        </Card>
        <Card title="Memory" value={`${formatBytes(memory.used)} / ${formatBytes(memory.total)}`}>
          <meter min={0} max={memory.total} value={memory.used} aria-label="Memory in use"></meter>
          <p class="muted">{formatBytes(memory.free)} available</p>
        </Card>
        <Card title="Disk" value={info.disks.length === 0 ? 'unknown' : `${info.disks.length} mounted`}>
          {info.disks.slice(0, 4).map((d) => (
            <p class="disk">
              <span class="disk-mount" title={d.fs}>
                {d.mount}
              </span>
              <meter min={0} max={100} value={d.use_pct} aria-label={`Disk ${d.mount} in use`}></meter>
              <span class="muted">
                {formatPct(d.use_pct)} of {formatBytes(d.size)}
              </span>
            </p>
          ))}
        </Card>
        <Card title="Runs" value={`${info.running_runs} running`}>
          <p class="muted">
            {info.queued_runs} queued · up {formatDuration(info.uptime_s * 1000)}
          </p>
        </Card>
      </div>
      <Charts cores={cpu.cores} />
      <h2>Runners</h2>
      <Runners runners={info.runners} />
      <p class="muted updated">
        Updated <Time iso={at.toISOString()} />
      </p>
    </div>
  );
}
