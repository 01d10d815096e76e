import { describe, expect, it } from 'vitest';
import type { RunJson } from '../runs/json';
import type { ResourcesJson } from '../services/resources-service';
import { ResourceCharts, RESOURCE_CSS, RunTrends, Sparkline } from './resource-charts';
import { linePoints, niceMax, resourceModel, sparkSegments } from './resource-model';

const MB = 1024 * 1024;
const render = async (node: unknown) => String(await (node as { toString: () => string | Promise<string> }).toString());

const data = (over: Partial<ResourcesJson> = {}): ResourcesJson => ({
  run_id: 7,
  status: 'success',
  started_at: '2026-01-01T00:00:00.000Z',
  finished_at: '2026-01-01T00:00:10.000Z',
  samples: [],
  peak_rss_bytes: null,
  cpu_seconds: null,
  ...over,
});
const sample = (s: number, cpu: number, rss: number) => ({
  t: new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString(),
  cpu_pct: cpu,
  rss_bytes: rss,
});

// Every number pair of every `points` attribute, so a test can check they stay inside the 300×60 box.
function points(html: string): [number, number][] {
  return [...html.matchAll(/points="([^"]*)"/g)].flatMap((m) =>
    m[1] ? m[1].split(' ').map((p) => p.split(',').map(Number) as [number, number]) : [],
  );
}

function expectCspSafe(html: string) {
  expect(html).not.toMatch(/style=/i);
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/\son[a-z]+=/i);
  expect(html).not.toMatch(/NaN|Infinity|undefined/);
}

describe('the resource charts of a run', () => {
  it('draws both series inside the box, with peak and CPU time, and follows an active run', async () => {
    const html = await render(
      <ResourceCharts
        data={data({
          status: 'running',
          finished_at: null,
          peak_rss_bytes: 120 * MB,
          cpu_seconds: 3.5,
          samples: [sample(1, 10, 20 * MB), sample(2, 95, 60 * MB), sample(3, 250, 120 * MB)],
        })}
      />,
    );
    expectCspSafe(html);
    expect(html).toContain('data-resources="/api/runs/7/resources"');
    expect(html).toContain('data-active="true"');
    expect(html).toContain('peak 120.0 MB');
    expect(html).toContain('3.5 s of CPU');
    expect(html).toContain('>250%<'); // now, while running
    expect(html).toContain('>500%<'); // the scale grows past 100% for more than one core
    const pts = points(html);
    expect(pts.length).toBeGreaterThanOrEqual(6);
    for (const [x, y] of pts) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(300);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(y).toBeLessThanOrEqual(60);
    }
    expect(html).toMatch(/class="rc-empty muted" data-rc="empty" hidden/);
  });

  it('says so when there are no samples, and stops following a finished run', async () => {
    const html = await render(<ResourceCharts data={data()} />);
    expectCspSafe(html);
    expect(html).not.toContain('data-active');
    expect(html).toContain('No resource samples for this run.');
    expect(html).toMatch(/class="rc-line" data-rc="cpu-line" points=""/);
  });

  it('draws one sample as a flat line, and survives huge, negative and broken values', async () => {
    const one = await render(<ResourceCharts data={data({ samples: [sample(1, 50, 10 * MB)], peak_rss_bytes: 10 * MB })} />);
    expectCspSafe(one);
    expect(one).toContain('points="0,30 300,30"');
    const wild = await render(
      <ResourceCharts
        data={data({
          samples: [sample(1, 1e9, 2 ** 52), sample(2, -5, 0), { t: 'not a time', cpu_pct: 1, rss_bytes: 1 }],
          peak_rss_bytes: 2 ** 52,
          cpu_seconds: 1e12,
        })}
      />,
    );
    expectCspSafe(wild);
    expect(wild).toContain('4096.0 TB');
    for (const [x, y] of points(wild)) expect(x >= 0 && x <= 300 && y >= 0 && y <= 60).toBe(true);
  });

  it('draws two samples of the same instant without dividing by zero', () => {
    expect(resourceModel(data({ samples: [sample(1, 1, 1), sample(1, 2, 2)] })).cpu.line).toBe('0,59.4 0,58.8');
  });
});

describe("sparklines of a task's last runs", () => {
  const run = (over: Partial<RunJson>): RunJson => ({
    run_id: 1,
    task_id: 't',
    status: 'success',
    trigger: 'api',
    exit_code: 0,
    signal: null,
    error: null,
    created_at: '2026-01-01T00:00:00.000Z',
    started_at: '2026-01-01T00:00:00.000Z',
    finished_at: '2026-01-01T00:00:01.000Z',
    duration_ms: 1000,
    log: '/api/logs/t_1.log',
    log_bytes: 0,
    peak_rss_bytes: MB,
    cpu_seconds: 0.5,
    params: {},
    attempt: 1,
    max_attempts: 1,
    retry_of: null,
    not_before: null,
    progress: null,
    ...over,
  });

  it('shows duration, peak memory and CPU oldest first, leaving out active runs and gaps for unmeasured ones', async () => {
    const html = await render(
      <RunTrends
        runs={[
          run({ run_id: 4, status: 'running', duration_ms: 5 }),
          run({ run_id: 3, duration_ms: 3000, peak_rss_bytes: 300 * MB, cpu_seconds: 2.25 }),
          run({ run_id: 2, duration_ms: 2000, peak_rss_bytes: null, cpu_seconds: null }),
          run({ run_id: 1, duration_ms: 1000, peak_rss_bytes: 100 * MB, cpu_seconds: 1 }),
        ]}
      />,
    );
    expectCspSafe(html);
    expect(html).toContain('The last 3 runs');
    expect(html).toContain('Duration of the last 3 runs, oldest first: 1.0 s, 2.0 s, 3.0 s');
    expect(html).toContain('Peak memory of the last 3 runs, oldest first: 100.0 MB, not measured, 300.0 MB');
    expect(html).toContain('>2.25 s<');
    expect(html.match(/<polyline/g)?.length).toBe(1 + 2 + 2);
  });

  it('handles no runs, one run and huge values', async () => {
    expect(await render(<RunTrends runs={[]} />)).toContain('No finished runs yet.');
    expect(await render(<RunTrends runs={[run({ status: 'queued' })]} />)).toContain('No finished runs yet.');
    const one = await render(<Sparkline label="CPU" values={[3]} format={String} />);
    expectCspSafe(one);
    expect(one).toContain('points="49,0 51,0"');
    const none = await render(<Sparkline label="CPU" values={[null, null]} format={String} />);
    expect(none).not.toContain('<polyline');
    expect(none).toContain('>–<');
    const huge = await render(<Sparkline label="Bytes" values={[1, Number.MAX_SAFE_INTEGER, Infinity]} format={String} />);
    expectCspSafe(huge);
    expect(huge).toContain('9007199254740991, not measured');
  });
});

describe('chart geometry', () => {
  it('rounds scales up to 1, 2 or 5 times a power of ten, never below the floor', () => {
    expect(niceMax(0, 100)).toBe(100);
    expect(niceMax(101, 100)).toBe(200);
    expect(niceMax(333, 100)).toBe(500);
    expect(niceMax(NaN, 100)).toBe(100);
    expect(niceMax(0, 0)).toBe(1);
  });

  it('maps time to width and value to height, bottom up', () => {
    expect(
      linePoints(
        [
          { x: 0, y: 0 },
          { x: 5, y: 50 },
          { x: 10, y: 100 },
        ],
        100,
      ),
    ).toBe('0,60 150,30 300,0');
    expect(linePoints([], 100)).toBe('');
    expect(sparkSegments([1, null, 2, 2], 100, 20)).toEqual(['0,10 1,10', '66.7,0 100,0']);
  });

  it('is CSS only, with classes the markup uses', () => {
    for (const cls of ['resource-charts', 'rc-line', 'rc-area', 'sparkline', 'spark-line']) expect(RESOURCE_CSS).toContain(`.${cls}`);
  });
});
