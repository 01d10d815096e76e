import fs from 'node:fs';
import fsp from 'node:fs/promises';

// How far past an offset a line start is looked for; a longer line is entered at a character start.
const LINE_SCAN_BYTES = 64 * 1024;

/** The size of a log file now; undefined when there is no such file. */
export async function logSize(file: string): Promise<number | undefined> {
  return fsp.stat(file).then(
    (s) => s.size,
    () => undefined,
  );
}

/** Bytes `start` to `end` (exclusive) of a log as a stream, so a large log is never held in memory. */
export function logStream(file: string, start: number, end: number): fs.ReadStream | null {
  return end > start ? fs.createReadStream(file, { start, end: end - 1, highWaterMark: 64 * 1024 }) : null;
}

/**
 * Reads at most `max` bytes from `offset`, ending at the last line break when there is one (or at a
 * UTF-8 character boundary), so each piece is whole text. Returns the bytes read, possibly none.
 */
export async function readLogPiece(file: string, offset: number, max = 64 * 1024, whole = false): Promise<Buffer> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(file, 'r');
  } catch {
    return Buffer.alloc(0);
  }
  try {
    return await readPiece(handle, offset, max, whole);
  } finally {
    await handle.close();
  }
}

/**
 * readLogPiece through a file already open (a live log's shared reader keeps its file open), into
 * `buf` when given (the piece is then a view of it, valid until the next read into it).
 */
export async function readPiece(
  handle: fsp.FileHandle,
  offset: number,
  max: number,
  whole: boolean,
  buf = Buffer.allocUnsafe(max),
): Promise<Buffer> {
  const { bytesRead } = await handle.read(buf, 0, max, offset);
  const data = buf.subarray(0, bytesRead);
  if (whole || bytesRead === 0) return data;
  const nl = data.lastIndexOf(0x0a);
  if (nl >= 0) return data.subarray(0, nl + 1);
  if (bytesRead < max) return Buffer.alloc(0); // a partial line: wait for the rest of it
  return data.subarray(0, utf8Boundary(data));
}

/**
 * The first line start at or after `near` (0 when `near` is at or before the beginning): where a view
 * of part of a log begins, so it never starts inside a line or a UTF-8 character.
 */
export async function lineStartNear(handle: fsp.FileHandle, near: number): Promise<number> {
  if (near <= 0) return 0;
  const buf = Buffer.allocUnsafe(LINE_SCAN_BYTES);
  // From the byte before `near`: a line break there makes `near` itself a line start.
  const { bytesRead } = await handle.read(buf, 0, buf.length, near - 1);
  const nl = buf.subarray(0, bytesRead).indexOf(0x0a);
  if (nl >= 0) return near + nl;
  // A line longer than the scan: the first character start from `near` will do (buf[1] is at `near`).
  let i = 1;
  while (i < bytesRead && (buf[i] & 0xc0) === 0x80) i++;
  return near - 1 + i;
}

/** Where a view of a log's last `max` bytes starts: the first line start among them (0 for a smaller log). */
export async function tailStart(file: string, size: number, max: number): Promise<number> {
  if (size <= max) return 0;
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(file, 'r');
  } catch {
    return 0;
  }
  try {
    return await lineStartNear(handle, size - max);
  } finally {
    await handle.close();
  }
}

// Backs off over UTF-8 continuation bytes so a character is never cut in two.
function utf8Boundary(data: Buffer): number {
  let end = data.length;
  for (let i = data.length - 1; i >= Math.max(0, data.length - 4); i--) {
    const b = data[i];
    if ((b & 0xc0) === 0x80) continue;
    if (b >= 0xc0) end = i;
    break;
  }
  return end;
}
