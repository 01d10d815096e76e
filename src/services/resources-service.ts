import { getRunSamples } from '../runs/samples';
import type { Deps } from './deps';
import { z } from 'zod';
import { runSchema } from '../runs/json';
import { requireRun } from '../runs/service';

/** One resource sample as the API shows it: when, CPU (100 = one core) and resident memory of the run's tree. */
export const sampleSchema = z.object({ t: z.string(), cpu_pct: z.number(), rss_bytes: z.number() });
export type SampleJson = z.infer<typeof sampleSchema>;

/** GET /api/runs/:run_id/resources: a run's samples, oldest first, with its totals and enough to know if more will come. */
export const resourcesSchema = z.object({
  run_id: z.number().int(),
  status: runSchema.shape.status,
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  samples: z.array(sampleSchema),
  peak_rss_bytes: z.number().nullable(),
  cpu_seconds: z.number().nullable(),
});
export type ResourcesJson = z.infer<typeof resourcesSchema>;

/** A run's resource samples and totals; 404 for an unknown run. */
export async function getRunResources(deps: Deps, runId: number): Promise<ResourcesJson> {
  const run = await requireRun(deps, runId);
  const samples = await getRunSamples(deps.db, runId);
  return {
    run_id: run.id,
    status: run.status,
    started_at: run.startedAt?.toISOString() ?? null,
    finished_at: run.finishedAt?.toISOString() ?? null,
    samples: samples.map((s) => ({ t: s.at.toISOString(), cpu_pct: s.cpuPct, rss_bytes: s.rssBytes })),
    peak_rss_bytes: run.peakRssBytes,
    cpu_seconds: run.cpuSeconds === null ? null : Math.round(run.cpuSeconds * 100) / 100,
  };
}
