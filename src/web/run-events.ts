import type { Db } from '../db/client';
import { CHANNEL, listen } from '../db/notify';
import type { RunStatus } from '../db/schema';

export type RunEvent = { runId: number; status: RunStatus };
type Listener = (e: RunEvent) => void;

/** Run status changes from every runner, fanned out in this process from one LISTEN connection. */
export type RunEvents = {
  subscribe: (runId: number | 'all', fn: Listener) => () => void;
  close: () => Promise<void>;
};

/** Starts listening for run status changes. */
export async function startRunEvents(db: Db): Promise<RunEvents> {
  const byRun = new Map<number | 'all', Set<Listener>>();
  const emit = (key: number | 'all', e: RunEvent) => byRun.get(key)?.forEach((fn) => fn(e));
  const unlisten = await listen(db, CHANNEL.run, (payload) => {
    const [id, status] = payload.split(':');
    const e = { runId: Number(id), status: status as RunStatus };
    emit(e.runId, e);
    emit('all', e);
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
