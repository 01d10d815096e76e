import fs from 'node:fs';
import type { Readable } from 'node:stream';

/**
 * One step of a run's output on its way to the log (progress lines out, secrets masked, the cap).
 * Synchronous, so a chunk crosses every step in one call: stream stages each cost a hop per chunk,
 * which halved the firehose's throughput. `end` returns what a step still held when the output ended.
 */
export interface OutputStage {
  push(chunk: Buffer): Buffer | undefined;
  end(): Buffer | undefined;
}

/**
 * Counts bytes on their way to the log file and drops everything past `maxBytes`, once writing a
 * marker line; it keeps reading after the cap so the task is never blocked on a full pipe.
 */
export class LogCap implements OutputStage {
  bytes = 0;
  truncated = false;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): Buffer | undefined {
    if (this.truncated) return undefined;
    const room = this.maxBytes - this.bytes;
    if (chunk.length <= room) {
      this.bytes += chunk.length;
      return chunk;
    }
    this.truncated = true;
    const marker = Buffer.from(`\n[taskrun: log reached LOG_MAX_BYTES (${this.maxBytes} bytes); further output is dropped, the run goes on]\n`);
    this.bytes += room + marker.length;
    return Buffer.concat([chunk.subarray(0, room), marker]);
  }

  end(): undefined {
    return undefined;
  }
}

// Lets the next pipe read proceed while the last chunks are being written (the default 16 KiB made
// every 64 KiB read wait for its write); it bounds what a run holds in memory.
const LOG_WRITE_BUFFER = 1024 * 1024;

/** Opens a run's log file for writing; resolves once it is open, so a bad LOGS_DIR fails before the spawn. */
export async function openLogFile(file: string): Promise<fs.WriteStream> {
  const stream = fs.createWriteStream(file, { flags: 'w', mode: 0o644, highWaterMark: LOG_WRITE_BUFFER });
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  return stream;
}

/** Appends one line written by taskrun itself (why a run could not start), then closes the file. */
export async function writeLineAndClose(stream: fs.WriteStream, line: string): Promise<number> {
  const buf = Buffer.from(`[taskrun] ${line}\n`);
  await new Promise<void>((resolve, reject) => stream.end(buf, () => resolve()).once('error', reject));
  return buf.length;
}

/** A run's output on its way to its log file. */
export type LogPump = {
  /** Settles once every source has closed and the file is complete; rejects when writing the file fails. */
  done: Promise<void>;
  /** Writes a line of taskrun's own, through the last stage only (the cap), while the log is open. */
  note: (line: string) => void;
  /** Closes the sources (a process that left its group may hold a pipe forever); `done` follows. */
  cut: () => void;
};

/**
 * Carries `sources` (stdout and stderr, in the order their chunks arrive) through `stages` to `out`.
 * When the file falls behind, every source pauses, so the task blocks on a full pipe and nothing
 * piles up in memory beyond the file's buffer.
 */
export function pumpToLog(sources: Readable[], stages: OutputStage[], out: fs.WriteStream): LogPump {
  let open = true;
  let paused = false;
  const resume = () => {
    paused = false;
    for (const s of sources) s.resume();
  };
  const write = (buf: Buffer | undefined) => {
    if (!open || !buf || buf.length === 0 || out.write(buf) || paused) return;
    paused = true;
    for (const s of sources) s.pause();
    out.once('drain', resume);
  };
  // A chunk from stage `from` on; what a stage drops goes no further.
  const through = (chunk: Buffer | undefined, from = 0) => {
    let buf = chunk;
    for (let i = from; i < stages.length && buf; i++) buf = stages[i]!.push(buf);
    write(buf);
  };
  const done = new Promise<void>((resolve, reject) => {
    let left = sources.length;
    out.once('error', (err) => {
      open = false;
      for (const s of sources) s.destroy();
      reject(err);
    });
    const finish = () => {
      for (let i = 0; i < stages.length; i++) through(stages[i]!.end(), i + 1);
      if (!open) return;
      open = false;
      out.end(() => resolve());
    };
    if (left === 0) finish();
    for (const s of sources) {
      s.on('data', (chunk: Buffer) => through(chunk));
      // 'close' comes after 'end', and also when the source is cut or fails.
      s.once('close', () => --left === 0 && finish());
      s.on('error', () => {});
    }
  });
  const last = Math.max(0, stages.length - 1);
  return {
    done,
    note: (line) => through(Buffer.from(`[taskrun] ${line}\n`), last),
    cut: () => {
      for (const s of sources) s.destroy();
    },
  };
}
