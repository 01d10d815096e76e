import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * `out` is where tests' tasks write what a test reads afterwards: runs execute as unprivileged uids that
 * may write only their own scratch folder (removed after the run) and world-writable folders like this.
 */
export type TestDirs = {
  root: string;
  tasksDir: string;
  logsDir: string;
  dataDir: string;
  workDir: string;
  out: string;
  cleanup: () => void;
};

/**
 * A temp root that run users may pass through (0711, as runs need to reach TASKS_DIR and their scratch
 * folders), like the folders taskrun is deployed in.
 */
export function reachableTempDir(prefix: string): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(root, 0o711);
  return root;
}

/** Fresh tasks/, logs/, data/ and work/ folders in a temp root, plus an `outside` file tests check is never touched. */
export function createDirs(): TestDirs {
  const root = reachableTempDir('taskrun-test-');
  const dirs = {
    root,
    tasksDir: path.join(root, 'tasks'),
    logsDir: path.join(root, 'logs'),
    dataDir: path.join(root, 'data'),
    workDir: path.join(root, 'work'),
    out: path.join(root, 'out'),
  };
  for (const d of [dirs.tasksDir, dirs.logsDir, dirs.dataDir, dirs.out]) fs.mkdirSync(d);
  fs.chmodSync(dirs.out, 0o1777);
  fs.writeFileSync(path.join(root, 'outside.txt'), 'must never be read or changed\n');
  return { ...dirs, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/** Writes a task script into the tasks folder. */
export function writeTask(dirs: TestDirs, file: string, content: string, mode = 0o644): void {
  fs.writeFileSync(path.join(dirs.tasksDir, file), content, { mode });
}
