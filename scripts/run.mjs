// `node scripts/run.mjs ENTRY [args]` (npm start, npm run runner, web, taskrun): runs dist/ENTRY.js with
// plain node, after building dist/ when the sources changed since it was built. npm install builds it
// (`prepare`); this keeps a checkout's `npm start` running what its sources say after an edit or a pull.
// Checked rather than always built: the check reads the sources' sizes and times (tens of ms), a build
// takes seconds (about ten on a busy 2-core machine). The build runs as a process of its own
// (scripts/build.mjs), which ends, and esbuild's service process with it, before the entry is loaded.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DIST, ENTRIES, isFresh } from './build.mjs';

const entry = process.argv[2];
if (!ENTRIES.includes(entry)) {
  console.error(`usage: node scripts/run.mjs ${ENTRIES.join('|')} [args]`);
  process.exit(2);
}
if (!isFresh()) {
  const builder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'build.mjs');
  // Its report goes to stderr: the CLI's stdout is its answer (`npm run taskrun -- token create`).
  const built = spawnSync(process.execPath, [builder], { stdio: ['ignore', 2, 2] });
  if (built.status !== 0) {
    console.error(`building dist/ failed (${built.error?.message ?? built.signal ?? `exit code ${built.status}`}); see above`);
    process.exit(1);
  }
}
// The entry reads its own arguments from process.argv.slice(2), as if it had been started directly.
process.argv.splice(2, 1);
await import(pathToFileURL(path.join(DIST, `${entry}.js`)).href);
