import fs from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * Counts bytes on their way to the log file and drops everything past `maxBytes`, once writing a
 * marker line; it keeps reading after the cap so the task is never blocked on a full pipe.
 */
export class LogCap extends Transform {
  bytes = 0;
  truncated = false;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.truncated) return done();
    const room = this.maxBytes - this.bytes;
    if (chunk.length <= room) {
      this.bytes += chunk.length;
      return done(null, chunk);
    }
    this.truncated = true;
    const marker = Buffer.from(`\n[taskrun: log reached LOG_MAX_BYTES (${this.maxBytes} bytes); further output is dropped, the run goes on]\n`);
    this.bytes += room + marker.length;
    done(null, Buffer.concat([chunk.subarray(0, room), marker]));
  }
}

/** Opens a run's log file for writing; resolves once it is open, so a bad LOGS_DIR fails before the spawn. */
export async function openLogFile(file: string): Promise<fs.WriteStream> {
  const stream = fs.createWriteStream(file, { flags: 'w', mode: 0o644 });
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
