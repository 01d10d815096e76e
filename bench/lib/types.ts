import type { Options } from './options';
import type { Workspace } from './workspace';

/** How a row's figure is judged: a ratio taskrun/baseline, a difference taskrun−baseline, or an absolute value. */
export type Target =
  | { kind: 'ratio-min' | 'ratio-max' | 'diff-max' | 'abs-max' | 'abs-min'; value: number }
  | { kind: 'abs-and-ratio-max'; abs: number; ratio: number }
  | { kind: 'info' };

/** One line of the results table. */
export type Row = {
  scenario: string;
  metric: string;
  unit: string;
  taskrun: number | null;
  baseline: number | null;
  target: Target;
  note?: string;
};

/** A judged row, as printed and written to latest.json. */
export type Result = Row & { ratio: number | null; pass: boolean | null };

/** What every scenario receives. */
export type ScenarioContext = { opts: Options; ws: Workspace; log: (msg: string) => void; details: Record<string, unknown> };

export type Scenario = { id: number; name: string; run: (ctx: ScenarioContext) => Promise<Row[]> };
