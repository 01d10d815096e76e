import { round } from './stats';
import type { Result, Row, Target } from './types';

/** Computes a row's ratio (taskrun / baseline) and whether it meets its target. */
export function judge(row: Row): Result {
  const { taskrun: t, baseline: b, target } = row;
  const ratio = t !== null && b !== null && b !== 0 ? t / b : null;
  let pass: boolean | null = null;
  if (t !== null) {
    switch (target.kind) {
      case 'ratio-min':
        pass = ratio !== null && ratio >= target.value;
        break;
      case 'ratio-max':
        pass = ratio !== null && ratio <= target.value;
        break;
      case 'diff-max':
        pass = b !== null && t - b <= target.value;
        break;
      case 'abs-max':
        pass = t <= target.value;
        break;
      case 'abs-min':
        pass = t >= target.value;
        break;
      case 'abs-and-ratio-max':
        pass = t <= target.abs && ratio !== null && ratio <= target.ratio;
        break;
      case 'info':
        pass = null;
    }
  }
  return { ...row, ratio: ratio === null ? null : round(ratio, 3), pass };
}

/** A target as the table shows it. */
export function describeTarget(t: Target, unit: string): string {
  switch (t.kind) {
    case 'ratio-min':
      return `≥ ${t.value}×`;
    case 'ratio-max':
      return `≤ ${t.value}×`;
    case 'diff-max':
      return `≤ +${t.value} ${unit}`;
    case 'abs-max':
      return `≤ ${t.value} ${unit}`;
    case 'abs-min':
      return `≥ ${t.value} ${unit}`;
    case 'abs-and-ratio-max':
      return `≤ ${t.abs} ${unit}, ≤ ${t.ratio}×`;
    case 'info':
      return '—';
  }
}

const fmt = (n: number | null): string => (n === null ? '—' : n >= 100 ? String(Math.round(n)) : String(round(n, n >= 10 ? 1 : 2)));

/** The results as a Markdown table (it reads fine in a terminal too). */
export function table(results: Result[]): string {
  const head = ['scenario', 'metric', 'taskrun', 'baseline', 'ratio', 'target', 'result'];
  const lines = results.map((r) => [
    r.scenario,
    r.metric,
    `${fmt(r.taskrun)} ${r.unit}`,
    r.baseline === null ? '—' : `${fmt(r.baseline)} ${r.unit}`,
    r.ratio === null ? '—' : `${r.ratio}×`,
    describeTarget(r.target, r.unit),
    r.pass === null ? 'info' : r.pass ? 'pass' : 'MISS',
  ]);
  const all = [head, ...lines];
  const widths = head.map((_, i) => Math.max(...all.map((l) => l[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(line)].join('\n');
}
