import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { BUNDLED, PACKAGE_ROOT } from '../package-root';

/** Client entry points under src/views/client that can be bundled for the browser. */
export type ClientEntry = 'editor' | 'app';

/** Where the build step (scripts/build.mjs) writes the client bundles, beside the server's. */
const CLIENT_DIST = path.join(PACKAGE_ROOT, 'dist', 'client');

/** Bundles one client entry and its imports into a single minified browser script (scripts/build.mjs uses the same options). */
async function bundleClient(entry: ClientEntry): Promise<string> {
  // Loaded here, not at the top: the web process that runs from dist/ never needs the bundler.
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [path.join(PACKAGE_ROOT, 'src', 'views', 'client', `${entry}.ts`)],
    bundle: true,
    write: false,
    minify: true,
    format: 'iife',
    target: 'es2020',
    platform: 'browser',
    logLevel: 'silent',
  });
  return result.outputFiles.map((file) => file.text).join('');
}

/** A client script: built with the server when running from dist/, else bundled from the sources now. */
export async function clientScript(entry: ClientEntry): Promise<string> {
  return BUNDLED ? readFile(path.join(CLIENT_DIST, `${entry}.js`), 'utf8') : bundleClient(entry);
}
