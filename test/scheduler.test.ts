import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';
import { saveTaskSettings } from '../src/queries/task-settings';
import { dueFires, MAX_MISSED_COUNT } from '../src/scheduler/due-fires';
import { tick, type SchedulerContext } from '../src/scheduler/scheduler';
import { writeTask } from './support/dirs';
import { createHarness, type Harness } from './support/harness';

// The scheduler with a controllable clock: every tick is given its `now`. Fire times are counted from
// a schedule's active_since, which the tests move (in SQL) to where the story needs it. No runner is
// up, so a queued run stays queued until a test cancels it.

let h: Harness;
let ctx: SchedulerContext;
beforeAll(async () => {
  h = await createHarness();
  ctx = h.deps;
});
afterAll(() => h.close());

const S = 1000;
const MIN = 60 * S;
const HOUR = 60 * MIN;
const at = (ms: number) => new Date(ms);

type Fire = { fire_at: Date; outcome: string; run_id: number | null; detail: string | null };

async function schedule(task: string, body: Record<string, unknown>, activeSince?: Date): Promise<{ id: number; since: number }> {
  writeTask(h.dirs, `${task}.sh`, 'echo scheduled\n');
  const res = await h.app.request(`/api/tasks/${task}/schedules`, { method: 'POST', body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBe(201);
  const id = (await res.json()).schedule_id as number;
  // Raw queries through drizzle's client take and give timestamps as text.
  if (activeSince) await h.tdb.db.$client`update schedules set active_since = ${activeSince.toISOString()} where id = ${id}`;
  const [row] = await h.tdb.db.$client<{ active_since: string }[]>`select active_since from schedules where id = ${id}`;
  return { id, since: new Date(row!.active_since).getTime() };
}

const fires = async (id: number): Promise<Fire[]> =>
  (
    await h.tdb.db.$client<(Omit<Fire, 'fire_at'> & { fire_at: string })[]>`
    select fire_at, outcome, run_id, detail from schedule_fires where schedule_id = ${id} order by fire_at`
  ).map((f) => ({ ...f, fire_at: new Date(f.fire_at) }));

async function cancelActive(task: string): Promise<void> {
  const active = (await (await h.app.request(`/api/tasks/${task}`)).json()).active_run;
  if (active) expect((await h.app.request(`/api/runs/${active.run_id}/cancel`, { method: 'POST' })).status).toBe(202);
}

describe('scheduler tick with a controllable clock', () => {
  it('fires on time once, queues a schedule run, records and audits it', async () => {
    const { id, since } = await schedule('ontime', { cron: '*/10 * * * * *' });
    const first = Math.ceil((since + 1) / (10 * S)) * 10 * S;
    const { decided } = await tick(ctx, at(first + 200), [id]);
    expect(decided).toEqual([{ scheduleId: id, fireAt: at(first), outcome: 'queued', runId: expect.any(Number), detail: null }]);
    // The same instant again, and a moment later: nothing more to decide.
    expect((await tick(ctx, at(first + 200), [id])).decided).toEqual([]);
    expect((await tick(ctx, at(first + 9 * S), [id])).decided).toEqual([]);

    const runId = decided[0]!.runId!;
    expect(await (await h.app.request(`/api/runs/${runId}`)).json()).toMatchObject({
      task_id: 'ontime',
      trigger: 'schedule',
      status: 'queued',
    });
    expect(await fires(id)).toEqual([{ fire_at: at(first), outcome: 'queued', run_id: runId, detail: null }]);
    const audit = (await (await h.app.request(`/api/audit?actor=${encodeURIComponent(`schedule:${id}`)}`)).json()).entries;
    expect(audit).toEqual([
      expect.objectContaining({
        action: 'run.execute',
        target: 'ontime',
        details: expect.objectContaining({ run_id: runId, trigger: 'schedule' }),
      }),
    ]);
    await cancelActive('ontime');
  });

  it('records a fire time skipped because the task was busy, and fires again once it is free', async () => {
    const { id, since } = await schedule('busy', { cron: '*/10 * * * * *' });
    const first = Math.ceil((since + 1) / (10 * S)) * 10 * S;
    const [queued] = (await tick(ctx, at(first + 100), [id])).decided;
    const [busy] = (await tick(ctx, at(first + 10 * S + 100), [id])).decided;
    expect(busy).toMatchObject({ outcome: 'busy', runId: null, detail: `skipped: run #${queued!.runId} of the task was still active` });
    await cancelActive('busy');
    const [again] = (await tick(ctx, at(first + 20 * S + 100), [id])).decided;
    expect(again).toMatchObject({ outcome: 'queued', runId: expect.any(Number) });
    expect((await fires(id)).map((f) => f.outcome)).toEqual(['queued', 'busy', 'queued']);
    const page = await (await h.app.request(`/api/schedules/${id}/fires`)).json();
    expect(page.fires[1]).toMatchObject({ outcome: 'busy', detail: expect.stringContaining('still active') });
    await cancelActive('busy');
  });

  it('records a full queue and an error (task gone, parameters no longer valid) without a run', async () => {
    const { id, since } = await schedule('fullq', { cron: '* * * * * *' });
    const strict: SchedulerContext = { ...ctx, cfg: loadConfig({ ...h.env, MAX_QUEUED_RUNS: '0' }) };
    const [full] = (await tick(strict, at(Math.ceil(since / S) * S + 1500), [id])).decided;
    expect(full).toMatchObject({ outcome: 'full', runId: null, detail: 'skipped: the run queue was full' });

    const gone = await schedule('vanish', { cron: '* * * * * *' });
    fs.rmSync(path.join(h.dirs.tasksDir, 'vanish.sh'));
    const [error] = (await tick(ctx, at(Math.ceil(gone.since / S) * S + 1500), [gone.id])).decided;
    expect(error).toMatchObject({ outcome: 'error', runId: null, detail: 'task not found: vanish' });

    const p = await schedule('typed', { cron: '* * * * * *' });
    await saveTaskSettings(h.deps.db, 'typed', { params: [{ name: 'target', type: 'string', required: true }] });
    const [invalid] = (await tick(ctx, at(Math.ceil(p.since / S) * S + 1500), [p.id])).decided;
    expect(invalid).toMatchObject({ outcome: 'error', detail: 'invalid parameters: target is required' });
  });

  it('skips fire times missed while everything was down: one "missed" record, no run', async () => {
    const hourStart = Math.floor(Date.now() / HOUR) * HOUR - 10 * HOUR;
    const { id } = await schedule('skipper', { cron: '0 * * * *', missed_policy: 'skip' }, at(hourStart + 10 * MIN));
    // Down from then until 5 h 30 min later: the hours 1 to 5 were missed.
    const { decided } = await tick(ctx, at(hourStart + 5 * HOUR + 30 * MIN), [id]);
    expect(decided).toEqual([
      { scheduleId: id, fireAt: at(hourStart + 5 * HOUR), outcome: 'missed', runId: null, detail: '5 fire times missed' },
    ]);
    expect(await fires(id)).toHaveLength(1);
    expect((await (await h.app.request('/api/tasks/skipper')).json()).active_run).toBeNull();
  });

  it('catches up with one run for the latest missed fire time', async () => {
    const hourStart = Math.floor(Date.now() / HOUR) * HOUR - 10 * HOUR;
    const { id } = await schedule('catcher', { cron: '0 * * * *', missed_policy: 'catch_up' }, at(hourStart + 10 * MIN));
    const { decided } = await tick(ctx, at(hourStart + 5 * HOUR + 30 * MIN), [id]);
    expect(decided).toEqual([
      {
        scheduleId: id,
        fireAt: at(hourStart + 5 * HOUR),
        outcome: 'queued',
        runId: expect.any(Number),
        detail: 'catch-up of 5 fire times missed',
      },
    ]);
    expect(await fires(id)).toHaveLength(1);
    await cancelActive('catcher');

    // When an on-time fire follows right away, that run is the catch-up.
    const minute = Math.floor(Date.now() / MIN) * MIN - 30 * MIN;
    const s2 = await schedule('catcher2', { cron: '* * * * *', missed_policy: 'catch_up' }, at(minute + 5 * S));
    const r2 = await tick(ctx, at(minute + 10 * MIN + 30 * S), [s2.id]);
    expect(r2.decided.map((d) => [d.fireAt.getTime() - minute, d.outcome, d.detail])).toEqual([
      [9 * MIN, 'missed', '9 fire times missed; the next fire catches up'],
      [10 * MIN, 'queued', null],
    ]);
    await cancelActive('catcher2');
  });

  it('never writes a record per missed fire time, however many', async () => {
    const { id, since } = await schedule('flood', { cron: '* * * * * *', missed_policy: 'skip' }, at(Date.now() - 4 * HOUR));
    const { decided } = await tick(ctx, at(since + 3 * HOUR + 500), [id]);
    expect(decided[0]).toMatchObject({ outcome: 'missed', detail: `more than ${MAX_MISSED_COUNT} fire times missed` });
    // Then each fire time of the last minute on its own: the first runs, the rest find it busy.
    const onTime = decided.slice(1);
    expect(onTime.length).toBeLessThanOrEqual(61);
    expect(onTime.map((d) => d.outcome)).toEqual(['queued', ...onTime.slice(1).map(() => 'busy')]);
    expect(await fires(id)).toHaveLength(decided.length);
    await cancelActive('flood');
  });

  it('does not catch up the time a schedule was paused', async () => {
    const { id, since } = await schedule('pauser', { cron: '*/10 * * * * *', missed_policy: 'catch_up' }, at(Date.now() - HOUR));
    const early = await tick(ctx, at(since + 25 * S), [id]);
    expect(early.decided.length).toBeGreaterThan(0);
    await cancelActive('pauser');
    expect((await h.app.request(`/api/schedules/${id}`, { method: 'PATCH', body: '{"enabled":false}' })).status).toBe(200);
    expect((await tick(ctx, new Date(), [id])).decided).toEqual([]);

    const resumed = await (await h.app.request(`/api/schedules/${id}`, { method: 'PATCH', body: '{"enabled":true}' })).json();
    const resumedAt = new Date(resumed.active_since).getTime();
    const later = await tick(ctx, at(resumedAt + 35 * S), [id]);
    expect(later.decided.length).toBeGreaterThanOrEqual(3);
    expect(later.decided.every((d) => d.fireAt.getTime() > resumedAt && !/catch-up|missed/.test(d.detail ?? ''))).toBe(true);
    const all = await fires(id);
    expect(all.filter((f) => f.fire_at.getTime() > since + 25 * S && f.fire_at.getTime() <= resumedAt)).toEqual([]);
    expect(all.some((f) => f.outcome === 'missed')).toBe(false);
    await cancelActive('pauser');
  });

  it('follows the zone across a daylight saving change: 09:00 in New York is 14:00 UTC, then 13:00', async () => {
    const { id } = await schedule('dst', { cron: '0 9 * * *', timezone: 'America/New_York' }, new Date('2027-03-12T15:00:00Z'));
    const first = await tick(ctx, new Date('2027-03-13T14:00:05Z'), [id]);
    await cancelActive('dst');
    const second = await tick(ctx, new Date('2027-03-14T13:00:05Z'), [id]);
    expect([...first.decided, ...second.decided].map((d) => [d.fireAt.toISOString(), d.outcome])).toEqual([
      ['2027-03-13T14:00:00.000Z', 'queued'],
      ['2027-03-14T13:00:00.000Z', 'queued'],
    ]);
    await cancelActive('dst');
  });

  it('decides each fire time once when two schedulers tick at the same moment', async () => {
    const { id, since } = await schedule('twins', { cron: '* * * * * *' });
    const now = at(Math.ceil(since / S) * S + 5500);
    const [a, b] = await Promise.all([tick(ctx, now, [id]), tick(ctx, now, [id])]);
    const decidedTimes = [...a.decided, ...b.decided].map((d) => d.fireAt.getTime()).sort((x, y) => x - y);
    expect(new Set(decidedTimes).size).toBe(decidedTimes.length);
    expect(decidedTimes.length).toBeGreaterThanOrEqual(5);
    expect((await fires(id)).map((f) => f.fire_at.getTime())).toEqual(decidedTimes);
    const [{ n }] = await h.tdb.db.$client<{ n: number }[]>`select count(*)::int as n from runs where task_id = 'twins'`;
    expect(n).toBe(1);
    await cancelActive('twins');
  });
});

describe('dueFires', () => {
  const berlin = (activeSince: string) => ({ cron: '30 2 * * *', timezone: 'Europe/Berlin', activeSince: new Date(activeSince) });
  const wide = 30 * 24 * HOUR; // nothing counts as missed: every due fire time listed

  it('runs a daily 02:30 once at 03:00 on the night 02:30 does not exist, and once on the night it happens twice', () => {
    const spring = dueFires(berlin('2026-03-27T12:00:00Z'), null, new Date('2026-03-30T12:00:00Z'), wide);
    expect(spring.onTime.map((d) => d.toISOString())).toEqual([
      '2026-03-28T01:30:00.000Z',
      '2026-03-29T01:00:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ]);
    const autumn = dueFires(berlin('2026-10-24T12:00:00Z'), null, new Date('2026-10-26T12:00:00Z'), wide);
    expect(autumn.onTime.map((d) => d.toISOString())).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
  });

  it('reads 6 fields as seconds first and 5 as minutes', () => {
    const since = new Date('2026-01-01T00:00:00Z');
    const six = dueFires({ cron: '*/20 * * * * *', timezone: 'UTC', activeSince: since }, null, new Date('2026-01-01T00:01:00Z'), wide);
    expect(six.onTime.map((d) => d.toISOString().slice(11, 19))).toEqual(['00:00:20', '00:00:40', '00:01:00']);
    const five = dueFires({ cron: '*/20 * * * *', timezone: 'UTC', activeSince: since }, null, new Date('2026-01-01T01:00:00Z'), wide);
    expect(five.onTime.map((d) => d.toISOString().slice(11, 19))).toEqual(['00:20:00', '00:40:00', '01:00:00']);
  });

  it('counts from the last decided fire time when it is later than active_since', () => {
    const s = { cron: '* * * * *', timezone: 'UTC', activeSince: new Date('2026-01-01T00:00:00Z') };
    const due = dueFires(s, new Date('2026-01-01T00:50:00Z'), new Date('2026-01-01T01:00:30Z'));
    expect(due.missed).toEqual({ at: new Date('2026-01-01T00:59:00Z'), count: 9, more: false });
    expect(due.onTime).toEqual([new Date('2026-01-01T01:00:00Z')]);
  });
});
