import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONFIG_VARIABLES } from '../src/config';
import { waitFor } from './support/harness';
import { brokenLink, codeBlocks, matchesShown, relativeLinks, section, shellSteps } from './support/markdown';

// The README's "A first run", executed as written: its `sh` blocks, in order, in one bash, against the
// product started from nothing by `npm start` on port 5000 (the commands say localhost:5000). Only the
// folders differ from a fresh clone's: DATA_DIR, TASKS_DIR (a copy of tasks/) and LOGS_DIR are in a
// temp folder, so a developer's own ./data is never touched.
const ROOT = path.resolve(__dirname, '..');
const PORT = 5000;
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const readme = read('README.md');
const docs = fs
  .readdirSync(path.join(ROOT, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .map((f) => `docs/${f}`);
const markdownFiles = ['README.md', 'BENCHMARKS.md', ...docs];

/** True when something answers on the port, over IPv4 or IPv6 (curl's localhost may be either). */
async function portTaken(port: number): Promise<boolean> {
  const answers = (host: string) =>
    new Promise<boolean>((resolve) => {
      const socket = net.connect({ host, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
  return (await Promise.all([answers('127.0.0.1'), answers('::1')])).some(Boolean);
}

describe('README: A first run', () => {
  let root: string;
  let env: NodeJS.ProcessEnv;
  let product: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let output = '';

  beforeAll(async () => {
    if (await portTaken(PORT)) {
      throw new Error(`port ${PORT} is taken: the README's first run talks to localhost:${PORT}; stop what listens there, then run again`);
    }
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'taskrun-readme-'));
    fs.chmodSync(root, 0o755); // as root, the embedded server runs as taskrun-pg and must enter DATA_DIR
    fs.cpSync(path.join(ROOT, 'tasks'), path.join(root, 'tasks'), { recursive: true });
    env = { ...process.env, DATA_DIR: path.join(root, 'data'), TASKS_DIR: path.join(root, 'tasks'), LOGS_DIR: path.join(root, 'logs') };
    // What a fresh shell has: none of taskrun's settings, so every default applies.
    for (const name of CONFIG_VARIABLES) if (!['DATA_DIR', 'TASKS_DIR', 'LOGS_DIR'].includes(name)) delete env[name];
    // `npm start` in a group of its own, as in a terminal, so that stopping it is the terminal's Ctrl+C.
    product = spawn('npm', ['start'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (d: Buffer) => (output = (output + d.toString()).slice(-200_000));
    product.stdout!.on('data', collect);
    product.stderr!.on('data', collect);
    let ended = false;
    exited = new Promise((resolve) => product!.once('exit', () => resolve()));
    void exited.then(() => (ended = true));
    const healthy = async () => {
      if (ended) throw new Error(`npm start ended before it answered on port ${PORT}:\n${output}`);
      return fetch(`http://127.0.0.1:${PORT}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
    };
    await waitFor(healthy, 150_000, `npm start to answer on port ${PORT}`).catch((err: Error) => {
      throw new Error(`${err.message}; its output:\n${output}`);
    });
  }, 180_000);

  afterAll(async () => {
    if (product?.pid) {
      // Ctrl+C: SIGINT to the whole group; then, if anything of it is left, SIGKILL to that group only.
      try {
        process.kill(-product.pid, 'SIGINT');
      } catch {
        // The group is gone already: nothing to stop.
      }
      const stopped = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 60_000))]);
      if (!stopped) {
        try {
          process.kill(-product.pid, 'SIGKILL');
        } catch {
          // It ended between the check and the kill.
        }
      }
      const pidFile = path.join(root, 'data', 'pg', 'postmaster.pid');
      await waitFor(() => !fs.existsSync(pidFile), 30_000, 'the embedded PostgreSQL to stop');
    }
    if (root) fs.rmSync(root, { recursive: true, force: true });
  }, 120_000);

  it('prints the setup code as shown, and /setup takes it to create the first admin, signed in', async () => {
    const shown = codeBlocks(section(readme, 'A first run')).find((b) => b.info === 'text');
    expect(shown, 'a text block showing the setup code line').toBeDefined();
    const line = output.split('\n').find((l) => l.includes('one-time setup code'));
    expect(line, `npm start printed no setup code:\n${output}`).toBeDefined();
    expect(matchesShown(shown!.text, line!), `the README shows\n${shown!.text}\nnpm start printed\n${line}`).toBe(true);
    const code = /setup code (\S+)"/.exec(line!)![1];

    const base = `http://localhost:${PORT}`;
    expect((await fetch(`${base}/setup`)).status).toBe(200);
    const res = await fetch(`${base}/setup`, {
      method: 'POST',
      redirect: 'manual',
      headers: { origin: base, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ code, name: 'first-admin', password: 'a long enough password' }).toString(),
    });
    expect(res.status).toBe(303);
    const cookie = res.headers.get('set-cookie')!.split(';')[0];
    const page = await fetch(`${base}/`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('data_proc');
  });

  it('runs every shell step as written, each answering what the README shows', () => {
    const steps = codeBlocks(section(readme, 'A first run'))
      .filter((b) => b.info === 'sh')
      .flatMap((b) => shellSteps(b.text));
    expect(steps.length).toBeGreaterThan(5);
    for (const s of steps) {
      if (/\bcurl\b/.test(s.code)) expect(s.expected, `the README shows no answer for\n${s.code}`).toBeDefined();
    }
    // One bash, as one terminal: variables set by a step (TOKEN, HOOK) reach the steps after it.
    const out = fs.mkdtempSync(path.join(root, 'steps-'));
    const script = steps.map((s, i) => `{\n${s.code}\n} >"${out}/${i}.out" 2>"${out}/${i}.err"\necho $? >"${out}/${i}.rc"\n`).join('');
    const bash = spawnSync('bash', ['-c', script], { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 });
    expect(bash.error, 'bash did not finish in 2 minutes').toBeUndefined();
    steps.forEach((s, i) => {
      const file = (ext: string) => fs.readFileSync(path.join(out, `${i}.${ext}`), 'utf8');
      const said = `step ${i + 1}:\n${s.code}\nprinted:\n${file('out')}\n${file('err')}`;
      expect(file('rc').trim(), said).toBe('0');
      if (s.expected !== undefined) expect(matchesShown(s.expected, file('out')), `${said}\nthe README shows:\n${s.expected}`).toBe(true);
    });
  }, 150_000);
});

describe('README and docs: links and the commands they show', () => {
  it('links only to files and headings that exist', () => {
    const broken = markdownFiles.flatMap((f) => relativeLinks(read(f)).map((l) => brokenLink(path.join(ROOT, f), l))).filter(Boolean);
    expect(broken).toEqual([]);
    for (const page of docs) expect(readme, `the README links to ${page}`).toContain(`](${page})`);
  });

  const shellBlocks = markdownFiles.flatMap((f) =>
    codeBlocks(read(f))
      .filter((b) => b.info === 'sh')
      .map((b) => ({ file: f, text: b.text })),
  );

  it('names only npm scripts that exist', () => {
    const scripts = Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts);
    for (const { file, text } of shellBlocks) {
      for (const m of text.matchAll(/\bnpm run (?:-s )?([\w:-]+)/g)) expect(scripts, `${file}: npm run ${m[1]}`).toContain(m[1]);
    }
  });

  it('sets only variables taskrun (or its tests and bench) reads before starting it', () => {
    const known = [...CONFIG_VARIABLES, 'TEST_DATABASE_URL', 'UPDATE_SCREENSHOTS', 'BENCH_NODE_FLAGS', 'CHROMIUM_PATH'];
    for (const { file, text } of shellBlocks) {
      for (const command of text.replace(/\\\n/g, ' ').split('\n')) {
        const start = /^((?:\s*[A-Z][A-Z0-9_]*=\S*)+)\s+(?:npm|node|npx)\b/.exec(command);
        if (!start) continue;
        for (const m of start[1].matchAll(/([A-Z][A-Z0-9_]*)=/g)) expect(known, `${file}: ${command.trim()}`).toContain(m[1]);
      }
    }
  });

  it('lists every environment variable in the configuration table', () => {
    const table = read('docs/configuration.md');
    for (const name of CONFIG_VARIABLES) expect(table, name).toMatch(new RegExp(`^\\|[^\\n]*\`${name}\``, 'm'));
  });

  it('shows Docker commands that fit compose.yaml: its services, and the .env it requires', () => {
    const compose = parse(read('compose.yaml'), { merge: true }) as { services: Record<string, unknown> };
    const services = Object.keys(compose.services);
    const required = [...new Set([...read('compose.yaml').matchAll(/\$\{(\w+):\?/g)].map((m) => m[1]))].sort();
    const docker = shellBlocks.filter((b) => /docker compose/.test(b.text));
    expect(docker.length).toBeGreaterThan(0);
    for (const { file, text } of docker) {
      for (const m of text.matchAll(/--scale (\w+)=/g)) expect(services, `${file}: --scale ${m[1]}`).toContain(m[1]);
      for (const m of text.matchAll(/docker compose exec (?:-u \w+ )?(\w+)/g)) expect(services, `${file}: exec ${m[1]}`).toContain(m[1]);
      const written = [...text.matchAll(/echo "(\w+)=.*>> \.env/g)].map((m) => m[1]).sort();
      if (written.length > 0) expect(written, `${file}: the .env it writes`).toEqual(required);
    }
  });
});
