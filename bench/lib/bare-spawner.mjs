// The baselines' "bare Node loop": a plain Node process (no tsx, no libraries, a small heap) that
// spawns the commands the bench asks for over IPC and reports when each started and ended. It is
// plain JavaScript on purpose: fork() cost grows with the parent's memory, so the floor must be
// spawned from a process as lean as Node gets, not from the bench itself.
import { spawn } from 'node:child_process';
import fs from 'node:fs';

// Wall-clock ms with µs resolution, anchored to a Date.now() tick (see clock.ts).
let anchorWall = Date.now();
let anchorPerf = performance.now();
function anchor() {
  const start = Date.now();
  let wall = Date.now();
  while (wall === start) wall = Date.now();
  anchorPerf = performance.now();
  anchorWall = wall;
}
const wallMs = () => anchorWall + (performance.now() - anchorPerf);

// One command; stdout captured, written to `file` (with stderr, as `> file 2>&1`), or dropped.
function run(job, cwd) {
  return new Promise((resolve, reject) => {
    const fd = job.file ? fs.openSync(job.file, 'w') : undefined;
    const t0 = wallMs();
    const m0 = performance.now();
    const child = spawn(job.cmd, job.args, { cwd, stdio: ['ignore', job.capture ? 'pipe' : (fd ?? 'ignore'), fd ?? 'inherit'] });
    const chunks = [];
    child.stdout?.on('data', (c) => chunks.push(c));
    child.once('error', reject);
    child.once('close', (code) => {
      const ms = performance.now() - m0;
      if (fd !== undefined) fs.closeSync(fd);
      resolve({ t0, ms, code, stdout: job.capture ? Buffer.concat(chunks).toString('utf8') : undefined });
    });
  });
}

// Many commands at a given concurrency (1: one after the other); the answer is the first failure or the total time.
async function batch(jobs, concurrency, cwd) {
  const m0 = performance.now();
  let next = 0;
  let failed;
  const worker = async () => {
    while (next < jobs.length) {
      const r = await run(jobs[next++], cwd);
      if (r.code !== 0) failed ??= r.code;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
  return { t0: 0, ms: performance.now() - m0, code: failed ?? 0 };
}

process.on('message', (req) => {
  const answer = (p) =>
    p.then(
      (r) => process.send({ id: req.id, ...r }),
      (err) => process.send({ id: req.id, error: err.message }),
    );
  if (req.anchor) {
    anchor();
    process.send({ id: req.id });
  } else if (req.jobs) answer(batch(req.jobs, req.concurrency, req.cwd));
  else answer(run(req, req.cwd));
});
process.on('disconnect', () => process.exit(0));
