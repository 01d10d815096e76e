import { CHANNEL, listen } from '../db/notify';
import { claimDeliveries, pruneDeliveries, recordAttempt, type AttemptResult, type ClaimedDelivery } from '../queries/notification-send';
import { retryDelayMs } from './backoff';
import type { NotifierContext } from './send-delivery';
import { systemResolve, type Resolve } from './checked-post';
import { sendDelivery } from './send-delivery';

export type Notifier = { tick: () => void; stop: () => Promise<void> };

/** How many deliveries to send at once, and the resolver of target host names (the system's unless a test names one). */
export type NotifierOptions = { concurrency?: number; resolve?: Resolve };

/** Sends at once at most this many; a slow endpoint holds one slot, not the others. */
export const NOTIFY_CONCURRENCY = 4;
// A claim holds a delivery for the attempt's timeout plus this margin; then another notifier may take it.
const LEASE_MARGIN_MS = 30_000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;

/**
 * Sends notification deliveries (rows the run-end trigger inserts): wakes on NOTIFY taskrun_notify,
 * at each retry it scheduled, and every RUNNER_POLL_MS; claims due deliveries with SKIP LOCKED (any
 * number of notifiers may run), POSTs each, records the attempt, and schedules the retry or ends it.
 */
export async function startNotifier(ctx: NotifierContext, options: NotifierOptions = {}): Promise<Notifier> {
  const { concurrency = NOTIFY_CONCURRENCY, resolve = systemResolve } = options;
  const { cfg, db, log } = ctx;
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  let claiming = false;
  let again = false;
  let wakeAt = Infinity;
  let wakeTimer: NodeJS.Timeout | undefined;

  // Wakes the loop when a retry this notifier scheduled is due (other notifiers' retries: the poll).
  const wakeIn = (ms: number) => {
    const at = Date.now() + ms;
    if (stopped || at >= wakeAt) return;
    clearTimeout(wakeTimer);
    wakeAt = at;
    wakeTimer = setTimeout(() => {
      wakeAt = Infinity;
      tick();
    }, ms + 20);
  };

  const attempt = async (d: ClaimedDelivery) => {
    const sent = await sendDelivery({ ...ctx, resolve }, d);
    if (!sent) return; // the target was deleted, and its deliveries with it
    const next: AttemptResult['next'] = sent.ok
      ? { outcome: 'delivered' }
      : sent.final || d.attempt >= cfg.notifyAttempts
        ? { outcome: 'failed' }
        : { outcome: 'retry', retryInMs: retryDelayMs(cfg.notifyBackoffMs, d.attempt) };
    await recordAttempt(db, d, { responseStatus: sent.responseStatus, error: sent.error, durationMs: sent.durationMs, next });
    const facts = {
      delivery_id: d.id,
      target_id: d.targetId,
      run_id: d.runId,
      attempt: d.attempt,
      status: sent.responseStatus,
      error: sent.error,
    };
    if (next.outcome === 'retry') wakeIn(next.retryInMs);
    if (next.outcome === 'failed') log.warn(facts, 'notification failed for good');
    else log.debug({ ...facts, outcome: next.outcome }, 'notification attempt');
  };

  const claim = async () => {
    do {
      again = false;
      const free = concurrency - inFlight.size;
      if (stopped || free <= 0) return;
      const claimed = await claimDeliveries(db, free, cfg.notifyTimeoutMs + LEASE_MARGIN_MS);
      for (const d of claimed) {
        // On an error the claim's lease runs out and a notifier takes the delivery again.
        const p: Promise<void> = attempt(d)
          .catch((err) => log.error({ err, delivery_id: d.id, target_id: d.targetId }, 'notification attempt could not be recorded'))
          .finally(() => {
            inFlight.delete(p);
            tick();
          });
        inFlight.add(p);
      }
      if (claimed.length === free) again = true;
    } while (again);
  };

  function tick(): void {
    if (stopped) return;
    if (claiming) {
      again = true;
      return;
    }
    claiming = true;
    claim()
      .catch((err) => log.error({ err }, 'claiming notification deliveries failed'))
      .finally(() => (claiming = false));
  }

  const prune = () =>
    pruneDeliveries(db).then(
      (n) => n > 0 && log.info({ deleted: n }, 'deleted the delivery log of runs removed by retention'),
      (err) => log.error({ err }, 'pruning notification deliveries failed'),
    );

  const unlisten = await listen(db, CHANNEL.notify, () => tick());
  const pollTimer = setInterval(tick, cfg.runnerPollMs);
  const pruneTimer = setInterval(() => void prune(), PRUNE_EVERY_MS);
  tick();

  return {
    tick,
    stop: async () => {
      stopped = true;
      clearInterval(pollTimer);
      clearInterval(pruneTimer);
      clearTimeout(wakeTimer);
      await unlisten().catch(() => {
        // The connection is closing with the process: a LISTEN it cannot end ends with it.
      });
      // Attempts in flight end within NOTIFY_TIMEOUT_S; let them record what they got.
      await Promise.allSettled([...inFlight]);
    },
  };
}
