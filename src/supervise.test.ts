import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { processAlive } from './proc-stat';
import { supervise } from './supervise';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskrun-supervise-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// A child stuck in its shutdown: it ignores SIGTERM, then says it is ready with its pid.
const stubborn = path.join(dir, 'stubborn.mjs');
fs.writeFileSync(stubborn, "process.on('SIGTERM', () => {});\nprocess.send({ pid: process.pid });\nsetInterval(() => {}, 1000);\n");

describe('supervise', () => {
  it('kills a child that ignores SIGTERM once its time to stop is over, says so, and stops', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    let ready: (pid: number) => void;
    const started = new Promise<number>((resolve) => (ready = resolve));
    const child = supervise('stubborn', stubborn, process.env, log, {
      stopWithinMs: 300,
      onMessage: (m) => ready((m as { pid: number }).pid),
    });
    const pid = await started;

    await child.stop();
    expect(processAlive(pid)).toBe(false);
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({
        level: 50,
        child: 'stubborn',
        pid,
        waited_ms: 300,
        msg: 'stubborn did not stop after SIGTERM; killing it',
      }),
    ]);
  });
});
