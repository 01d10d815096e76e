import type { RunJson } from '../runs/json';
import type { ResourcesJson } from '../services/resources-service';
import { formatBytes, formatDuration } from './format';
import { CHART_H, CHART_W, resourceModel, sparkSegments, type ChartModel } from './resource-model';

// Inline SVG drawn on the server: no style attributes and no scripts, so a strict CSP holds. While a run
// is active, the client module (client/resource-charts.ts) refetches `data-resources` and redraws the
// parts marked `data-rc` with the same model (resource-model.ts).

function Chart({ kind, title, model }: { kind: 'cpu' | 'mem'; title: string; model: ChartModel }) {
  return (
    <figure class={`rc-chart rc-${kind}`}>
      <figcaption>
        <span class="rc-title">{title}</span>{' '}
        <span class="rc-now" data-rc={`${kind}-now`}>
          {model.now}
        </span>{' '}
        <span class="rc-summary muted" data-rc={`${kind}-summary`}>
          {model.summary}
        </span>
      </figcaption>
      <svg class="rc-svg" viewBox={`0 0 ${CHART_W} ${CHART_H}`} preserveAspectRatio="none" role="img" aria-label={`${title} over the run`}>
        <line class="rc-base" x1="0" y1={String(CHART_H)} x2={String(CHART_W)} y2={String(CHART_H)} />
        <polygon class="rc-area" data-rc={`${kind}-area`} points={model.area} />
        <polyline class="rc-line" data-rc={`${kind}-line`} points={model.line} />
      </svg>
      <span class="rc-scale muted" data-rc={`${kind}-scale`}>
        {model.scale}
      </span>
    </figure>
  );
}

/**
 * A run's CPU and memory over its life, two small charts. Place it in the run view (after RunStatus);
 * it keeps itself updated while the run is active once the page loads client/resource-charts.ts.
 */
export function ResourceCharts({ data }: { data: ResourcesJson }) {
  const model = resourceModel(data);
  return (
    <section
      class="resource-charts"
      aria-label="Resource usage"
      data-resources={`/api/runs/${data.run_id}/resources`}
      data-active={model.active ? 'true' : undefined}
    >
      <Chart kind="cpu" title="CPU" model={model.cpu} />
      <Chart kind="mem" title="Memory" model={model.mem} />
      <p class="rc-empty muted" data-rc="empty" hidden={!model.empty}>
        {model.active ? 'No samples yet: the first comes a few seconds after the run starts.' : 'No resource samples for this run.'}
      </p>
    </section>
  );
}

const SPARK_W = 100;
const SPARK_H = 20;

/** A tiny line of one figure over runs, oldest first; null (not measured) leaves a gap. */
export function Sparkline({ label, values, format }: { label: string; values: (number | null)[]; format: (n: number) => string }) {
  const known = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const last = known[known.length - 1];
  const described = values.map((v) => (v !== null && Number.isFinite(v) ? format(v) : 'not measured')).join(', ');
  return (
    <figure class="sparkline">
      <figcaption>
        <span class="spark-label">{label}</span> <span class="spark-last">{last === undefined ? '–' : format(last)}</span>
      </figcaption>
      <svg
        class="spark-svg"
        viewBox={`0 0 ${SPARK_W} ${SPARK_H}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`${label} of the last ${values.length} runs, oldest first: ${described || 'none'}`}
      >
        {sparkSegments(values, SPARK_W, SPARK_H).map((points) => (
          <polyline class="spark-line" points={points} />
        ))}
      </svg>
    </figure>
  );
}

const seconds = (n: number) => `${Math.round(n * 100) / 100} s`;

/**
 * Duration, peak memory and CPU time of a task's last finished runs as sparklines, so a job getting slower or
 * bigger shows. `runs` as the runs listing gives them (newest first); active runs are left out.
 */
export function RunTrends({ runs }: { runs: RunJson[] }) {
  const done = runs.filter((r) => r.status !== 'queued' && r.status !== 'running').reverse();
  if (done.length === 0) return <p class="run-trends muted">No finished runs yet.</p>;
  return (
    <section class="run-trends" aria-label={`The last ${done.length} runs`}>
      <Sparkline label="Duration" values={done.map((r) => r.duration_ms)} format={formatDuration} />
      <Sparkline label="Peak memory" values={done.map((r) => r.peak_rss_bytes)} format={formatBytes} />
      <Sparkline label="CPU" values={done.map((r) => r.cpu_seconds)} format={seconds} />
    </section>
  );
}

/** The CSS of the charts and sparklines (colours from the site's variables); /assets/app.css must include it. */
export const RESOURCE_CSS = `
.resource-charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); gap: 1rem; margin: 1rem 0; }
.resource-charts .rc-empty { grid-column: 1 / -1; margin: 0; }
.rc-chart { margin: 0; position: relative; border: 1px solid var(--border, #d1d9e0); border-radius: var(--radius, 6px); padding: .5rem .75rem; }
.rc-chart figcaption { font-size: .85rem; margin-bottom: .25rem; }
.rc-title { font-weight: 600; }
.rc-now { font-variant-numeric: tabular-nums; }
.rc-svg { display: block; width: 100%; height: 4rem; color: var(--accent, #0969da); }
.rc-mem .rc-svg { color: var(--ok, #1a7f37); }
.rc-line { fill: none; stroke: currentColor; stroke-width: 1.5; stroke-linejoin: round; vector-effect: non-scaling-stroke; }
.rc-area { fill: currentColor; fill-opacity: .15; stroke: none; }
.rc-base { stroke: var(--border, #d1d9e0); stroke-width: 1; vector-effect: non-scaling-stroke; }
.rc-scale { position: absolute; right: .75rem; top: .5rem; font-size: .75rem; }
.run-trends { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: flex-end; margin: .75rem 0; }
.sparkline { margin: 0; display: inline-flex; flex-direction: column; gap: .125rem; font-size: .8rem; }
.spark-label { color: var(--muted, #59636e); }
.spark-last { font-weight: 600; font-variant-numeric: tabular-nums; }
.spark-svg { display: block; width: 7rem; height: 1.5rem; color: var(--accent, #0969da); }
.spark-line { fill: none; stroke: currentColor; stroke-width: 1.5; stroke-linejoin: round; vector-effect: non-scaling-stroke; }
`;
