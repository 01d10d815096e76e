import { Readable } from 'node:stream';
import type { Context } from 'hono';
import { Hono } from 'hono';
import { logStream } from '../logs';
import { AppError } from '../services/app-error';
import { resolveLog } from '../services/logs-service';
import type { WebDeps } from './deps';
import { allow } from './security/authenticate';

const OFFSET_RE = /^[0-9]{1,15}$/;
const RANGE_RE = /^bytes=([0-9]{1,15})-([0-9]{0,15})$/;

/** The byte range asked for by `?offset=N` or a `Range: bytes=N-[M]` header; null for the whole log. */
function requestedRange(c: Context, size: number): { start: number; end: number; partial: boolean } {
  const offset = c.req.query('offset');
  const range = c.req.header('range');
  if (offset !== undefined) {
    if (!OFFSET_RE.test(offset)) throw new AppError(400, 'offset must be a whole number of bytes');
    return { start: Math.min(Number(offset), size), end: size, partial: false };
  }
  if (range) {
    const m = RANGE_RE.exec(range.trim());
    if (!m) throw new AppError(416, 'unsupported Range: use bytes=N- or bytes=N-M');
    const start = Number(m[1]);
    const end = m[2] ? Math.min(Number(m[2]) + 1, size) : size;
    if (start >= size || end <= start) {
      throw new AppError(416, `range not satisfiable: the log has ${size} bytes`, { size }, { 'Content-Range': `bytes */${size}` });
    }
    return { start, end, partial: true };
  }
  return { start: 0, end: size, partial: false };
}

async function serveLog(c: Context, deps: WebDeps, attachment: boolean): Promise<Response> {
  const name = c.req.param('name') ?? '';
  const { file, size } = await resolveLog(deps, name);
  const { start, end, partial } = requestedRange(c, size);
  const body = logStream(file, start, end);
  const headers: Record<string, string> = {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(end - start),
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'X-Log-Size': String(size),
    'X-Next-Offset': String(end),
  };
  if (partial) headers['Content-Range'] = `bytes ${start}-${end - 1}/${size}`;
  if (attachment) headers['Content-Disposition'] = `attachment; filename="${name}"`;
  // Through the context, so the security headers set before the handler are part of it.
  return c.body(body ? (Readable.toWeb(body) as ReadableStream) : '', partial ? 206 : 200, headers);
}

/** GET /api/logs/:name (text, from an offset or Range) and GET /logs/:name/download (as a file). */
export function logRoutes(deps: WebDeps): Hono {
  return new Hono()
    .get('/api/logs/:name', allow('viewer'), (c) => serveLog(c, deps, false))
    .get('/logs/:name/download', allow('viewer'), (c) => serveLog(c, deps, true));
}
