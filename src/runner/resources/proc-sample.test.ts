import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { createGroupReader, procUnits } from './proc-sample';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const groups: number[] = [];
afterEach(() => {
  for (const g of groups.splice(0)) {
    try {
      process.kill(-g, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

// A process group as a run has one: detached, so its own session and group.
function startGroup(script: string): number {
  const child = spawn('bash', ['-c', script], { detached: true, stdio: 'ignore' });
  groups.push(child.pid!);
  return child.pid!;
}

describe('reading process groups from /proc', () => {
  it("finds a group's members, children started later included, and nothing of other groups", async () => {
    const units = procUnits();
    expect(units.ticksPerS).toBeGreaterThan(0);
    expect(units.pageBytes).toBeGreaterThan(0);
    const read = createGroupReader(units);
    const watched = startGroup('sleep 0.5; sleep 1000 & sleep 1000 & wait');
    const other = startGroup('sleep 1000 & wait');
    await sleep(100);
    const first = read(new Set([watched]));
    expect(first.get(watched)?.map((p) => p.pid)).toContain(watched); // and its `sleep 0.5`
    expect(first.has(other)).toBe(false);
    for (let i = 0; i < 100 && (read(new Set([watched])).get(watched)?.length ?? 0) < 3; i++) await sleep(50);
    const later = read(new Set([watched])).get(watched)!;
    expect(later).toHaveLength(3);
    expect(later.filter((p) => p.ppid === watched)).toHaveLength(2);
    for (const p of later) {
      expect(p.zombie).toBe(false);
      expect(p.rssBytes).toBeGreaterThan(0);
    }
    // A group added later is found although its members were read before as outsiders.
    expect(read(new Set([watched, other])).get(other)?.length).toBe(2);
    // Once killed, what is left of it are zombies (an init may never reap orphans): no memory, no live process.
    process.kill(-watched, 'SIGKILL');
    const alive = () => (read(new Set([watched])).get(watched) ?? []).filter((p) => !p.zombie);
    for (let i = 0; i < 100 && alive().length > 0; i++) await sleep(50);
    expect(alive()).toEqual([]);
  });
});
