/** Summary of a sample of durations or rates. */
export type Summary = { n: number; median: number; p99: number; mean: number; min: number; max: number };

/** The q-quantile (0..1) of a sample, nearest rank on the sorted values. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

/** The median (nearest rank) of a sample. */
export const median = (values: number[]): number => quantile(values, 0.5);

/** Median, p99, mean and range of a sample. */
export function summarize(values: number[]): Summary {
  const mean = values.reduce((a, b) => a + b, 0) / (values.length || 1);
  return {
    n: values.length,
    median: quantile(values, 0.5),
    p99: quantile(values, 0.99),
    mean,
    min: values.reduce((a, b) => Math.min(a, b), Infinity),
    max: values.reduce((a, b) => Math.max(a, b), -Infinity),
  };
}

/** The largest value; unlike Math.max(...values), fine for a sample of a million. */
export const maxOf = (values: number[]): number => values.reduce((a, b) => Math.max(a, b), -Infinity);

/** Rounds for display and JSON: 3 significant decimals at most. */
export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
