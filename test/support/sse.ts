import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';

export type SseEvent = { event: string; id?: string; data: string };

/** Serves a Hono app on a free loopback port, as the web process does; returns its base URL. */
export async function listen(app: Hono): Promise<{ base: string; close: () => Promise<void> }> {
  return new Promise((resolve) => {
    const server: ServerType = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
      resolve({
        base: `http://127.0.0.1:${info.port}`,
        close: () =>
          new Promise<void>((r) => {
            (server as unknown as { closeAllConnections: () => void }).closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}

/** Reads Server-Sent Events from a response as they arrive, per the spec's parsing rules. */
export async function* readSse(res: Response): AsyncGenerator<SseEvent> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  let ev: SseEvent = { event: 'message', data: '' };
  let hasData = false;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += value;
    for (;;) {
      const nl = buf.search(/\r\n|\r|\n/);
      if (nl < 0) break;
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + (buf.startsWith('\r\n', nl) ? 2 : 1));
      if (line === '') {
        if (hasData) yield { ...ev, data: ev.data.slice(0, -1) };
        ev = { event: 'message', data: '' };
        hasData = false;
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let val = colon < 0 ? '' : line.slice(colon + 1);
      if (val.startsWith(' ')) val = val.slice(1);
      if (field === 'event') ev.event = val;
      else if (field === 'id') ev.id = val;
      else if (field === 'data') {
        ev.data += `${val}\n`;
        hasData = true;
      }
    }
  }
}
