import crypto from 'node:crypto';

/**
 * The X-Taskrun-Signature of a notification: `sha256=` and the hex HMAC-SHA256 of the exact body bytes,
 * keyed with the target's secret (the `whsec_…` string, as UTF-8). The body carries `sent_at`,
 * `delivery_id` and `attempt`, so the signature covers them too: a receiver can refuse a stale
 * `sent_at` or a `delivery_id` it has handled already.
 */
export function signBody(secret: string, body: string): string {
  return `sha256=${crypto.createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}
