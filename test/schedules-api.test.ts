import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNEL, listen } from '../src/db/notify';
import { saveTaskSettings } from '../src/queries/task-settings';
import { tick } from '../src/scheduler/scheduler';
import { writeTask } from './support/dirs';
import { createHarness, waitFor, type Harness } from './support/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
  writeTask(h.dirs, 'nightly.sh', 'echo "backup $TASKRUN_PARAM_TARGET"\n');
  writeTask(h.dirs, 'plain.sh', 'echo plain\n');
  await saveTaskSettings(h.deps.db, 'nightly', {
    params: [
      { name: 'target', type: 'string', required: true },
      { name: 'level', type: 'integer', min: 1, max: 9, default: 5 },
      { name: 'token', type: 'secret' },
    ],
  });
});
afterAll(() => h.close());

const send = (method: string, url: string, body?: unknown) =>
  h.app.request(url, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
const create = (task: string, body: unknown) => send('POST', `/api/tasks/${task}/schedules`, body);
const isoTimes = (list: string[]) => list.map((s) => new Date(s).getTime());
// A run a test's schedule queued (no runner takes it here) would make the next fire find the task busy.
const cancelActive = async (task: string) => {
  const active = (await (await h.app.request(`/api/tasks/${task}`)).json()).active_run;
  if (active) await h.app.request(`/api/runs/${active.run_id}/cancel`, { method: 'POST' });
};

describe('schedules API', () => {
  it('creates a schedule with its next five fire times and lists it everywhere', async () => {
    const res = await create('nightly', { cron: '0 3 * * *', timezone: 'europe/berlin', params: { target: 'db', level: '7' } });
    expect(res.status).toBe(201);
    const s = await res.json();
    expect(s).toMatchObject({
      task_id: 'nightly',
      cron: '0 3 * * *',
      timezone: 'Europe/Berlin',
      enabled: true,
      missed_policy: 'skip',
      params: { target: 'db', level: 7 },
      created_by: 'token:test-admin',
      last_fire: null,
    });
    expect(s.next_fires).toHaveLength(5);
    const times = isoTimes(s.next_fires);
    expect(times.every((t, i) => i === 0 || t > times[i - 1]!)).toBe(true);
    // 03:00 on the wall clock in Berlin, whatever the offset that day.
    for (const iso of s.next_fires) {
      expect(
        new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit' }).format(new Date(iso)),
      ).toBe('03:00');
    }

    const all = await (await h.app.request('/api/schedules')).json();
    expect(all.map((x: { schedule_id: number }) => x.schedule_id)).toContain(s.schedule_id);
    const ofTask = await (await h.app.request('/api/tasks/nightly/schedules')).json();
    expect(ofTask).toEqual([expect.objectContaining({ schedule_id: s.schedule_id })]);
    expect(await (await h.app.request('/api/tasks/plain/schedules')).json()).toEqual([]);
    expect(await (await h.app.request(`/api/schedules/${s.schedule_id}`)).json()).toMatchObject({
      schedule_id: s.schedule_id,
      cron: '0 3 * * *',
    });
  });

  it('tells the schedulers of every change on taskrun_schedules', async () => {
    const heard: string[] = [];
    const stop = await listen(h.deps.db, CHANNEL.schedules, (p) => heard.push(p));
    const s = await (await create('plain', { cron: '*/5 * * * *' })).json();
    await send('PATCH', `/api/schedules/${s.schedule_id}`, { enabled: false });
    await send('DELETE', `/api/schedules/${s.schedule_id}`);
    // An earlier test's notification can still be on its way: count this schedule's only.
    const mine = () => heard.filter((p) => p === String(s.schedule_id));
    await waitFor(() => mine().length >= 3, 5000, 'three notifications');
    expect(mine()).toHaveLength(3);
    await stop();
  });

  it('pauses (no next fires), resumes from now, and restarts on a new cron but not on a new policy', async () => {
    const s = await (await create('plain', { cron: '* * * * *', missed_policy: 'catch_up' })).json();
    const paused = await (await send('PATCH', `/api/schedules/${s.schedule_id}`, { enabled: false })).json();
    expect(paused).toMatchObject({ enabled: false, next_fires: [], active_since: s.active_since });

    await new Promise((r) => setTimeout(r, 20)); // so "now" is visibly later than creation
    const resumed = await (await send('PATCH', `/api/schedules/${s.schedule_id}`, { enabled: true })).json();
    expect(resumed.enabled).toBe(true);
    expect(resumed.next_fires).toHaveLength(5);
    expect(new Date(resumed.active_since).getTime()).toBeGreaterThan(new Date(s.active_since).getTime());

    const policy = await (await send('PATCH', `/api/schedules/${s.schedule_id}`, { missed_policy: 'skip' })).json();
    expect(policy).toMatchObject({ missed_policy: 'skip', active_since: resumed.active_since });
    await new Promise((r) => setTimeout(r, 20));
    const recron = await (await send('PATCH', `/api/schedules/${s.schedule_id}`, { cron: '*/2 * * * *' })).json();
    expect(recron.cron).toBe('*/2 * * * *');
    expect(new Date(recron.active_since).getTime()).toBeGreaterThan(new Date(resumed.active_since).getTime());
  });

  it('deletes a schedule with its fire records', async () => {
    const s = await (await create('plain', { cron: '* * * * * *' })).json();
    await tick(h.deps, new Date(new Date(s.active_since).getTime() + 2500), [s.schedule_id]);
    expect((await (await h.app.request(`/api/schedules/${s.schedule_id}/fires`)).json()).fires.length).toBeGreaterThan(0);
    expect((await send('DELETE', `/api/schedules/${s.schedule_id}`)).status).toBe(204);
    expect((await h.app.request(`/api/schedules/${s.schedule_id}`)).status).toBe(404);
    expect((await h.app.request(`/api/schedules/${s.schedule_id}/fires`)).status).toBe(404);
    expect((await h.tdb.db.$client`select count(*)::int as n from schedule_fires where schedule_id = ${s.schedule_id}`)[0]!.n).toBe(0);
    expect((await send('DELETE', `/api/schedules/${s.schedule_id}`)).status).toBe(404);
    await cancelActive('plain');
  });

  it("pages through the fire records, newest first, with their runs and the runs' status", async () => {
    const s = await (await create('plain', { cron: '* * * * * *' })).json();
    const from = new Date(s.active_since).getTime();
    // Three fire times: the first queues a run, the others find it still queued (no runner here).
    const { decided } = await tick(h.deps, new Date(Math.floor(from / 1000) * 1000 + 3000), [s.schedule_id]);
    expect(decided.map((d) => d.outcome)).toEqual(['queued', 'busy', 'busy']);
    const first = await (await h.app.request(`/api/schedules/${s.schedule_id}/fires?limit=2`)).json();
    expect(first.fires.map((f: { outcome: string }) => f.outcome)).toEqual(['busy', 'busy']);
    expect(first.fires[0].detail).toMatch(new RegExp(`run #${decided[0]!.runId} of the task was still active`));
    expect(first.next_before).toBe(first.fires[1].fire_at);
    const rest = await (
      await h.app.request(`/api/schedules/${s.schedule_id}/fires?limit=2&before=${encodeURIComponent(first.next_before)}`)
    ).json();
    expect(rest.fires).toEqual([
      expect.objectContaining({ outcome: 'queued', run_id: decided[0]!.runId, run_status: 'queued', task_id: 'plain' }),
    ]);
    expect(rest.next_before).toBeNull();
    const listed = (await (await h.app.request('/api/schedules')).json()).find(
      (x: { schedule_id: number }) => x.schedule_id === s.schedule_id,
    );
    expect(listed.last_fire).toMatchObject({ outcome: 'busy', run_id: null });
    const run = await (await h.app.request(`/api/runs/${decided[0]!.runId}`)).json();
    expect(run).toMatchObject({ task_id: 'plain', trigger: 'schedule', status: 'queued' });
    await send('DELETE', `/api/schedules/${s.schedule_id}`);
    await cancelActive('plain');
  });

  it('previews the next five fire times, or names what is wrong', async () => {
    const ok = await (await h.app.request('/api/schedules/preview?cron=*/15+*+*+*+*+*&timezone=Asia/Kolkata')).json();
    expect(ok.next_fires).toHaveLength(5);
    const gaps = isoTimes(ok.next_fires)
      .slice(1)
      .map((t, i) => t - isoTimes(ok.next_fires)[i]!);
    expect(gaps).toEqual([15000, 15000, 15000, 15000]);
    for (const [query, mentions] of [
      ['cron=61+*+*+*+*', /^cron: invalid value for minute/],
      ['cron=*+*+*', /^cron: must have 5 fields .* it has 3$/],
      ['cron=', /^cron: must be a cron expression/],
      ['', /^cron: must be a cron expression/],
      ['cron=0+0+30+2+*', /^cron: never fires$/],
      ['cron=*+*+*+*+*&timezone=Mars/Olympus', /^timezone: must be an IANA time zone/],
      ['cron=*+*+*+*+*&tz=UTC', /unknown parameter tz/],
    ] as const) {
      const res = await h.app.request(`/api/schedules/preview?${query}`);
      expect(res.status, query).toBe(400);
      expect((await res.json()).error, query).toMatch(mentions);
    }
  });

  it('refuses bad bodies with 400 naming the field', async () => {
    const cases: [body: unknown, mentions: RegExp][] = [
      [{}, /^cron: must be a string$/],
      [{ cron: 5 }, /^cron: must be a string$/],
      [{ cron: '* * * * * * *' }, /^cron: must have 5 fields/],
      [{ cron: '@reboot' }, /^cron: @reboot is not supported/],
      [{ cron: '* * * * *', timezone: '../etc/passwd' }, /^timezone: must be an IANA/],
      [{ cron: '* * * * *', timezone: 3 }, /^timezone: must be a string$/],
      [{ cron: '* * * * *', enabled: 'yes' }, /^enabled: must be true or false$/],
      [{ cron: '* * * * *', missed_policy: 'sometimes' }, /^missed_policy: must be one of skip, catch_up$/],
      [{ cron: '* * * * *', owner: 'root' }, /^body: unknown field owner$/],
      [{ cron: '* * * * *', params: [] }, /^params: must be a JSON object/],
      [{ cron: '* * * * *', params: { target: { a: 1 } } }, /^params\.target: must be a string, number or boolean$/],
      [{ cron: '* * * * *' }, /^params\.target: is required$/],
      [{ cron: '* * * * *', params: { target: 'x', level: 10 } }, /^params\.level: must be at most 9$/],
      [{ cron: '* * * * *', params: { target: 'x', nope: 1 } }, /^params\.nope: is not a parameter of this task$/],
      [
        { cron: '* * * * *', params: { target: 'x', token: 's3cret' } },
        /^params\.token: is a secret parameter: a schedule cannot give it a value$/,
      ],
      [[], /^body: must be a JSON object$/],
    ];
    for (const [body, mentions] of cases) {
      const res = await create('nightly', body);
      const answer = await res.json();
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(answer.error, JSON.stringify(body)).toMatch(mentions);
      expect(Object.keys(answer.fields).length).toBeGreaterThan(0);
    }
    expect((await h.app.request('/api/tasks/nightly/schedules', { method: 'POST', body: 'cron=1' })).status).toBe(400);
    const s = await (await create('plain', { cron: '* * * * *' })).json();
    const patch = await send('PATCH', `/api/schedules/${s.schedule_id}`, {});
    expect(patch.status).toBe(400);
    expect((await patch.json()).error).toMatch(/^body: nothing to change/);
    expect((await send('PATCH', `/api/schedules/${s.schedule_id}`, { cron: 'often' })).status).toBe(400);
    await send('DELETE', `/api/schedules/${s.schedule_id}`);
  });

  it('answers 404 for unknown tasks and schedules, 400 for malformed ids', async () => {
    expect((await create('ghost', { cron: '* * * * *' })).status).toBe(404);
    expect((await h.app.request('/api/tasks/ghost/schedules')).status).toBe(404);
    for (const [method, url] of [
      ['GET', '/api/schedules/999999'],
      ['PATCH', '/api/schedules/999999'],
      ['DELETE', '/api/schedules/999999'],
      ['GET', '/api/schedules/999999/fires'],
    ]) {
      const res = await send(method!, url!, method === 'PATCH' ? { enabled: false } : undefined);
      expect(res.status, url).toBe(404);
      expect((await res.json()).error).toBe('schedule not found: 999999');
    }
    for (const id of ['0', '-1', '1.5', 'abc', '2147483648', '01']) {
      const res = await h.app.request(`/api/schedules/${id}`);
      expect(res.status, id).toBe(400);
      expect((await res.json()).error).toMatch(/^invalid schedule id/);
    }
    for (const q of ['limit=0', 'limit=501', 'before=yesterday', 'sort=asc']) {
      const s = (await (await h.app.request('/api/schedules')).json())[0];
      expect((await h.app.request(`/api/schedules/${s.schedule_id}/fires?${q}`)).status, q).toBe(400);
    }
  });

  it('audits creating, editing and deleting', async () => {
    const s = await (await create('plain', { cron: '0 * * * *' })).json();
    await send('PATCH', `/api/schedules/${s.schedule_id}`, { enabled: false });
    await send('DELETE', `/api/schedules/${s.schedule_id}`);
    const entries = (await (await h.app.request('/api/audit?action=schedule.create&limit=500')).json()).entries
      .concat((await (await h.app.request('/api/audit?action=schedule.edit&limit=500')).json()).entries)
      .concat((await (await h.app.request('/api/audit?action=schedule.delete&limit=500')).json()).entries)
      .filter((e: { details: { schedule_id: number } }) => e.details.schedule_id === s.schedule_id);
    expect(entries.map((e: { action: string }) => e.action).sort()).toEqual(['schedule.create', 'schedule.delete', 'schedule.edit']);
    expect(entries.every((e: { actor: string; target: string }) => e.actor === 'token:test-admin' && e.target === 'plain')).toBe(true);
    expect(entries.find((e: { action: string }) => e.action === 'schedule.edit').details).toEqual({
      schedule_id: s.schedule_id,
      enabled: false,
    });
  });
});
