import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveTaskSettings } from '../src/queries/task-settings';
import { writeTask } from './support/dirs';
import { createHarness, type Harness } from './support/harness';
import { readSse } from './support/sse';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  await h.startRunner();
});
afterAll(() => h.close());

const json = (body: unknown): RequestInit => ({ body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
const setSecret = async (task: string, name: string, value: string) =>
  expect((await h.app.request(`/api/tasks/${task}/secrets/${name}`, { method: 'PUT', ...json({ value }) })).status).toBe(204);

const TOKEN = 'tok-7f3a9c1e5b';
const PASSWORD = 'correct horse battery';

describe("secret values in a run's output", () => {
  it('are *** in the log file, over the log API and in the live stream, even when written in two halves', async () => {
    // The token is written in two writes with a pause between, so it reaches the runner in two chunks.
    writeTask(
      h.dirs,
      'leaky.sh',
      [
        'echo "token=$API_TOKEN"',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion in the task script
        'printf "split=%s" "${API_TOKEN:0:6}"',
        'sleep 0.3',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion in the task script
        'printf "%s!\\n" "${API_TOKEN:6}"',
        'echo "password is $TASKRUN_PARAM_PASSWORD, twice: $TASKRUN_PARAM_PASSWORD$TASKRUN_PARAM_PASSWORD"',
        'echo "short secret: $SHORT"',
        'echo "on stderr: $API_TOKEN" >&2',
        'echo "::progress 50 using $API_TOKEN"',
        '',
      ].join('\n'),
    );
    await saveTaskSettings(h.deps.db, 'leaky', { params: [{ name: 'password', type: 'secret' }] });
    await setSecret('leaky', 'API_TOKEN', TOKEN);
    await setSecret('leaky', 'SHORT', 'ab');
    const res = await h.app.request('/api/tasks/leaky/execute', { method: 'POST', ...json({ params: { password: PASSWORD } }) });
    const run = await h.runEnded((await res.json()).run_id);
    expect(run.status).toBe('success');

    const expected = [
      'token=***',
      'split=***!',
      'password is ***, twice: ******',
      // Below MIN_SECRET_CHARS (3) a value is left alone: masking every "ab" would garble the log.
      'short secret: ab',
      '',
    ].join('\n');
    // stdout and stderr are two pipes: where the stderr line lands among the others is not fixed.
    const withoutStderr = (log: string) => log.replace('on stderr: ***\n', '');
    const file = fs.readFileSync(path.join(h.dirs.logsDir, `leaky_${run.run_id}.log`), 'utf8');
    expect(file).toContain('on stderr: ***\n');
    expect(withoutStderr(file)).toBe(expected);
    expect(run.log_bytes).toBe(Buffer.byteLength(file));
    expect(await (await h.app.request(run.log)).text()).toBe(file);

    const stream = await h.app.request(`/api/runs/${run.run_id}/stream`);
    let streamed = '';
    for await (const e of readSse(stream)) {
      if (e.event === 'log') streamed += `${e.data}\n`;
      if (e.event === 'end') break;
    }
    expect(streamed).not.toContain(TOKEN);
    expect(streamed).not.toContain(PASSWORD);
    expect(streamed).toContain('split=***!');

    // A progress message is masked too.
    expect(run.progress).toMatchObject({ percent: 50, message: 'using ***' });
  });

  it('masks each line of a multi-line secret on its own', async () => {
    const key = '-----BEGIN TEST KEY-----\nMIIBVwIBADANBgkqhkiG9w0BAQEFAASC\n-----END TEST KEY-----\n';
    writeTask(h.dirs, 'keyfile.sh', 'printf "%s" "$KEY"\necho "second line alone: $(echo "$KEY" | sed -n 2p)"\n');
    await setSecret('keyfile', 'KEY', key);
    const res = await h.app.request('/api/tasks/keyfile/execute', { method: 'POST' });
    const run = await h.runEnded((await res.json()).run_id);
    const log = await (await h.app.request(run.log)).text();
    expect(log).toBe('***second line alone: ***\n');
  });
});
