import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { killStrays } from './cleanup';

/** The bench's temp folder: one sub-folder per product instance; removed at the end, never in git. */
export type Workspace = {
  root: string;
  /** A new folder under the root, reachable by the `postgres` system user (the server runs as it under root). */
  dir: (name: string) => string;
  /** A data folder holding a stopped, migrated cluster, to copy instead of running initdb for every scenario. */
  template: string | undefined;
  /** When set (`--cpu-prof`), every taskrun process writes a CPU profile under it, a folder per instance. */
  profileDir: string | undefined;
  remove: () => void;
};

/** Creates the workspace in the system temp folder (mode 0755, as the embedded server needs). */
export function createWorkspace(): Workspace {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'taskrun-bench-'));
  fs.chmodSync(root, 0o755);
  let n = 0;
  const ws: Workspace = {
    root,
    template: undefined,
    profileDir: undefined,
    dir: (name) => {
      const dir = path.join(root, `${String(++n).padStart(2, '0')}-${name}`);
      fs.mkdirSync(dir, { mode: 0o755 });
      fs.chmodSync(dir, 0o755);
      return dir;
    },
    remove: () => {
      killStrays(root);
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
  return ws;
}
