import { open } from '../auth/secret-box';
import type { Config } from '../config';
import type { Db } from '../db/client';
import type { Logger } from '../log';
import { getTargetForSending } from '../queries/notification-targets';
import type { ClaimedDelivery } from '../queries/notification-send';
import { getRun } from '../runs/read';
import { runJson, type RunJson } from '../runs/json';
import { checkedPost, RefusedTarget, type Resolve } from './checked-post';
import { signBody } from './signature';

/** What the notifier needs; a runner's context has all of it. */
export type NotifierContext = { cfg: Config; db: Db; log: Logger; secretKey: Buffer };

/** The JSON body of a notification. */
export type NotificationPayload = {
  event: string;
  task_id: string | null;
  // The run as GET /api/runs/:run_id shows it; null once retention has removed it.
  run: RunJson | null;
  url: string | null;
  delivery_id: number;
  attempt: number;
  sent_at: string;
};

/** What an attempt came to: a response status, or the reason there was none; `final`: no retry. */
export type SendResult = { responseStatus: number | null; error: string | null; durationMs: number; ok: boolean; final?: boolean };

const MAX_ERROR = 500;

// Why an attempt got no answer: the deadline, a refusal (the message says why), or the socket's error.
function describeError(err: unknown, timeoutMs: number): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `no answer within ${timeoutMs / 1000} s`;
  const text = e?.code ? `${e.code}: ${e.message}` : (e?.message ?? String(err));
  return text.slice(0, MAX_ERROR);
}

/** The body and headers of one attempt of a delivery to a target signed with `secret`. */
export function buildRequest(
  ctx: Pick<NotifierContext, 'cfg'>,
  d: ClaimedDelivery,
  taskId: string | null,
  run: RunJson | null,
  secret: string,
  now = new Date(),
) {
  const payload: NotificationPayload = {
    event: d.event,
    task_id: run?.task_id ?? taskId,
    run,
    url: run ? `${ctx.cfg.publicUrl}/runs/${run.run_id}` : null,
    delivery_id: d.id,
    attempt: d.attempt,
    sent_at: now.toISOString(),
  };
  const body = JSON.stringify(payload);
  const headers = {
    'Content-Type': 'application/json',
    'User-Agent': 'taskrun',
    'X-Taskrun-Event': d.event,
    'X-Taskrun-Delivery': String(d.id),
    'X-Taskrun-Attempt': String(d.attempt),
    'X-Taskrun-Timestamp': String(Math.floor(now.getTime() / 1000)),
    'X-Taskrun-Signature': signBody(secret, body),
  };
  return { body, headers };
}

/** What sending needs: the notifier's context and the resolver of host names. */
export type SendContext = NotifierContext & { resolve: Resolve };

/**
 * Makes one attempt: POST the signed payload, bounded by NOTIFY_TIMEOUT_S, to checked addresses only
 * (checked-post.ts). Only a 2xx counts; a redirect is not followed (it could lead anywhere) and counts
 * as a failure with its status. Undefined when the target is gone (deleted with its deliveries meanwhile).
 */
export async function sendDelivery(ctx: SendContext, d: ClaimedDelivery): Promise<SendResult | undefined> {
  const target = await getTargetForSending(ctx.db, d.targetId);
  if (!target) return undefined;
  if (!target.enabled) return { responseStatus: null, error: 'target disabled before sending', durationMs: 0, ok: false, final: true };
  let secret: string;
  try {
    secret = open(ctx.secretKey, target.sealedSecret);
  } catch (err) {
    return { responseStatus: null, error: (err as Error).message, durationMs: 0, ok: false };
  }
  const run = await getRun(ctx.db, d.runId);
  const { body, headers } = buildRequest(ctx, d, target.taskId, run ? runJson(run) : null, secret);
  const started = performance.now();
  try {
    const status = await checkedPost(new URL(target.url), body, {
      headers,
      timeoutMs: ctx.cfg.notifyTimeoutMs,
      resolve: ctx.resolve,
      allowed: ctx.cfg.notifyAllowedHosts,
    });
    const durationMs = Math.round(performance.now() - started);
    const ok = status >= 200 && status < 300;
    const error = ok ? null : status >= 300 && status < 400 ? 'redirect not followed' : `HTTP ${status}`;
    return { responseStatus: status, error, durationMs, ok };
  } catch (err) {
    const durationMs = Math.round(performance.now() - started);
    return {
      responseStatus: null,
      error: describeError(err, ctx.cfg.notifyTimeoutMs),
      durationMs,
      ok: false,
      final: err instanceof RefusedTarget && err.final,
    };
  }
}
