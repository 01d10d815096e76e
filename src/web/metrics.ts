import client from 'prom-client';
import type { Db } from '../db/client';
import { liveRunners } from '../queries/runners';
import { countActiveRuns } from '../runs/read';
import type { RunEvents } from './run-events';

export type Metrics = {
  registry: client.Registry;
  observeRequest: (method: string, route: string, status: number, seconds: number) => void;
};

const FINAL = new Set(['success', 'failed', 'timeout', 'canceled', 'error', 'lost']);

/**
 * Prometheus metrics of this web node. Run counters and histograms come from the run status NOTIFYs
 * every node receives, so they cost the runners nothing; the queue and slot gauges are read from
 * PostgreSQL at scrape time, so every node reports the same fleet-wide figures.
 */
export function createMetrics(db: Db, events: RunEvents, runnerDeadMs: number): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'taskrun_web_' });
  const started = new client.Counter({ name: 'taskrun_runs_started_total', help: 'Runs that started', registers: [registry] });
  const finished = new client.Counter({
    name: 'taskrun_runs_finished_total',
    help: 'Runs that ended, by status',
    labelNames: ['status'],
    registers: [registry],
  });
  const duration = new client.Histogram({
    name: 'taskrun_run_duration_seconds',
    help: 'Run duration from start to end',
    labelNames: ['status'],
    registers: [registry],
    buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 14400],
  });
  const queueLatency = new client.Histogram({
    name: 'taskrun_run_queue_seconds',
    help: 'Time from execute to the process starting',
    registers: [registry],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5, 30, 120],
  });
  const http = new client.Histogram({
    name: 'taskrun_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
  });
  events.subscribe('all', (e) => {
    if (e.status === 'running') {
      started.inc();
      if (e.queue_ms !== undefined) queueLatency.observe(e.queue_ms / 1000);
    } else if (FINAL.has(e.status)) {
      finished.inc({ status: e.status });
      if (e.duration_ms !== undefined) duration.observe({ status: e.status }, e.duration_ms / 1000);
    }
  });
  // One database read per scrape, shared by the four gauges (prom-client collects them concurrently).
  let reading: Promise<{ queued: number; running: number; total: number; used: number; live: number }> | undefined;
  const read = () =>
    (reading ??= Promise.all([countActiveRuns(db), liveRunners(db, runnerDeadMs)])
      .then(([counts, live]) => ({
        ...counts,
        total: live.reduce((n, r) => n + r.slots, 0),
        used: live.reduce((n, r) => n + r.running, 0),
        live: live.length,
      }))
      .finally(() => setImmediate(() => (reading = undefined))));
  const gauge = (
    name: string,
    help: string,
    set: (g: client.Gauge, v: Awaited<ReturnType<typeof read>>) => void,
    labelNames: string[] = [],
  ) =>
    new client.Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        set(this, await read());
      },
    });
  gauge('taskrun_queue_depth', 'Runs waiting in the queue', (g, v) => g.set(v.queued));
  gauge('taskrun_runs_running', 'Runs running now', (g, v) => g.set(v.running));
  gauge('taskrun_runners', 'Live runners', (g, v) => g.set(v.live));
  gauge(
    'taskrun_runner_slots',
    'Slots of live runners, total and in use',
    (g, v) => {
      g.set({ state: 'total' }, v.total);
      g.set({ state: 'used' }, v.used);
    },
    ['state'],
  );
  return {
    registry,
    observeRequest: (method, route, status, seconds) => http.observe({ method, route, status: String(status) }, seconds),
  };
}
