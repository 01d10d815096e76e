import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The folder of package.json, looked up from this code's own place: src/ when the sources run (tests),
// dist/ in the build. Files the app reads at run time (drizzle/, dist/assets/) are found from here.
function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (dir === path.dirname(dir)) throw new Error(`no package.json above ${from}`);
  }
}

/** The project folder: package.json, drizzle/, src/, dist/, node_modules/. */
export const PACKAGE_ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));
