import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type TestDirs = { root: string; tasksDir: string; logsDir: string; dataDir: string; cleanup: () => void };

/** Fresh tasks/, logs/ and data/ folders in a temp root, plus an `outside` file tests check is never touched. */
export function createDirs(): TestDirs {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'taskrun-test-'));
  const dirs = {
    root,
    tasksDir: path.join(root, 'tasks'),
    logsDir: path.join(root, 'logs'),
    dataDir: path.join(root, 'data'),
  };
  for (const d of [dirs.tasksDir, dirs.logsDir, dirs.dataDir]) fs.mkdirSync(d);
  fs.writeFileSync(path.join(root, 'outside.txt'), 'must never be read or changed\n');
  return { ...dirs, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/** Writes a task script into the tasks folder. */
export function writeTask(dirs: TestDirs, file: string, content: string, mode = 0o644): void {
  fs.writeFileSync(path.join(dirs.tasksDir, file), content, { mode });
}
