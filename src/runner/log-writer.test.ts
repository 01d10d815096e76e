import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { LogCap, openLogFile, pumpToLog, type OutputStage } from './log-writer';
import { ProgressFilter } from './progress-filter';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskrun-log-writer-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
const logFile = () => path.join(dir, `${++n}.log`);

// Upper-cases what it is given and holds back the last byte of each chunk until the next or the end.
class HoldLast implements OutputStage {
  private held = Buffer.alloc(0);
  push(chunk: Buffer) {
    const all = Buffer.concat([this.held, chunk]);
    this.held = Buffer.from(all.subarray(all.length - 1));
    return Buffer.from(all.subarray(0, all.length - 1).toString().toUpperCase());
  }
  end() {
    const rest = this.held;
    this.held = Buffer.alloc(0);
    return Buffer.from(rest.toString().toUpperCase());
  }
}

describe('pumpToLog', () => {
  it('writes both sources in arrival order through every stage, and a held rest through the later stages', async () => {
    const file = logFile();
    const out = await openLogFile(file);
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const progress: number[] = [];
    const cap = new LogCap(1000);
    const pump = pumpToLog([stdout, stderr], [new ProgressFilter((p) => progress.push(p.percent)), new HoldLast(), cap], out);
    stdout.write('one\n::progress 40\n');
    await new Promise((r) => setImmediate(r));
    stderr.write('two\n');
    await new Promise((r) => setImmediate(r));
    pump.note('a note');
    stdout.end('three');
    stderr.end();
    await pump.done;
    // The note passes the cap only, so it lands before the byte HoldLast still holds (the "\n" after
    // TWO); the last held byte ("E") reaches the cap when the output ends.
    expect(fs.readFileSync(file, 'utf8')).toBe('ONE\nTWO[taskrun] a note\n\nTHREE');
    expect(progress).toEqual([40]);
    expect(cap.bytes).toBe(fs.statSync(file).size);
  });

  it('keeps every byte of a source far larger than the file buffer, in order', async () => {
    const file = logFile();
    const out = await openLogFile(file);
    const chunk = (i: number) => Buffer.from(`${String(i).padStart(8, '0')}${'x'.repeat(65_527)}\n`);
    const count = 200; // about 13 MB: the pump pauses the source while the file catches up
    const pump = pumpToLog([Readable.from((function* () { for (let i = 0; i < count; i++) yield chunk(i); })())], [new LogCap(1e9)], out);
    await pump.done;
    const text = fs.readFileSync(file);
    expect(text.length).toBe(count * 65_536);
    for (const i of [0, 1, 99, 199]) expect(text.subarray(i * 65_536, i * 65_536 + 8).toString()).toBe(String(i).padStart(8, '0'));
  });

  it('rejects when the file cannot be written, and stops reading its sources', async () => {
    const out = await openLogFile('/dev/full');
    const source = new PassThrough();
    const pump = pumpToLog([source], [new LogCap(1e9)], out);
    source.write(Buffer.alloc(4096, 'a'));
    await expect(pump.done).rejects.toThrow(/ENOSPC/);
    expect(source.destroyed).toBe(true);
  });

  it('ends when cut, with what arrived before, though a source never ended', async () => {
    const file = logFile();
    const out = await openLogFile(file);
    const held = new PassThrough();
    const pump = pumpToLog([held], [new LogCap(1e9)], out);
    held.write('before the cut\n');
    await new Promise((r) => setImmediate(r));
    pump.cut();
    await pump.done;
    expect(fs.readFileSync(file, 'utf8')).toBe('before the cut\n');
  });
});
