import type { Db } from '../db/client';
import { CHANNEL, listen, parseRunChange, type RunChange } from '../db/notify';

type Listener = (e: RunChange) => void;

/** Run status changes from every runner, fanned out in this process from one LISTEN connection. */
export type RunEvents = {
  subscribe: (runId: number | 'all', fn: Listener) => () => void;
  close: () => Promise<void>;
};

/** Starts listening for run status changes. */
export async function startRunEvents(db: Db): Promise<RunEvents> {
  const byRun = new Map<number | 'all', Set<Listener>>();
  const emit = (key: number | 'all', e: RunChange) => byRun.get(key)?.forEach((fn) => fn(e));
  const unlisten = await listen(db, CHANNEL.run, (payload) => {
    const change = parseRunChange(payload);
    if (!change) return;
    emit(change.id, change);
    emit('all', change);
  });
  return {
    subscribe(key, fn) {
      const set = byRun.get(key) ?? new Set();
      byRun.set(key, set.add(fn));
      return () => {
        set.delete(fn);
        if (set.size === 0) byRun.delete(key);
      };
    },
    close: unlisten,
  };
}
