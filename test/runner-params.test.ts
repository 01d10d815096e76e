import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seal } from '../src/auth/secret-box';
import { upsertSecret } from '../src/queries/task-secrets';
import { saveTaskSettings } from '../src/queries/task-settings';
import type { ParamDef } from '../src/tasks/params';
import { writeTask } from './support/dirs';
import { createHarness, type Harness } from './support/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  await h.startRunner();
});
afterAll(() => h.close());

const json = (body: unknown): RequestInit => ({ body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
async function execute(id: string, params?: Record<string, unknown>): Promise<number> {
  const res = await h.app.request(`/api/tasks/${id}/execute`, { method: 'POST', ...(params ? json({ params }) : {}) });
  expect(res.status).toBe(202);
  return (await res.json()).run_id;
}

// A task that writes its argv and the environment it got to a file, as JSON: what the process really saw.
const dumpTask = (out: string) => `import json, os, sys
json.dump({"argv": sys.argv[1:], "env": dict(os.environ)}, open(${JSON.stringify(out)}, "w"))
print("dumped")
`;

describe('parameters reach the script as argv and TASKRUN_PARAM_*, never through a shell', () => {
  it('passes hostile values literally: nothing they name runs, every byte arrives', async () => {
    const root = h.dirs.out;
    const victim = path.join(root, 'victim');
    fs.mkdirSync(victim);
    const out = path.join(root, 'hostile.json');
    writeTask(h.dirs, 'hostile.py', dumpTask(out));
    const params: ParamDef[] = [
      { name: 'semi', type: 'string' },
      { name: 'subst', type: 'string' },
      { name: 'ticks', type: 'string' },
      { name: 'lines', type: 'text' },
      { name: 'count', type: 'integer' },
      { name: 'verbose', type: 'boolean' },
      { name: 'password', type: 'secret' },
    ];
    expect((await h.app.request('/api/tasks/hostile', { method: 'PUT', ...json({ params }) })).status).toBe(200);
    const values = {
      semi: `; rm -rf ${victim}`,
      subst: `$(touch ${root}/by-subst)`,
      ticks: `\`touch ${root}/by-ticks\``,
      lines: `first\n$(touch ${root}/by-lines)\n; touch ${root}/by-semi\n`,
      count: 42,
      verbose: true,
      password: `pw'"$(touch ${root}/by-secret)`,
    };
    const run = await h.runEnded(await execute('hostile', values));
    expect(run.status).toBe('success');
    const seen = JSON.parse(fs.readFileSync(out, 'utf8')) as { argv: string[]; env: Record<string, string> };
    // Secrets go to the environment only: argv is readable by every user of the machine.
    expect(seen.argv).toEqual([
      `--semi=${values.semi}`,
      `--subst=${values.subst}`,
      `--ticks=${values.ticks}`,
      `--lines=${values.lines}`,
      '--count=42',
      '--verbose=true',
    ]);
    expect(seen.env).toMatchObject({
      TASKRUN_PARAM_SEMI: values.semi,
      TASKRUN_PARAM_SUBST: values.subst,
      TASKRUN_PARAM_TICKS: values.ticks,
      TASKRUN_PARAM_LINES: values.lines,
      TASKRUN_PARAM_COUNT: '42',
      TASKRUN_PARAM_VERBOSE: 'true',
      TASKRUN_PARAM_PASSWORD: values.password,
    });
    expect(fs.existsSync(victim)).toBe(true);
    expect(fs.readdirSync(root).filter((f) => f.startsWith('by-'))).toEqual([]);
    // The run keeps its values, but never a secret one.
    expect(run.params).toEqual({
      semi: values.semi,
      subst: values.subst,
      ticks: values.ticks,
      lines: values.lines,
      count: 42,
      verbose: true,
    });
  });

  it('passes the same values to a shell script as "$@", each one argument', async () => {
    const out = path.join(h.dirs.out, 'args.bin');
    writeTask(h.dirs, 'shargs.sh', `printf '%s\\0' "$@" > ${out}\n`);
    await saveTaskSettings(h.deps.db, 'shargs', {
      params: [
        { name: 'a', type: 'string' },
        { name: 'b', type: 'text' },
      ],
    });
    const values = { a: '$(id) `id` ; id | id && id', b: 'it\'s\n"quoted"\n' };
    expect((await h.runEnded(await execute('shargs', values))).status).toBe('success');
    expect(fs.readFileSync(out, 'utf8').split('\0').slice(0, -1)).toEqual([`--a=${values.a}`, `--b=${values.b}`]);
  });

  it('keeps a value that starts with "-" a value for argparse, which takes a separate "-x" for an option', async () => {
    const out = path.join(h.dirs.out, 'argparse.json');
    writeTask(
      h.dirs,
      'parsed.py',
      `import argparse, json
p = argparse.ArgumentParser()
p.add_argument("--offset")
p.add_argument("--name")
a = p.parse_args()
json.dump({"offset": a.offset, "name": a.name}, open(${JSON.stringify(out)}, "w"))
`,
    );
    await saveTaskSettings(h.deps.db, 'parsed', {
      params: [
        { name: 'offset', type: 'string' },
        { name: 'name', type: 'string' },
      ],
    });
    const run = await h.runEnded(await execute('parsed', { offset: '-5', name: '--help' }));
    expect(run.status).toBe('success');
    expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toEqual({ offset: '-5', name: '--help' });
  });

  it('fills defaults and leaves out optional parameters that have none', async () => {
    const out = path.join(h.dirs.out, 'defaults.json');
    writeTask(h.dirs, 'defaults.py', dumpTask(out));
    await saveTaskSettings(h.deps.db, 'defaults', {
      params: [
        { name: 'region', type: 'choice', choices: ['eu', 'us'], default: 'eu' },
        { name: 'note', type: 'string' },
      ],
    });
    expect((await h.runEnded(await execute('defaults'))).status).toBe('success');
    const seen = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(seen.argv).toEqual(['--region=eu']);
    expect(seen.env.TASKRUN_PARAM_REGION).toBe('eu');
    expect(seen.env).not.toHaveProperty('TASKRUN_PARAM_NOTE');
  });
});

describe('the environment of a run', () => {
  it("is the runner's, then the task's variables, then its secrets, then parameters, then taskrun's own", async () => {
    const out = path.join(h.dirs.out, 'env.json');
    writeTask(h.dirs, 'envdump.py', dumpTask(out));
    // Set directly: the API refuses TASKRUN_* names, but the runner must not depend on that.
    await saveTaskSettings(h.deps.db, 'envdump', {
      env: { GREETING: 'hello world', SHARED: 'from env', TASKRUN_RUN_ID: 'not yours', HOME_REGION: '$(touch nothing)' },
      params: [{ name: 'level', type: 'integer', default: 3 }],
    });
    for (const [name, value] of [
      ['API_TOKEN', 'tok-123-secret'],
      ['SHARED', 'from secret'],
    ]) {
      expect((await h.app.request(`/api/tasks/envdump/secrets/${name}`, { method: 'PUT', ...json({ value }) })).status).toBe(204);
    }
    const runId = await execute('envdump');
    const run = await h.runEnded(runId);
    expect(run.status).toBe('success');
    const { env } = JSON.parse(fs.readFileSync(out, 'utf8')) as { env: Record<string, string> };
    expect(env).toMatchObject({
      GREETING: 'hello world',
      HOME_REGION: '$(touch nothing)',
      API_TOKEN: 'tok-123-secret',
      SHARED: 'from secret',
      TASKRUN_PARAM_LEVEL: '3',
      TASKRUN_RUN_ID: String(runId),
      TASKRUN_TASK_ID: 'envdump',
      PYTHONUNBUFFERED: '1',
    });
    // taskrun's own secrets never reach a task.
    for (const name of ['DATABASE_URL', 'SECRET_KEY', 'ADMIN_PASSWORD']) expect(env).not.toHaveProperty(name);
  });

  it('ends a run as error, naming SECRET_KEY, when a secret was sealed with another key', async () => {
    writeTask(h.dirs, 'otherkey.sh', 'echo should not run\n');
    await upsertSecret(h.deps.db, 'otherkey', 'DB_PASSWORD', seal(Buffer.alloc(32, 7), 'sealed elsewhere'));
    const run = await h.runEnded(await execute('otherkey'));
    expect(run.status).toBe('error');
    expect(run.error).toContain('DB_PASSWORD');
    expect(run.error).toContain('SECRET_KEY');
    const log = await (await h.app.request(run.log)).text();
    expect(log).toContain('SECRET_KEY');
    expect(log).not.toContain('should not run');
  });
});
