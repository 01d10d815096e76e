import type { Db } from './client';
import type { RunStatus } from './schema';

/**
 * NOTIFY channels: the queue has work; a run changed status (JSON RunChange); a running run should stop
 * (`id`); notification deliveries are due; schedules were changed.
 */
export const CHANNEL = {
  wake: 'taskrun_wake',
  run: 'taskrun_run',
  cancel: 'taskrun_cancel',
  notify: 'taskrun_notify',
  schedules: 'taskrun_schedules',
} as const;
export type Channel = (typeof CHANNEL)[keyof typeof CHANNEL];

export type Notify = (channel: Channel, payload?: string) => void;

/**
 * Sends NOTIFYs after the write has committed, coalescing all issued in one tick into one statement,
 * so a burst of executes costs one notification round trip instead of one per row.
 */
export function createNotifier(db: Db, onError: (err: unknown) => void): Notify {
  let pending = new Map<string, [Channel, string]>();
  const flush = () => {
    const batch = [...pending.values()];
    pending = new Map();
    db.$client`select pg_notify(c, p) from unnest(${batch.map((b) => b[0])}::text[], ${batch.map((b) => b[1])}::text[]) as t(c, p)`.catch(
      onError,
    );
  };
  return (channel, payload = '') => {
    if (pending.size === 0) setImmediate(flush);
    pending.set(`${channel}\0${payload}`, [channel, payload]);
  };
}

/** Subscribes to a channel; postgres.js re-listens by itself after a reconnect. Returns the unsubscribe. */
export async function listen(db: Db, channel: Channel, onMessage: (payload: string) => void): Promise<() => Promise<void>> {
  const sub = await db.$client.listen(channel, onMessage);
  return () => sub.unlisten();
}

/**
 * What a `taskrun_run` notification says: a run's new status, with its timings once known; or, with
 * `progress_pct` set, a running run's new progress report (not a status change).
 */
export type RunChange = {
  id: number;
  status: RunStatus;
  task_id?: string;
  queue_ms?: number;
  duration_ms?: number;
  progress_pct?: number;
  progress_msg?: string | null;
  // Estimated seconds left (null: not known yet).
  progress_eta_s?: number | null;
};

/** Announces a run's status change to every web node (live pages, streams, metrics). */
export function notifyRunChange(notify: Notify, change: RunChange): void {
  notify(CHANNEL.run, JSON.stringify(change));
}

/** Reads a `taskrun_run` payload; undefined for anything malformed. */
export function parseRunChange(payload: string): RunChange | undefined {
  try {
    const c = JSON.parse(payload) as RunChange;
    return typeof c.id === 'number' && typeof c.status === 'string' ? c : undefined;
  } catch {
    return undefined;
  }
}
