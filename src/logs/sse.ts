// Server-Sent Events as bytes, made once and written as they are to every viewer of a run. The same
// bytes as Hono's writeSSE, which costs a regular expression split, a join and a UTF-8 encoding of
// every piece for every viewer (the top of the web's profile with ten viewers of a busy log).

const CR = 0x0d;
const LOG_HEAD = Buffer.from('event: log\ndata: ');
// Pieces are encoded in parts below V8's large-object size (128 KB): strings that big are freed only
// by a full collection, and a firehose made hundreds of MB of them between two.
const PART_BYTES = 60 * 1024;

/**
 * A `log` event carrying `piece` (whole UTF-8 text) with the byte offset after it as its id. Every line
 * becomes a `data:` line; CR, LF and CRLF all end a line, as the SSE format reads them. Done on a
 * latin1 view of the bytes (one character per byte, so UTF-8 passes through untouched): a native
 * replace, where a copy per line cost a call per line.
 */
export function logEvent(piece: Buffer, id: number): Buffer {
  if (piece.includes(CR)) return textEvent('log', piece.toString('utf8'), String(id));
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

/** Any event from text: `data:` lines split at every line end, then the id when there is one. */
export function textEvent(event: string, data: string, id?: string): Buffer {
  const lines = data.split(/\r\n|\r|\n/).map((line) => `data: ${line}`).join('\n');
  return Buffer.from(`event: ${event}\n${lines}\n${id === undefined ? '' : `id: ${id}\n`}\n`);
}
