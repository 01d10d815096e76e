import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectNoFileChange } from './support/bad-input';
import { writeTask } from './support/dirs';
import { createHarness, waitFor, type Harness } from './support/harness';

// The log API: only logs of known runs, by their exact name; offsets and ranges checked; readable while running.

const LOG = 'one\ntwo\n'; // 8 bytes

let h: Harness;
let runId: number;
let name: string;
beforeAll(async () => {
  h = await createHarness();
  writeTask(h.dirs, 'alpha.sh', "printf 'one\\ntwo\\n'\n");
  await h.startRunner();
  runId = (await (await h.app.request('/api/tasks/alpha/execute', { method: 'POST' })).json()).run_id;
  name = `alpha_${runId}.log`;
  await h.runEnded(runId, 20_000);
  // Files in LOGS_DIR that are not the log of a known run: never served.
  fs.writeFileSync(path.join(h.dirs.logsDir, `stray_${runId}.log`), 'stray\n');
  fs.writeFileSync(path.join(h.dirs.logsDir, 'app.log'), 'app\n');
});
afterAll(() => h.close());

const get = (url: string, headers: Record<string, string> = {}) => h.app.request(url, { headers });
const refused = (url: string, headers: Record<string, string>, status: number, mentions: RegExp) =>
  expectNoFileChange(h.dirs.root, () => expectError(h.app, url, { headers }, status, mentions));
const logUrls = (n: string) => [`/api/logs/${n}`, `/logs/${n}/download`];

describe('log names of other shapes ({run} is a run of alpha)', () => {
  it.each([
    ['x.log', 400],
    ['a_b.txt', 400],
    ['_1.log', 400],
    ['.log', 400],
    ['app.log', 400],
    ['alpha_{run}.log.bak', 400],
    ['alpha_0{run}.log', 400],
    ['alpha_{run}.LOG', 400],
    ['alpha_{run}', 400],
    ['alpha-{run}.log', 400],
    ['alpha_{run}.log.', 400],
    ['alpha_{run}.log%2F..', 400],
    ['beta_{run}.log', 404],
    ['ALPHA_{run}.log', 404],
    ['stray_{run}.log', 404],
    ['alpha_99999999999.log', 404],
  ])('%s → %i on both the API and the download route', async (shape, status) => {
    for (const url of logUrls(shape.replace('{run}', String(runId)))) {
      await refused(url, {}, status, status === 400 ? /^invalid log name/ : /^log not found/);
    }
  });
});

describe('a run without a log file', () => {
  it('answers 404 naming the run when the run has ended and its file is gone, on both routes', async () => {
    writeTask(h.dirs, 'gone.sh', 'echo soon gone\n');
    const { run_id } = await (await h.app.request('/api/tasks/gone/execute', { method: 'POST' })).json();
    await h.runEnded(run_id, 20_000);
    fs.rmSync(path.join(h.dirs.logsDir, `gone_${run_id}.log`));
    for (const url of logUrls(`gone_${run_id}.log`)) {
      const body = await refused(url, {}, 404, new RegExp(`^log not found: run ${run_id} ended \\(success\\) and has no log file`));
      expect(body).toMatchObject({ run_id, status: 'success' });
    }
  });

  it('names what matched nothing: no run of that number for that task', async () => {
    await refused(`/api/logs/alpha_99999999999.log`, {}, 404, /^log not found: no run 99999999999 of task alpha$/);
  });
});

describe('offsets and ranges', () => {
  it.each(['-1', 'abc', '1e3', '', '0x10', '%201', '1.5', '+1', '99999999999999999999'])('?offset=%s → 400', async (offset) => {
    for (const url of logUrls(name)) await refused(`${url}?offset=${offset}`, {}, 400, /^offset must be a whole number/);
  });

  it.each(['bytes=-5', 'bytes=abc-', 'bytes=-', 'bytes=99999999999999999999-', 'bytes=5-2', 'bytes=0-1,3-4', 'items=0-', 'abc'])(
    'Range: %s → 416',
    async (range) => {
      for (const url of logUrls(name)) await refused(url, { range }, 416, /Range|range/);
    },
  );

  it.each(['bytes=8-', 'bytes=1000-', 'bytes=999999999999999-'])('Range past the end (%s) → 416 with the size', async (range) => {
    const body = await refused(`/api/logs/${name}`, { range }, 416, /^range not satisfiable: the log has 8 bytes$/);
    expect(body.size).toBe(8);
  });
});

describe('reading a log', () => {
  const expectText = async (res: Response, status: number, text: string) => {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await res.text()).toBe(text);
  };

  it('serves the whole log with the offset to ask from next', async () => {
    const res = await get(`/api/logs/${name}`);
    expect(res.headers.get('x-next-offset')).toBe('8');
    await expectText(res, 200, LOG);
  });

  it.each([
    ['0', LOG],
    ['4', 'two\n'],
    ['7', '\n'],
    ['8', ''],
    ['1000', ''],
  ])('?offset=%s returns exactly the rest from that byte', async (offset, rest) => {
    const res = await get(`/api/logs/${name}?offset=${offset}`);
    expect(res.headers.get('x-next-offset')).toBe('8');
    await expectText(res, 200, rest);
  });

  it.each([
    ['bytes=4-', 'bytes 4-7/8', 'two\n'],
    ['bytes=0-2', 'bytes 0-2/8', 'one'],
    ['bytes=6-1000', 'bytes 6-7/8', 'o\n'],
  ])('Range: %s answers 206 with Content-Range %s', async (range, contentRange, text) => {
    for (const url of logUrls(name)) {
      const res = await get(url, { range });
      expect(res.headers.get('content-range')).toBe(contentRange);
      await expectText(res, 206, text);
    }
  });

  it('downloads the same log as an attachment', async () => {
    const res = await get(`/logs/${name}/download`);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${name}"`);
    await expectText(res, 200, LOG);
  });

  it('serves the log so far while the run is still going', async () => {
    writeTask(h.dirs, 'slow.sh', 'echo first\nsleep 30\n');
    const { run_id, log } = await (await h.app.request('/api/tasks/slow/execute', { method: 'POST' })).json();
    const text = await waitFor(
      async () => {
        const t = await (await get(log)).text();
        return t === '' ? null : t;
      },
      20_000,
      'the first line of the slow run',
    );
    expect(text).toBe('first\n');
    expect((await (await get(`/api/runs/${run_id}`)).json()).status).toBe('running');
    const rest = await get(`${log}?offset=6`);
    expect(rest.headers.get('x-next-offset')).toBe('6');
    await expectText(rest, 200, '');

    expect((await h.app.request(`/api/runs/${run_id}/cancel`, { method: 'POST' })).status).toBe(202);
    const ended = await h.runEnded(run_id, 20_000);
    expect(ended.status).toBe('canceled');
  });
});
