import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../src/db/embedded';
import { writeTask } from './support/dirs';
import { createHarness, waitFor, type Harness } from './support/harness';
import { startProcess, type Proc } from './support/processes';

// The web server's bounds on what a client can hold, on a real web process over raw sockets (so no
// client pool keeps connections of its own): short timeouts and a cap of 6 connections. Each check
// waits for what the server does, within a hard bound far above the configured times.

const MAX = 6;
const BOUND_MS = 15_000;
const ENV = {
  MAX_CONNECTIONS: String(MAX),
  HTTP_HEADERS_TIMEOUT_S: '1',
  HTTP_REQUEST_TIMEOUT_S: '2',
  HTTP_KEEPALIVE_TIMEOUT_S: '1',
  HTTP_IDLE_TIMEOUT_S: '2',
  SSE_KEEPALIVE_S: '0.5',
};

let h: Harness;
let web: Proc;
let port: number;
let runId: number;
beforeAll(async () => {
  h = await createHarness();
  writeTask(h.dirs, 'quiet.sh', 'sleep 60\n');
  // No runner: the run stays queued, and its stream stays open with nothing to say.
  runId = (await (await h.app.request('/api/tasks/quiet/execute', { method: 'POST' })).json()).run_id;
  port = await freePort();
  web = startProcess('src/web/main.ts', { ...h.env, ...ENV, PORT: String(port) });
  await waitFor(async () => (await get('/healthz').catch(() => '')).startsWith('HTTP/1.1 200'), 30_000, 'the web process');
}, 60_000);
afterAll(async () => {
  await web?.stop();
  await h.close();
});

/** A raw connection: what the server sent so far, and whether (and when) the server closed it. */
type Conn = { socket: net.Socket; text: () => string; closed: Promise<void>; isClosed: () => boolean };

async function open(): Promise<Conn> {
  const socket = net.connect(port, '127.0.0.1');
  let text = '';
  let done = false;
  socket.on('data', (d) => (text += d.toString()));
  socket.on('error', () => {
    // a refused or reset connection shows as closed
  });
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      done = true;
      resolve();
    }),
  );
  await new Promise<void>((resolve) => {
    socket.once('connect', resolve);
    socket.once('close', resolve);
  });
  return { socket, text: () => text, closed, isClosed: () => done };
}

const request = (path: string, headers: Record<string, string> = {}) =>
  `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;

// One request on a connection of its own that the server closes after answering.
async function get(path: string): Promise<string> {
  const c = await open();
  c.socket.write(request(path, { Connection: 'close' }));
  await within(c.closed, 'the answer');
  return c.text();
}

function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const bound = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: nothing within ${BOUND_MS} ms`)), BOUND_MS)),
  );
  return Promise.race([p, bound]).finally(() => clearTimeout(timer));
}

const comments = (text: string) => text.split('\n').filter((l) => l === ': keepalive').length;

describe('connection timeouts', () => {
  it('closes a connection that sends nothing, and one that sends its headers a line at a time, at the header timeout', async () => {
    const silent = await open();
    const slow = await open();
    slow.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    // Each line resets an idle timer, so only the header timeout can end this.
    const drip = setInterval(() => slow.socket.write('X-Slow: 1\r\n'), 200);
    try {
      await within(Promise.all([silent.closed, slow.closed]), 'the server closing them');
    } finally {
      clearInterval(drip);
    }
    expect(slow.text()).not.toMatch(/^HTTP\/1\.1 200/);
  });

  it('closes a request whose body never finishes at the request timeout', async () => {
    const c = await open();
    c.socket.write(
      `POST /api/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${h.token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`,
    );
    const drip = setInterval(() => c.socket.write(' '), 200);
    try {
      await within(c.closed, 'the server closing it');
    } finally {
      clearInterval(drip);
    }
    expect(c.text()).toMatch(/^HTTP\/1\.1 408/);
  });

  it('keeps a connection alive for the next request, then closes it once it idles past the keep-alive timeout', async () => {
    const c = await open();
    c.socket.write(request('/healthz'));
    await waitFor(() => c.text().includes('{"status":"ok"}'), BOUND_MS, 'the first answer');
    c.socket.write(request('/healthz'));
    await waitFor(() => c.text().split('{"status":"ok"}').length === 3, BOUND_MS, 'the second answer on the same connection');
    await within(c.closed, 'the server closing the idle connection');
    expect(c.text().match(/HTTP\/1\.1 200/g)).toHaveLength(2);
  });
});

describe('live streams and the connection cap', () => {
  it(`keeps ${MAX} quiet live streams open past the idle timeout with comments, and closes a connection beyond them`, async () => {
    const auth = { Authorization: `Bearer ${h.token}` };
    const streams: Conn[] = [];
    for (let i = 0; i < MAX; i++) {
      const c = await open();
      c.socket.write(request(i % 2 === 0 ? `/api/runs/${runId}/stream` : '/events/tasks', auth));
      await waitFor(() => c.text().startsWith('HTTP/1.1 200') || c.isClosed(), BOUND_MS, `stream ${i} to start`);
      expect(c.text(), `stream ${i}`).toMatch(/^HTTP\/1\.1 200[\s\S]*content-type: text\/event-stream/i);
      streams.push(c);
    }

    const beyond = await open();
    beyond.socket.write(request('/healthz', { Connection: 'close' }));
    await within(beyond.closed, 'the connection beyond the cap to be closed');
    expect(beyond.text()).toBe('');

    // Six comments at 0.5 s are 3 s of nothing else: past the 2 s idle timeout.
    await waitFor(() => streams.every((s) => comments(s.text()) >= 6 || s.isClosed()), BOUND_MS, 'comments on every stream');
    for (const [i, s] of streams.entries()) {
      expect(s.isClosed(), `stream ${i} cut`).toBe(false);
      expect(comments(s.text()), `stream ${i}`).toBeGreaterThanOrEqual(6);
    }
    expect(streams[0]!.text()).toMatch(/event: status\ndata: \{[^\n]*"status":"queued"/);

    streams.pop()!.socket.destroy();
    expect(
      await waitFor(
        async () => {
          const answer = await get('/healthz');
          return answer.startsWith('HTTP/1.1 200') ? answer : null;
        },
        BOUND_MS,
        'a connection once one is free',
      ),
    ).toMatch(/^HTTP\/1\.1 200/);
    for (const s of streams) s.socket.destroy();
  });
});
