import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTask } from './support/dirs';
import { createHarness, waitFor, type Harness } from './support/harness';
import { listen, readSse, type SseEvent } from './support/sse';

let h: Harness;
let server: Awaited<ReturnType<typeof listen>>;
beforeAll(async () => {
  h = await createHarness();
  await h.startRunner();
  server = await listen(h.app);
});
afterAll(async () => {
  await server.close();
  await h.close();
});

describe('live log', () => {
  it('is readable and streams over SSE while the run goes on; Last-Event-ID resumes with no gap and no repeat', async () => {
    const gate = path.join(h.dirs.root, 'gate');
    writeTask(
      h.dirs,
      'talker.sh',
      `for i in 1 2 3; do echo "early line $i"; done\nprintf 'ünïcödé → ✓\\n'\nwhile [ ! -e ${gate} ]; do sleep 0.05; done\nfor i in 1 2 3; do echo "late line $i"; done\nprintf 'no newline at the end'\n`,
    );
    const { run_id, log } = await (await h.app.request('/api/tasks/talker/execute', { method: 'POST' })).json();

    // First connection: read until the early lines have arrived, then drop the connection.
    const first = new AbortController();
    const res1 = await fetch(`${server.base}/api/runs/${run_id}/stream`, { signal: first.signal });
    expect(res1.headers.get('content-type')).toMatch(/text\/event-stream/);
    const seen1: SseEvent[] = [];
    for await (const ev of readSse(res1)) {
      seen1.push(ev);
      if (
        seen1
          .filter((e) => e.event === 'log')
          .map((e) => e.data)
          .join('')
          .includes('✓')
      )
        break;
    }
    first.abort();
    expect(seen1[0].event).toBe('status');
    const text1 = seen1
      .filter((e) => e.event === 'log')
      .map((e) => e.data)
      .join('');
    expect(text1).toBe('early line 1\nearly line 2\nearly line 3\nünïcödé → ✓\n');
    // The run is still going, and the plain log endpoint serves what is there so far.
    expect((await (await h.app.request(`/api/runs/${run_id}`)).json()).status).toBe('running');
    expect(await (await h.app.request(log)).text()).toBe(text1);

    // Reconnect from the last id, as EventSource does, then let the task finish.
    const lastId = seen1.filter((e) => e.event === 'log').at(-1)!.id!;
    expect(Number(lastId)).toBe(Buffer.byteLength(text1));
    const res2 = await fetch(`${server.base}/api/runs/${run_id}/stream`, { headers: { 'Last-Event-ID': lastId } });
    fs.writeFileSync(gate, '');
    const seen2: SseEvent[] = [];
    for await (const ev of readSse(res2)) seen2.push(ev);
    const text2 = seen2
      .filter((e) => e.event === 'log')
      .map((e) => e.data)
      .join('');
    expect(text1 + text2).toBe(fs.readFileSync(path.join(h.dirs.logsDir, `talker_${run_id}.log`), 'utf8'));
    expect(text2).toBe('late line 1\nlate line 2\nlate line 3\nno newline at the end');
    const end = seen2.at(-1)!;
    expect(end.event).toBe('end');
    expect(JSON.parse(end.data)).toMatchObject({ run_id, status: 'success', exit_code: 0 });
    expect(seen2.some((e) => e.event === 'status' && JSON.parse(e.data).status === 'success')).toBe(true);
  });

  it('lets a viewer far behind a running log skip ahead, saying which bytes it skipped, and resume from there', async () => {
    const gate = path.join(h.dirs.root, 'gate-skip');
    // 5.4 MB of numbered lines written at once (more than a viewer may lag), then the run waits.
    writeTask(h.dirs, 'flood.sh', `seq -f 'line %08g of the flood' 1 200000\nwhile [ ! -e ${gate} ]; do sleep 0.05; done\necho last\n`);
    const { run_id } = await (await h.app.request('/api/tasks/flood/execute', { method: 'POST' })).json();
    const file = path.join(h.dirs.logsDir, `flood_${run_id}.log`);
    await waitFor(() => fs.existsSync(file) && fs.statSync(file).size >= 200000 * 27, 30_000, 'the flood to be written');

    const events: SseEvent[] = [];
    for await (const ev of readSse(await fetch(`${server.base}/api/runs/${run_id}/stream?offset=0`))) {
      events.push(ev);
      if (ev.event === 'log' && !fs.existsSync(gate)) fs.writeFileSync(gate, '');
    }
    const skipped = events.filter((e) => e.event === 'skipped');
    expect(skipped).toHaveLength(1);
    const { from, to, bytes } = JSON.parse(skipped[0].data);
    expect(from).toBe(0);
    expect(bytes).toBe(to - from);
    expect(skipped[0].id).toBe(String(to));
    const whole = fs.readFileSync(file);
    expect(whole[to - 1]).toBe(0x0a); // it resumes at a line start
    const after = events
      .slice(events.indexOf(skipped[0]) + 1)
      .filter((e) => e.event === 'log')
      .map((e) => e.data)
      .join('');
    expect(after).toBe(whole.subarray(to).toString('utf8'));
    expect(after.endsWith('line 00200000 of the flood\nlast\n')).toBe(true);
    expect(events.at(-1)!.event).toBe('end');

    // The same offsets resume exactly: from the skip's id, the rest of the log and nothing else.
    const again: SseEvent[] = [];
    for await (const ev of readSse(await fetch(`${server.base}/api/runs/${run_id}/stream`, { headers: { 'Last-Event-ID': String(to) } })))
      again.push(ev);
    expect(
      again
        .filter((e) => e.event === 'log')
        .map((e) => e.data)
        .join(''),
    ).toBe(after);
  });

  it('streams a finished run whole and ends at once', async () => {
    writeTask(h.dirs, 'quick.sh', 'echo one\necho two\n');
    const { run_id } = await (await h.app.request('/api/tasks/quick/execute', { method: 'POST' })).json();
    await waitFor(async () => (await (await h.app.request(`/api/runs/${run_id}`)).json()).finished_at);
    const events: SseEvent[] = [];
    for await (const ev of readSse(await fetch(`${server.base}/api/runs/${run_id}/stream`))) events.push(ev);
    expect(events.map((e) => e.event)).toEqual(['status', 'log', 'end']);
    expect(events[1]).toMatchObject({ data: 'one\ntwo\n', id: '8' });
  });
});
