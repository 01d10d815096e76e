import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, loadConfig } from '../src/config';

// No Docker engine runs here: the files are checked against the app, and the processes they start
// (dist/main.js, dist/runner/main.js, built from src/main.ts and src/runner/main.ts by the image) are
// what the other suites run without containers.
const root = path.resolve(__dirname, '..');
const read = (f: string) => fs.readFileSync(path.join(root, f), 'utf8');

type Service = {
  build?: string; image?: string; init?: boolean; command?: string[]; environment?: Record<string, string>;
  volumes?: string[]; depends_on?: Record<string, { condition: string }>; healthcheck?: { test?: string[] }; stop_grace_period?: string;
  ports?: string[];
};
const compose = parse(read('compose.yaml'), { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const seconds = (s: string) => Number(/^(\d+)s$/.exec(s)?.[1]);

describe('compose.yaml', () => {
  const { postgres, app, runner } = compose.services;

  it('has postgres with a healthcheck and a volume, the app and a scalable runner', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['app', 'postgres', 'runner']);
    expect(postgres.image).toMatch(/^postgres:\d+/);
    expect(postgres.healthcheck?.test?.join(' ')).toMatch(/pg_isready/);
    expect(postgres.volumes).toContain('pgdata:/var/lib/postgresql/data');
    for (const s of [app, runner]) {
      expect(s.build).toBe('.');
      expect(s.init).toBe(true); // reaps orphaned grandchildren of tasks
      expect(s.depends_on?.postgres.condition).toBe('service_healthy');
      expect(s.ports === undefined || s === app).toBe(true); // a scaled service cannot publish a fixed port
    }
    expect(app.command).toEqual(['node', 'dist/main.js']);
    expect(runner.command).toEqual(['node', 'dist/runner/main.js']);
    // dist/X.js is the build of src/X.ts (scripts/build.mjs, run in the image).
    for (const entry of [app.command!.at(-1)!, runner.command!.at(-1)!]) {
      expect(fs.existsSync(path.join(root, entry.replace(/^dist\/(.*)\.js$/, 'src/$1.ts')))).toBe(true);
    }
  });

  it('shares the tasks and logs volumes between the app and every runner, at the configured paths', () => {
    for (const s of [app, runner]) {
      expect(s.volumes).toEqual(expect.arrayContaining([`tasks:${s.environment!.TASKS_DIR}`, `logs:${s.environment!.LOGS_DIR}`]));
    }
    expect(Object.keys(compose.volumes).sort()).toEqual(['logs', 'pgdata', 'tasks']);
  });

  // What `docker compose` makes of ${NAME:?error} and ${NAME:-default}, with the .env a user writes.
  const dotEnv: Record<string, string> = { SECRET_KEY: 'ab'.repeat(32) };
  const interpolate = (env: Record<string, string>) =>
    Object.fromEntries(
      Object.entries(env).map(([k, v]) => [
        k,
        String(v).replace(/\$\{(\w+)(?::([?-])([^}]*))?\}/g, (_, name: string, op?: string, rest?: string) => {
          if (dotEnv[name] !== undefined) return dotEnv[name]!;
          if (op === '?') throw new Error(`${name} is required: ${rest}`);
          return rest ?? '';
        }),
      ]),
    );

  it('needs one SECRET_KEY for every container, so that runners open what the web sealed', () => {
    for (const s of [app, runner]) expect(String(s.environment!.SECRET_KEY)).toMatch(/^\$\{SECRET_KEY:\?/);
    expect(runner.environment!.SECRET_KEY).toBe(app.environment!.SECRET_KEY);
  });

  it('sets only variables the app reads, with values its config accepts, pointing at the postgres service', () => {
    for (const s of [app, runner]) {
      const env = interpolate(s.environment!);
      for (const name of Object.keys(env)) expect(CONFIG_VARIABLES).toContain(name);
      const cfg = loadConfig(env);
      expect(new URL(cfg.databaseUrl!).hostname).toBe('postgres');
      expect(new URL(cfg.databaseUrl!).username).toBe(postgres.environment!.POSTGRES_USER);
      // Docker must wait for a runner's graceful stop before it kills it.
      expect(seconds(s.stop_grace_period!)).toBeGreaterThan(cfg.shutdownGraceMs / 1000 + cfg.killGraceMs / 1000);
    }
    expect(loadConfig(interpolate(app.environment!)).host).toBe('0.0.0.0');
  });
});

describe('Dockerfile', () => {
  const text = read('Dockerfile');
  it('is multi-stage on node 20 slim, with python3, tini, a non-root user and the app\'s files', () => {
    expect(text.match(/^FROM node:20-slim/gm)).toHaveLength(2);
    expect(text).toMatch(/npm ci --omit=dev/);
    expect(text).toMatch(/apt-get install[^\n]*python3/);
    expect(text).toMatch(/ENTRYPOINT \["\/usr\/bin\/tini", "--"\]/);
    expect(text).toMatch(/^USER taskrun$/m);
    for (const dir of ['src', 'drizzle', 'tasks', 'scripts']) expect(text).toMatch(new RegExp(`^COPY ${dir} \\./${dir}$`, 'm'));
    expect(text).toMatch(/^RUN node scripts\/build\.mjs$/m);
    expect(text).toMatch(/^CMD \["node", "dist\/main\.js"\]$/m);
    expect(text).toMatch(/\/readyz/);
  });
});

describe('deploy/nginx.conf', () => {
  it('turns buffering off for the live streams', () => {
    const text = read('deploy/nginx.conf');
    expect(text).toMatch(/location ~ \^\/\(api\/runs\/\[0-9\]\+\/stream/);
    expect(text).toMatch(/proxy_buffering off;/);
    expect(text).toMatch(/proxy_read_timeout 1h;/);
  });

  it('appends the client\'s address to X-Forwarded-For and sets X-Forwarded-Proto in every location (TRUST_PROXY=1 reads the last entry)', () => {
    const text = read('deploy/nginx.conf');
    const locations = text.split(/\n\s*location /).slice(1);
    expect(locations.length).toBeGreaterThan(0);
    for (const block of locations) {
      expect(block).toMatch(/proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;/);
      expect(block).toMatch(/proxy_set_header X-Forwarded-Proto \$scheme;/);
    }
    expect(text).toMatch(/TRUST_PROXY=1/);
  });

  it('closes idle upstream connections before taskrun does', () => {
    const text = read('deploy/nginx.conf');
    const seconds = Number(/keepalive_timeout (\d+)s;/.exec(text)?.[1]);
    expect(seconds * 1000).toBeLessThan(loadConfig({}).http.keepAliveTimeoutMs);
  });
});
