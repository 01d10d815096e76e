import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** The signed-in admin of an e2e app: a session cookie for the browser, a bearer token for the API. */
export type Admin = { cookie: { name: string; value: string }; token: string };

/** The app as `npm start` runs it: a process, its folders, its URL and its signed-in admin. */
export type AppProcess = {
  url: string;
  dir: string;
  tasksDir: string;
  logsDir: string;
  pid: number;
  admin: Admin;
  /** A request to the JSON API as the admin (bearer token). */
  api: (path: string, init?: RequestInit) => Promise<Response>;
  stop: () => Promise<void>;
};

const ADMIN_PASSWORD = 'e2e-admin-password';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitHealthy(url: string, child: ChildProcess, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the app exited with ${child.exitCode} before it was ready`);
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the app did not answer ${url}/healthz within ${ms} ms`);
}

// Signs in as the first admin (made from ADMIN_PASSWORD) the way a browser does, then makes an API token.
async function signIn(url: string): Promise<Admin> {
  const origin = { Origin: url };
  const form = new URLSearchParams({ name: 'admin', password: ADMIN_PASSWORD, next: '/' });
  const login = await fetch(`${url}/login`, { method: 'POST', body: form, headers: origin, redirect: 'manual' });
  const set = /^([^=;]+)=([^;]*)/.exec(login.headers.get('set-cookie') ?? '');
  if (login.status !== 303 || !set) throw new Error(`sign-in failed: ${login.status} ${await login.text()}`);
  const cookie = { name: set[1], value: set[2] };
  const headers = { ...origin, Cookie: `${cookie.name}=${cookie.value}` };
  const home = await (await fetch(`${url}/`, { headers })).text();
  const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(home)?.[1] ?? '';
  const res = await fetch(`${url}/api/tokens`, {
    method: 'POST',
    body: JSON.stringify({ name: 'e2e', role: 'admin' }),
    headers: { ...headers, 'X-CSRF-Token': csrf, 'Content-Type': 'application/json' },
  });
  if (res.status !== 201) throw new Error(`token creation failed: ${res.status} ${await res.text()}`);
  return { cookie, token: ((await res.json()) as { token: string }).token };
}

function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * Starts the app as `npm start` does (`node scripts/run.mjs main`: the dist/ bundle, rebuilt when the
 * sources changed; embedded PostgreSQL, web and runner) on a free port with its folders in a fresh
 * temp dir; `stop` sends SIGTERM and waits until it has stopped its children.
 */
export async function startApp(env: Record<string, string> = {}): Promise<AppProcess> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskrun-e2e-'));
  fs.chmodSync(dir, 0o755); // as root the embedded server runs as taskrun-pg, which must be able to enter it
  const tasksDir = path.join(dir, 'tasks');
  const logsDir = path.join(dir, 'logs');
  fs.mkdirSync(tasksDir);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const output = fs.openSync(path.join(dir, 'app.out'), 'w');
  const child = spawn(process.execPath, ['scripts/run.mjs', 'main'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: '',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: path.join(dir, 'data'),
      TASKS_DIR: tasksDir,
      LOGS_DIR: logsDir,
      LOG_LEVEL: 'warn',
      KILL_GRACE_S: '1',
      SHUTDOWN_GRACE_S: '0',
      ADMIN_PASSWORD,
      ...env,
    },
    stdio: ['ignore', output, output],
  });
  const stop = async () => {
    if (!(await exited(child, 0))) {
      child.kill('SIGTERM');
      if (!(await exited(child, 60_000))) child.kill('SIGKILL');
    }
    fs.closeSync(output);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  let admin: Admin;
  try {
    await waitHealthy(url, child, 90_000);
    admin = await signIn(url);
  } catch (err) {
    const log = fs.readFileSync(path.join(dir, 'app.out'), 'utf8').slice(-4000);
    await stop();
    throw new Error(`${(err as Error).message}\n${log}`);
  }
  const api = (p: string, init: RequestInit = {}) =>
    fetch(`${url}${p}`, { ...init, headers: { ...(init.headers as Record<string, string>), Authorization: `Bearer ${admin.token}` } });
  return { url, dir, tasksDir, logsDir, pid: child.pid!, admin, api, stop };
}

/** Writes a task script straight into the app's tasks folder, as someone sharing it over git would. */
export function writeTask(app: AppProcess, file: string, content: string): void {
  fs.writeFileSync(path.join(app.tasksDir, file), content, { mode: 0o755 });
}
