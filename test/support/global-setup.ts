import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/db/embedded';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
  }
}

// dist/ as `npm start` would build it, once, before any test file: the web serves the browser files of
// dist/assets/ (from the sources too), and the tests that start the product as `npm start` does run dist/.
function buildIfStale() {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--if-stale'], { cwd: root, stdio: 'inherit' });
}

// One PostgreSQL for the whole run: TEST_DATABASE_URL when set, else an embedded server in a temp folder.
export default async function setup(project: TestProject) {
  buildIfStale();
  if (process.env.TEST_DATABASE_URL) {
    project.provide('pgUrl', process.env.TEST_DATABASE_URL);
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskrun-test-pg-'));
  fs.chmodSync(dir, 0o755); // as root the server runs as taskrun-pg, which must be able to enter it
  const pg = await startEmbeddedPostgres(dir);
  project.provide('pgUrl', pg.url);
  return async () => {
    await pg.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
