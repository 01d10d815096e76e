import { sha256 } from '../auth/secrets';
import { useWebhook } from '../queries/webhooks';
import { AppError } from './app-error';
import type { Deps } from './deps';
import type { RateWindow } from './rate-window';
import { executeTask, type ExecuteJson } from './tasks-service';
import { HOOK_SECRET_RE } from './webhooks-service';
import type { Who } from './deps';

/** The largest body a webhook call may carry: the run's parameters, as a JSON object. */
export const MAX_HOOK_BODY_BYTES = 64 * 1024;

/** The body of a webhook call as the run's parameters: none when empty, else a JSON object. */
function hookParams(body: string): Record<string, unknown> | undefined {
  if (Buffer.byteLength(body) > MAX_HOOK_BODY_BYTES) throw new AppError(413, 'request body too large (webhook limit 64 KB)');
  if (body.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new AppError(400, 'request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AppError(400, "request body must be a JSON object of the run's parameters");
  }
  return parsed as Record<string, unknown>;
}

/**
 * POST /hooks/:secret: the secret is the credential. An unknown and a revoked secret get the same 404
 * (found by the hash's unique index in both cases). Then the hook's rate (429 with Retry-After), then
 * the body (read only now) as parameters, then execute as `webhook:<id>`: 400 bad parameters, 409 busy, 429 queue full.
 */
export async function triggerWebhook(
  deps: Deps,
  rate: RateWindow,
  secret: string,
  readBody: () => Promise<string>,
  ip: string | null,
): Promise<ExecuteJson> {
  const hook = HOOK_SECRET_RE.test(secret) ? await useWebhook(deps.db, sha256(secret)) : undefined;
  if (!hook) throw new AppError(404, 'no such webhook');
  const decision = rate.take(String(hook.id));
  if (!decision.ok) {
    const s = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
    throw new AppError(
      429,
      `too many calls: this webhook takes at most ${deps.cfg.hookRatePerMin} a minute`,
      { retry_after_s: s },
      { 'Retry-After': String(s) },
    );
  }
  const params = hookParams(await readBody());
  const who: Who = { principal: { kind: 'webhook', name: String(hook.id), role: 'operator' }, ip };
  return executeTask(deps, hook.taskId, 'webhook', who, params);
}
