import http from 'node:http';
import { wallMs } from './clock';
import { authHeaders } from './http';

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** Opens GET /api/runs/:id/stream and resolves with the `end` event's status once the stream closes. */
export function waitEndViaSse(base: string, runId: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      `${base}/api/runs/${runId}/stream`,
      { agent, headers: { ...authHeaders(base), accept: 'text/event-stream' } },
      (res) => {
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
      },
    );
    req.on('error', reject);
  });
}

// A log line the firehose task stamps: `T <unix seconds with 6 decimals> ` at the start of a line,
// which the web sends as `data: T 1795813884.132236 ...`.
const MARK = Buffer.from('data: T ');
const STAMP_LEN = 17;
const NEED = MARK.length + STAMP_LEN;

const EVENT_END = Buffer.from('\n\n');
const DATA_LINE = Buffer.from('\ndata: ');
const ID_LINE = Buffer.from('\nid: ');

/**
 * Keeps the account of a stream read from offset 0: every `log` event must carry exactly the bytes
 * between the id before it and its own, and every `skipped` event must start at the id before it, so
 * a byte lost, repeated or skipped without a word is caught. A log line is one `data:` line (logs
 * without CR, as the firehose's: the format reads CR as a line end too).
 */
export class StreamLedger {
  /** `onLog` sees each complete `log` event, as an EventSource would dispatch it. */
  constructor(private readonly onLog?: (ev: Buffer) => void) {}

  offset = 0;
  logBytes = 0;
  skipped = 0;
  ended = false;
  error: string | undefined;
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): void {
    const buf = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    let at = 0;
    for (let end = buf.indexOf(EVENT_END); end >= 0; end = buf.indexOf(EVENT_END, at)) {
      this.event(buf.subarray(at, end + 1));
      at = end + 2;
    }
    this.pending = Buffer.from(buf.subarray(at));
  }

  // `ev`: "event: TYPE\n" then its lines, each ending with "\n".
  private event(ev: Buffer): void {
    const nl = ev.indexOf(0x0a);
    const type = ev.toString('latin1', 'event: '.length, nl);
    const idAt = ev.lastIndexOf(ID_LINE);
    const dataEnd = idAt >= 0 ? idAt : ev.length - 1;
    if (type === 'log') {
      // "\ndata: L1 ... \ndata: Lk": the payload is the k lines and the k - 1 line ends between them.
      let lines = 0;
      for (let i = ev.indexOf(DATA_LINE, nl); i >= 0 && i < dataEnd; i = ev.indexOf(DATA_LINE, i + 1)) lines++;
      const payload = dataEnd - nl - 6 * lines - 1;
      const id = Number(ev.toString('latin1', idAt + ID_LINE.length, ev.length - 1));
      if (id - this.offset !== payload) this.fail(`a log event with id ${id} carries ${payload} bytes after offset ${this.offset}`);
      this.logBytes += payload;
      this.offset = id;
      this.onLog?.(ev);
    } else if (type === 'skipped') {
      const s = JSON.parse(ev.toString('utf8', nl + DATA_LINE.length, dataEnd)) as { from: number; to: number; bytes: number };
      if (s.from !== this.offset || s.to - s.from !== s.bytes)
        this.fail(`a skipped event ${JSON.stringify(s)} after offset ${this.offset}`);
      this.skipped += s.bytes;
      this.offset = s.to;
    } else if (type === 'end') {
      this.ended = true;
    }
  }

  private fail(why: string): void {
    this.error ??= why;
  }
}

/**
 * A live viewer's findings: line delays (ms), its stream's account (log bytes received, bytes the
 * server skipped for it because it fell too far behind, the first inconsistency), and when it saw the end.
 */
export type ViewerResult = { delays: number[]; ledger: StreamLedger; endedAt: number };

export type ViewerOptions = {
  /** Read no faster than this many bytes per second (a deliberately slow client). */
  maxBytesPerSecond?: number;
};

/**
 * Follows a run's live stream from offset 0 and records, for each stamped line, the time from the
 * task writing it to this client receiving its event. Scans raw bytes with Buffer.indexOf (native), so ten
 * viewers of a gigabyte cost the bench process little CPU next to the web process serving them.
 */
export function viewStream(base: string, runId: number, o: ViewerOptions = {}): { done: Promise<ViewerResult>; abort: () => void } {
  let abort: () => void = () => undefined;
  const done = new Promise<ViewerResult>((resolve, reject) => {
    const delays: number[] = [];
    // A stamped line counts as received when its event is complete (an event never splits a line).
    let now = 0;
    const ledger = new StreamLedger((ev) => {
      for (let i = ev.indexOf(MARK); i >= 0 && i + NEED <= ev.length; i = ev.indexOf(MARK, i + NEED)) {
        delays.push(now - Number(ev.toString('latin1', i + MARK.length, i + NEED)) * 1000);
      }
    });
    const req = http.get(`${base}/api/runs/${runId}/stream`, { headers: { ...authHeaders(base), accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`stream of run ${runId}: ${res.statusCode}`));
      res.on('data', (chunk: Buffer) => {
        now = wallMs();
        ledger.push(chunk);
        if (o.maxBytesPerSecond) {
          res.pause();
          setTimeout(() => res.resume(), (chunk.length / o.maxBytesPerSecond) * 1000);
        }
      });
      res.on('end', () =>
        ledger.ended
          ? resolve({ delays, ledger, endedAt: wallMs() })
          : reject(new Error(`stream of run ${runId} ended without an end event`)),
      );
      res.on('error', reject);
      res.on('aborted', () => reject(new Error('aborted')));
    });
    req.on('error', reject);
    abort = () => {
      req.destroy();
      resolve({ delays, ledger, endedAt: wallMs() });
    };
  });
  return { done, abort: () => abort() };
}
