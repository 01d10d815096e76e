import { spawn } from 'node:child_process';
import autocannon from 'autocannon';
import { alive, killGroup, onCleanup, waitExit } from './cleanup';
import { sleep } from './clock';
import { authHeaders, getText } from './http';
import { freePort } from './product';

/** Requests per second that 10 keep-alive clients get from `url` over `seconds`, with the server's API token or without. */
export async function rps(url: string, seconds: number, withToken: boolean): Promise<number> {
  const headers = withToken ? authHeaders(new URL(url).origin) : {};
  const r = await autocannon({ url, connections: 10, duration: seconds, headers });
  if (r.errors > 0 || r.non2xx > 0 || r.timeouts > 0) {
    throw new Error(`${url}: ${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx answers under load`);
  }
  return r.requests.total / r.duration;
}

// The web tier's floor: node:http answering a fixed JSON body, in a process of its own like the web.
const HELLO = `require('node:http').createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"status":"ok"}');
}).listen(Number(process.env.PORT), '127.0.0.1');`;

/** Starts the bare node:http hello-world; returns its base URL. */
export async function startHello(): Promise<{ base: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['-e', HELLO], { env: { ...process.env, PORT: String(port) }, detached: true, stdio: 'ignore' });
  const pid = child.pid!;
  const stop = async () => {
    if (alive(pid)) process.kill(pid, 'SIGTERM');
    if (!(await waitExit(pid, 5000))) killGroup(pid, 'SIGKILL');
  };
  const unregister = onCleanup(stop);
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (
      (await getText(base, '/').then(
        (r) => r.status,
        () => 0,
      )) === 200
    )
      break;
    if (i > 500) throw new Error('the hello-world server did not start');
    await sleep(10);
  }
  return {
    base,
    stop: async () => {
      await stop();
      unregister();
    },
  };
}
