// A `log` event as bytes, made once per piece by a run's shared tail and written as they are to every
// viewer. Hono's writeSSE, which the smaller events use, makes the same bytes for each viewer: a regular
// expression split, a join and a UTF-8 encoding of each 256 KiB piece, about 25 ms a piece on the bench
// machine against about 5 ms for this once, so ten viewers of a busy log would get about 1 MiB/s.

const CR = 0x0d;
const LOG_HEAD = Buffer.from('event: log\ndata: ');
// Pieces are encoded in parts below V8's large-object size (128 KB): strings that big are freed only
// by a full collection, and a firehose makes hundreds of MB of them between two.
const PART_BYTES = 60 * 1024;

/**
 * A `log` event carrying `piece` (whole UTF-8 text) with the byte offset after it as its id. Every line
 * becomes a `data:` line; CR, LF and CRLF all end a line, as the SSE format reads them. Done on a
 * latin1 view of the bytes (one character per byte, so UTF-8 passes through untouched): a native
 * replace, where a copy per line costs a call per line.
 */
export function logEvent(piece: Buffer, id: number): Buffer {
  if (piece.includes(CR)) return withCarriageReturns(piece, id);
  const parts: string[] = [];
  for (let at = 0; at < piece.length; at += PART_BYTES) {
    parts.push(piece.toString('latin1', at, Math.min(at + PART_BYTES, piece.length)).replaceAll('\n', '\ndata: '));
  }
  parts.push(`\nid: ${id}\n\n`);
  const out = Buffer.allocUnsafe(parts.reduce((n, part) => n + part.length, LOG_HEAD.length));
  let at = LOG_HEAD.copy(out, 0);
  for (const part of parts) at += out.write(part, at, 'latin1');
  return out;
}

// The rare piece with a CR in it, line by line as writeSSE does it.
function withCarriageReturns(piece: Buffer, id: number): Buffer {
  const lines = piece
    .toString('utf8')
    .split(/\r\n|\r|\n/)
    .map((line) => `data: ${line}`)
    .join('\n');
  return Buffer.from(`event: log\n${lines}\nid: ${id}\n\n`);
}
