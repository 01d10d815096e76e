import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * True in the plain-JavaScript bundle (`dist/`, what `npm start` runs), false when the TypeScript
 * sources run through tsx or vitest. esbuild keeps `import.meta.url`, which is then the bundle's file.
 */
export const BUNDLED = !/\.tsx?$/.test(import.meta.url);

// The folder of package.json, looked up from this code's own place: src/ when the sources run, dist/
// in the bundle. Files the app reads at run time (drizzle/, styles) are found from here in both cases.
function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (dir === path.dirname(dir)) throw new Error(`no package.json above ${from}`);
  }
}

/** The project folder: package.json, drizzle/, src/, dist/, node_modules/. */
export const PACKAGE_ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));
