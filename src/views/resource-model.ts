import type { ResourcesJson } from '../services/resources-service';
import { formatBytes, formatPct } from './format';

// What the resource charts show, computed the same way on the server (first render) and in the browser
// (live updates): pure functions of the API's data, no DOM.

/** The coordinate box of every chart; the SVG stretches it to the width of its container. */
export const CHART_W = 300;
export const CHART_H = 60;

/** The top of a chart's scale: at least `floor`, rounded up to 1, 2 or 5 times a power of ten. */
export function niceMax(max: number, floor: number): number {
  const m = Number.isFinite(max) ? Math.max(max, floor) : floor;
  if (m <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(m));
  const step = [1, 2, 5, 10].find((s) => s * p >= m) ?? 10;
  return step * p;
}

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * SVG `points` of a series: `x` spread from its first to its last value over the width, `y` from 0 (bottom)
 * to `max` (top). Non-finite points are left out; a single point becomes a flat line across.
 */
export function linePoints(series: { x: number; y: number }[], max: number, w = CHART_W, h = CHART_H): string {
  const pts = series.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  if (pts.length === 0) return '';
  const y = (v: number) => round(h - (Math.min(Math.max(v, 0), max) / max) * h);
  if (pts.length === 1) return `0,${y(pts[0].y)} ${w},${y(pts[0].y)}`;
  const x0 = pts[0].x;
  const span = pts[pts.length - 1].x - x0 || 1;
  return pts.map((p) => `${round(((p.x - x0) / span) * w)},${y(p.y)}`).join(' ');
}

/** The filled area under a line: the line closed along the bottom edge. */
export function areaPoints(line: string, w = CHART_W, h = CHART_H): string {
  return line === '' ? '' : `0,${h} ${line} ${w},${h}`;
}

/** One chart: its line and area, the figures beside its title, and the top of its scale. */
export type ChartModel = { line: string; area: string; now: string; summary: string; scale: string };

/** Both charts of a run, and whether there is anything to draw and more to come. */
export type ResourceModel = { cpu: ChartModel; mem: ChartModel; empty: boolean; active: boolean };

/** What the charts of a run show, from GET /api/runs/:run_id/resources. */
export function resourceModel(data: ResourcesJson): ResourceModel {
  const active = data.status === 'queued' || data.status === 'running';
  const samples = data.samples.filter((s) => Number.isFinite(Date.parse(s.t)));
  const last = samples[samples.length - 1];
  const cpuPeak = samples.reduce((m, s) => Math.max(m, s.cpu_pct), 0);
  const memPeak = Math.max(
    data.peak_rss_bytes ?? 0,
    samples.reduce((m, s) => Math.max(m, s.rss_bytes), 0),
  );
  const cpuMax = niceMax(cpuPeak, 100);
  const memMax = niceMax(memPeak, 1024 * 1024);
  const cpuLine = linePoints(
    samples.map((s) => ({ x: Date.parse(s.t), y: s.cpu_pct })),
    cpuMax,
  );
  const memLine = linePoints(
    samples.map((s) => ({ x: Date.parse(s.t), y: s.rss_bytes })),
    memMax,
  );
  const cpuTotal = data.cpu_seconds === null ? '' : `${data.cpu_seconds} s of CPU`;
  return {
    active,
    empty: samples.length === 0,
    cpu: {
      line: cpuLine,
      area: areaPoints(cpuLine),
      now: active && last ? formatPct(last.cpu_pct) : '',
      summary: [samples.length > 0 ? `peak ${formatPct(cpuPeak)}` : '', cpuTotal].filter(Boolean).join(' · '),
      scale: formatPct(cpuMax),
    },
    mem: {
      line: memLine,
      area: areaPoints(memLine),
      now: active && last ? formatBytes(last.rss_bytes) : '',
      summary: memPeak > 0 ? `peak ${formatBytes(memPeak)}` : '',
      scale: formatBytes(memMax),
    },
  };
}

/** Points of a sparkline over runs, oldest first, from 0 up to its highest value: one line per stretch of known values (null breaks it). */
export function sparkSegments(values: (number | null)[], w: number, h: number): string[] {
  const finite = values.map((v) => (v !== null && Number.isFinite(v) ? v : null));
  const max = Math.max(0, ...finite.map((v) => v ?? 0)) || 1;
  const step = finite.length > 1 ? w / (finite.length - 1) : w;
  const segments: string[] = [];
  let run: { x: number; y: number }[] = [];
  const yOf = (v: number) => round(h - (Math.max(v, 0) / max) * h);
  const close = () => {
    if (run.length === 1)
      segments.push(`${round(Math.max(0, run[0].x - 1))},${yOf(run[0].y)} ${round(Math.min(w, run[0].x + 1))},${yOf(run[0].y)}`);
    else if (run.length > 1) segments.push(run.map((p) => `${round(p.x)},${yOf(p.y)}`).join(' '));
    run = [];
  };
  finite.forEach((v, i) => {
    if (v === null) close();
    else run.push({ x: finite.length > 1 ? i * step : w / 2, y: v });
  });
  close();
  return segments;
}
