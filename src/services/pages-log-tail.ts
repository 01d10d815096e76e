import fs from 'node:fs/promises';
import type { Run } from '../queries/run-types';
import { logPath } from '../runs/log-path';
import type { Deps } from './deps';

const SCAN = 16 * 1024; // how far past the cut the start of a line is looked for

/**
 * Where a view of a large log starts: the first line start within its last `max` bytes (0 for a log
 * no larger than that), so the shown tail never begins inside a line or a UTF-8 character.
 */
export async function logTailStart(deps: Deps, run: Pick<Run, 'taskId' | 'id'>, size: number, max: number): Promise<number> {
  if (size <= max) return 0;
  const from = size - max;
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(logPath(deps.cfg.logsDir, run.taskId, run.id), 'r');
  } catch {
    return 0;
  }
  try {
    const buf = Buffer.alloc(Math.min(SCAN, size - from));
    const { bytesRead } = await handle.read(buf, 0, buf.length, from);
    const nl = buf.subarray(0, bytesRead).indexOf(0x0a);
    if (nl >= 0) return from + nl + 1;
    // One very long line: start at a character boundary instead (skip UTF-8 continuation bytes).
    let i = 0;
    while (i < bytesRead && (buf[i] & 0xc0) === 0x80) i++;
    return from + i;
  } finally {
    await handle.close();
  }
}
