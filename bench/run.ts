import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cleanupAll } from './lib/cleanup';
import { judge, table } from './lib/judge';
import { machineInfo } from './lib/machine';
import { parseOptions } from './lib/options';
import { buildProduct, REPO, startProduct } from './lib/product';
import { realPython } from './lib/python';
import type { Result, Scenario, ScenarioContext } from './lib/types';
import { createWorkspace } from './lib/workspace';
import { burst } from './scenarios/burst';
import { chain } from './scenarios/chain';
import { dispatch } from './scenarios/dispatch';
import { firehose } from './scenarios/firehose';
import { footprint } from './scenarios/footprint';
import { history } from './scenarios/history';
import { webTier } from './scenarios/web';

// `npm run bench [-- --quick] [-- --only=1,3]`: every scenario against the product started as
// `npm start` does, each beside its baseline in the same run; prints the table and writes
// bench/results/latest.json. Exits non-zero only when something broke, never because of a timing.
const SCENARIOS: Scenario[] = [dispatch, chain, burst, firehose, webTier, history, footprint];

const opts = parseOptions(process.argv.slice(2));
const ws = createWorkspace();
if (opts.cpuProf) ws.profileDir = path.join(REPO, 'bench', 'results', 'profiles', new Date().toISOString().replace(/[:.]/g, '-'));
const log = (msg: string) => console.log(msg);
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n${signal}: stopping everything the bench started`);
    void cleanupAll().finally(() => {
      if (!opts.keep) ws.remove();
      process.exit(130);
    });
  });
}

const selected = SCENARIOS.filter((s) => !opts.only || opts.only.has(s.id));
const results: Result[] = [];
const details: Record<string, unknown> = {};
const failures: string[] = [];
const started = new Date();
const python = await realPython();
process.env.PYTHON ??= python;
const machine = machineInfo(python);
log(`taskrun bench${opts.quick ? ' --quick' : ''}: ${machine.cores} cores, ${machine.cpu}, node ${machine.node}; workspace ${ws.root}`);

try {
  // `npm start` builds dist/ when the sources changed; here it is built once and every scenario runs that build.
  buildProduct();
  if (selected.some((s) => s.id !== 7)) {
    // One cluster made once and copied for each scenario: initdb is scenario 7's subject, not everyone's.
    const t = await startProduct(ws, { name: 'template' });
    await t.stop();
    ws.template = t.dataDir;
  }
  for (const s of selected) {
    const t0 = Date.now();
    log(`\n== ${s.id}. ${s.name}`);
    const ctx: ScenarioContext = { opts, ws, log, details };
    try {
      const rows = (await s.run(ctx)).map(judge);
      results.push(...rows);
      console.log(table(rows));
    } catch (err) {
      failures.push(`${s.id}. ${s.name}: ${(err as Error).stack ?? err}`);
      console.error(`scenario ${s.id} failed: ${(err as Error).stack ?? err}`);
      await cleanupAll();
    }
    log(`(${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }
} finally {
  await cleanupAll();
  // A scenario that broke keeps the workspace: its product logs and run logs say why.
  if (failures.length > 0) console.error(`kept the workspace of the broken scenario(s): ${ws.root}`);
  else if (!opts.keep) ws.remove();
}

log(`\n${table(results)}`);
const missed = results.filter((r) => r.pass === false).length;
log(
  `\n${results.filter((r) => r.pass).length} targets met, ${missed} missed${opts.quick ? ' (--quick: timings are not judged; see the full run)' : ''}`,
);
const out = {
  quick: opts.quick,
  started_at: started.toISOString(),
  finished_at: new Date().toISOString(),
  machine: {
    ...machine,
    load_avg_at_end: os
      .loadavg()
      .map((l) => Math.round(l * 100) / 100)
      .join(' '),
  },
  results,
  details,
  failures,
};
const dir = path.join(REPO, 'bench', 'results');
fs.mkdirSync(dir, { recursive: true });
const name = opts.quick ? 'latest-quick.json' : opts.only ? `latest-only-${[...opts.only].join('-')}.json` : 'latest.json';
fs.writeFileSync(path.join(dir, name), `${JSON.stringify(out, null, 2)}\n`);
log(`wrote bench/results/${name}`);
if (ws.profileDir)
  log(`CPU profiles in ${path.relative(REPO, ws.profileDir)} (summarize one with: node --import tsx bench/profile-top.ts FILE)`);
if (failures.length > 0) {
  console.error(`\n${failures.length} scenario(s) broke:\n${failures.join('\n')}`);
  process.exit(1);
}
process.exit(0);
