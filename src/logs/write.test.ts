import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LogCap, LogFiles, pumpToLog, type LogPump, type OutputStage } from './write';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskrun-log-writer-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
const logFile = () => path.join(dir, `${++n}.log`);
const files = new LogFiles();

// Takes out the lines that start with "::" (as the runner's progress stage does), keeping them aside;
// each chunk here holds whole lines.
class DropCommands implements OutputStage {
  readonly dropped: string[] = [];
  push(chunk: Buffer) {
    const lines = chunk.toString().split(/(?<=\n)/);
    this.dropped.push(...lines.filter((l) => l.startsWith('::')).map((l) => l.trimEnd()));
    return Buffer.from(lines.filter((l) => !l.startsWith('::')).join(''));
  }
  end() {
    return undefined;
  }
}

// Upper-cases what it is given and holds back the last byte of each chunk until the next or the end.
class HoldLast implements OutputStage {
  private held = Buffer.alloc(0);
  push(chunk: Buffer) {
    const all = Buffer.concat([this.held, chunk]);
    this.held = Buffer.from(all.subarray(all.length - 1));
    return Buffer.from(
      all
        .subarray(0, all.length - 1)
        .toString()
        .toUpperCase(),
    );
  }
  end() {
    const rest = this.held;
    this.held = Buffer.alloc(0);
    return Buffer.from(rest.toString().toUpperCase());
  }
}

// Pushes chunks as a reader would, from one reused buffer (overwritten after each push), waiting
// whenever the pump says it has no room.
async function feed(pump: LogPump, chunks: Buffer[]): Promise<void> {
  const reused = Buffer.alloc(Math.max(...chunks.map((c) => c.length)));
  for (const c of chunks) {
    c.copy(reused);
    const more = pump.push(reused.subarray(0, c.length));
    reused.fill(0x21);
    if (!more) await new Promise<void>((r) => pump.whenRoom(r));
  }
}

describe('pumpToLog', () => {
  it('writes chunks through every stage, a held rest through the later stages, and notes through the cap only', async () => {
    const file = logFile();
    const commands = new DropCommands();
    const cap = new LogCap(1000);
    const pump = pumpToLog([commands, new HoldLast(), cap], await files.open(file));
    await feed(pump, [Buffer.from('one\n::progress 40\n'), Buffer.from('two\n')]);
    pump.note('a note');
    await feed(pump, [Buffer.from('three')]);
    pump.end();
    await pump.done;
    pump.note('after the output');
    await pump.close('the last word');
    // The note lands before the byte HoldLast still holds (the "\n" after TWO); the last held byte
    // ("E") reaches the cap when the output ends. No byte comes from the reader's reused buffer later.
    // Notes after the output ended, and the last word of close, still go in, in order.
    expect(fs.readFileSync(file, 'utf8')).toBe('ONE\nTWO[taskrun] a note\n\nTHREE[taskrun] after the output\n[taskrun] the last word\n');
    expect(commands.dropped).toEqual(['::progress 40']);
    expect(cap.bytes).toBe(fs.statSync(file).size);
  });

  it('keeps every byte of output far larger than its buffers, in order, asking the reader to wait', async () => {
    const file = logFile();
    const pump = pumpToLog([new LogCap(1e9)], await files.open(file));
    const chunk = (i: number) => Buffer.from(`${String(i).padStart(8, '0')}${'x'.repeat(65_527)}\n`);
    const count = 200; // about 13 MB
    let waits = 0;
    const whenRoom = pump.whenRoom;
    pump.whenRoom = (fn) => {
      waits++;
      whenRoom(fn);
    };
    await feed(
      pump,
      Array.from({ length: count }, (_, i) => chunk(i)),
    );
    pump.end();
    await pump.close();
    const text = fs.readFileSync(file);
    expect(text.length).toBe(count * 65_536);
    for (const i of [0, 1, 99, 199]) expect(text.subarray(i * 65_536, i * 65_536 + 8).toString()).toBe(String(i).padStart(8, '0'));
    expect(waits).toBeGreaterThan(0);
  });

  it('rejects when the file cannot be written, and closes the file', async () => {
    const target = (fd: string) => {
      try {
        return fs.readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return undefined; // the descriptor readdir itself used
      }
    };
    const openFull = () => fs.readdirSync('/proc/self/fd').filter((fd) => target(fd) === '/dev/full').length;
    const before = openFull();
    const pump = pumpToLog([new LogCap(1e9)], await files.open('/dev/full'));
    expect(openFull()).toBe(before + 1);
    pump.push(Buffer.alloc(4096, 'a'));
    await expect(pump.done).rejects.toThrow(/ENOSPC/);
    // A failed log lets go of its file (on a full disk, removing it must free the space): the close
    // is on its way; it lands within a few event loop turns.
    for (let i = 0; i < 500 && openFull() > before; i++) await new Promise((r) => setTimeout(r, 10));
    expect(openFull()).toBe(before);
  });
});
