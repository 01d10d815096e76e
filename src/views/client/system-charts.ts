import { onContent, within } from './on-content';

type Sample = { t: number; cpu: number; mem: number; load: number };
type Key = 'cpu' | 'mem' | 'load';

const STORE = 'taskrun:system-samples';
const WINDOW_MS = 10 * 60 * 1000; // the longest history kept and drawn
const MIN_SPAN_MS = 60 * 1000; // a short history is spread over at least a minute, not squeezed to the right
const W = 300;
const H = 60;
const SVG = 'http://www.w3.org/2000/svg';

// Samples live in sessionStorage, so the charts keep their history when the reader comes back to the page.
function load(): Sample[] {
  try {
    const list: unknown = JSON.parse(sessionStorage.getItem(STORE) ?? '[]');
    return Array.isArray(list) ? (list as Sample[]) : [];
  } catch {
    return [];
  }
}

function record(sample: Sample): Sample[] {
  const list = load().filter((s) => s.t !== sample.t && s.t > sample.t - WINDOW_MS && s.t <= sample.t);
  list.push(sample);
  list.sort((a, b) => a.t - b.t);
  try {
    sessionStorage.setItem(STORE, JSON.stringify(list));
  } catch {
    // Storage full or disabled: the charts show this reading only.
  }
  return list;
}

function path(cls: string, d: string): SVGPathElement {
  const p = document.createElementNS(SVG, 'path');
  p.setAttribute('class', cls);
  p.setAttribute('d', d);
  return p;
}

// A line over the kept history, right-aligned at the newest sample; drawn with SVG attributes only.
function draw(svg: SVGSVGElement, samples: Sample[], key: Key): void {
  const end = samples[samples.length - 1]?.t ?? 0;
  const span = Math.max(MIN_SPAN_MS, end - (samples[0]?.t ?? end));
  const max = Math.max(Number(svg.dataset.max) || 1, ...samples.map((s) => s[key]));
  const points = samples.map((s) => {
    const x = W - ((end - s.t) / span) * W;
    const y = H - 1 - (Math.min(s[key], max) / max) * (H - 2);
    return `${x.toFixed(1)},${y.toFixed(1)}`;
  });
  svg.replaceChildren();
  if (points.length === 0) return;
  const line = `M${points.join('L')}`;
  const first = points[0].split(',')[0];
  svg.append(path('chart-area', `${line}L${W},${H}L${first},${H}Z`), path('chart-line', line));
  svg.dataset.points = String(points.length);
}

/** The system page's charts: each stats refresh adds a sample and redraws them. */
export function initSystemCharts(): void {
  onContent((root) => {
    for (const stats of within<HTMLElement>(root, '#system-stats[data-sample]')) {
      const samples = record(JSON.parse(stats.dataset.sample ?? '{}') as Sample);
      for (const svg of stats.querySelectorAll<SVGSVGElement>('svg[data-chart]')) draw(svg, samples, svg.dataset.chart as Key);
    }
  });
}
