import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

/** Client entry points under src/views/client that can be bundled for the browser. */
export type ClientEntry = 'editor' | 'app';

const ENTRIES: Record<ClientEntry, URL> = {
  editor: new URL('../views/client/editor.ts', import.meta.url),
  app: new URL('../views/client/app.ts', import.meta.url),
};

/** Bundles one client entry and its imports into a single minified browser script. */
export async function bundleClient(entry: ClientEntry): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(ENTRIES[entry])],
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
