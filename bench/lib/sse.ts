import http from 'node:http';
import { wallMs } from './clock';
import { authHeaders } from './http';

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** Opens GET /api/runs/:id/stream and resolves with the `end` event's status once the stream closes. */
export function waitEndViaSse(base: string, runId: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${base}/api/runs/${runId}/stream`, { agent, headers: { ...authHeaders(base), accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`stream of run ${runId}: ${res.statusCode}`));
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (s: string) => (text += s));
      res.on('end', () => {
        const m = /event: end\ndata: (.*)\n/.exec(text);
        if (!m) return reject(new Error(`stream of run ${runId} closed without an end event`));
        resolve((JSON.parse(m[1]) as { status: string }).status);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

// A log line the firehose task stamps: `T <unix seconds with 6 decimals> ` at the start of a line,
// which the web sends as `data: T 1795813884.132236 ...`.
const MARK = Buffer.from('data: T ');
const STAMP_LEN = 17;
const NEED = MARK.length + STAMP_LEN;

// A `skipped` event: the server's word that this viewer fell too far behind and was moved ahead.
const SKIPPED = Buffer.from('event: skipped\ndata: ');

/**
 * A live viewer's findings: line delays (ms), bytes received (with the SSE framing), log bytes the
 * server skipped for it (it fell too far behind), and when it saw the end.
 */
export type ViewerResult = { delays: number[]; bytes: number; skipped: number; endedAt: number };

export type ViewerOptions = {
  /** Read no faster than this many bytes per second (a deliberately slow client). */
  maxBytesPerSecond?: number;
};

/**
 * Follows a run's live stream from offset 0 and records, for each stamped line, the time from the
 * task writing it to this client receiving it. Scans raw bytes with Buffer.indexOf (native), so ten
 * viewers of a gigabyte cost the bench process little CPU next to the web process serving them.
 */
export function viewStream(base: string, runId: number, o: ViewerOptions = {}): { done: Promise<ViewerResult>; abort: () => void } {
  let abort: () => void = () => {};
  const done = new Promise<ViewerResult>((resolve, reject) => {
    const delays: number[] = [];
    let bytes = 0;
    let skipped = 0;
    let carry: Buffer = Buffer.alloc(0);
    let skipCarry: Buffer = Buffer.alloc(0);
    // The `bytes` of a skipped event at `i`, when its data line is complete in `buf` (from `minEnd` on).
    const skippedAt = (buf: Buffer, i: number, minEnd = 0): number => {
      const nl = buf.indexOf(0x0a, i + SKIPPED.length);
      if (nl < minEnd || nl < 0) return 0;
      return (JSON.parse(buf.toString('utf8', i + SKIPPED.length, nl)) as { bytes: number }).bytes;
    };
    const scanSkipped = (chunk: Buffer) => {
      // An event cut across two chunks: counted here, as its line end is in this chunk.
      if (skipCarry.length > 0) {
        const joined = Buffer.concat([skipCarry, chunk.subarray(0, 512)]);
        const i = joined.indexOf(SKIPPED);
        if (i >= 0 && i < skipCarry.length) skipped += skippedAt(joined, i, skipCarry.length);
      }
      for (let i = chunk.indexOf(SKIPPED); i >= 0; i = chunk.indexOf(SKIPPED, i + 1)) skipped += skippedAt(chunk, i);
      skipCarry = chunk.subarray(Math.max(0, chunk.length - 511));
    };
    const scan = (chunk: Buffer, now: number) => {
      // A stamp cut across two chunks: look at the previous tail joined with this head.
      if (carry.length > 0) {
        const joined = Buffer.concat([carry, chunk.subarray(0, NEED)]);
        for (let i = joined.indexOf(MARK); i >= 0 && i < carry.length; i = joined.indexOf(MARK, i + 1)) {
          if (i + NEED <= joined.length) delays.push(now - Number(joined.toString('latin1', i + MARK.length, i + NEED)) * 1000);
        }
      }
      for (let i = chunk.indexOf(MARK); i >= 0 && i + NEED <= chunk.length; i = chunk.indexOf(MARK, i + NEED)) {
        delays.push(now - Number(chunk.toString('latin1', i + MARK.length, i + NEED)) * 1000);
      }
      carry = chunk.subarray(Math.max(0, chunk.length - (NEED - 1)));
    };
    const req = http.get(`${base}/api/runs/${runId}/stream`, { headers: { ...authHeaders(base), accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`stream of run ${runId}: ${res.statusCode}`));
      let sawEnd = false;
      res.on('data', (chunk: Buffer) => {
        const now = wallMs();
        bytes += chunk.length;
        scan(chunk, now);
        scanSkipped(chunk);
        if (!sawEnd && chunk.includes('event: end')) sawEnd = true;
        if (o.maxBytesPerSecond) {
          res.pause();
          setTimeout(() => res.resume(), (chunk.length / o.maxBytesPerSecond) * 1000);
        }
      });
      res.on('end', () => (sawEnd ? resolve({ delays, bytes, skipped, endedAt: wallMs() }) : reject(new Error(`stream of run ${runId} ended without an end event`))));
      res.on('error', reject);
      res.on('aborted', () => reject(new Error('aborted')));
    });
    req.on('error', reject);
    abort = () => {
      req.destroy();
      resolve({ delays, bytes, skipped, endedAt: wallMs() });
    };
  });
  return { done, abort: () => abort() };
}
