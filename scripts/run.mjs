// `node scripts/run.mjs ENTRY [args]` (npm start, npm run runner, web, taskrun): runs dist/ENTRY.js
// with plain node, building dist/ first when the sources changed since it was built (a few ms to
// check, about a second to build). So `npm install && npm start` needs no separate build step.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DIST, ENTRIES, build, isFresh, sourcesId } from './build.mjs';

const entry = process.argv[2];
if (!ENTRIES.includes(entry)) {
  console.error(`usage: node scripts/run.mjs ${ENTRIES.join('|')} [args]`);
  process.exit(2);
}
// One walk of the sources decides and, when needed, stamps the build.
const id = sourcesId();
if (!isFresh(id)) await build(id);
// The entry reads its own arguments from process.argv.slice(2), as if it had been started directly.
process.argv.splice(2, 1);
await import(pathToFileURL(path.join(DIST, `${entry}.js`)).href);
