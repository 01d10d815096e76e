import type { Db } from '../db/client';
import { CHANNEL, listen, parseRunChange, type RunChange } from '../db/notify';

type Listener = (e: RunChange) => void;

/**
 * Run status changes from every runner, fanned out in this process from one LISTEN connection.
 * Progress reports travel on the same channel but are not status changes: only listeners that ask
 * for them (`{ progress: true }`) get them.
 */
export type RunEvents = {
  subscribe: (runId: number | 'all', fn: Listener, opts?: { progress?: boolean }) => () => void;
  close: () => Promise<void>;
};

/** Starts listening for run status changes. */
export async function startRunEvents(db: Db): Promise<RunEvents> {
  const byRun = new Map<number | 'all', Map<Listener, boolean>>();
  const emit = (key: number | 'all', e: RunChange) => {
    const isProgress = e.progress_pct !== undefined;
    for (const [fn, wantsProgress] of byRun.get(key) ?? []) if (!isProgress || wantsProgress) fn(e);
  };
  const unlisten = await listen(db, CHANNEL.run, (payload) => {
    const change = parseRunChange(payload);
    if (!change) return;
    emit(change.id, change);
    emit('all', change);
  });
  return {
    subscribe(key, fn, opts = {}) {
      const listeners = byRun.get(key) ?? new Map<Listener, boolean>();
      byRun.set(key, listeners.set(fn, opts.progress === true));
      return () => {
        listeners.delete(fn);
        if (listeners.size === 0) byRun.delete(key);
      };
    },
    close: unlisten,
  };
}
