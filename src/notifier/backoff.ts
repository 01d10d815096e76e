/** The longest wait between two attempts of a delivery, whatever NOTIFY_BACKOFF_S says. */
export const MAX_BACKOFF_MS = 60 * 60 * 1000;

/** How long to wait after failed attempt `attempt` (from 1): backoff × 2^(attempt−1), at most an hour. */
export function retryDelayMs(backoffMs: number, attempt: number): number {
  return Math.min(MAX_BACKOFF_MS, backoffMs * 2 ** Math.min(attempt - 1, 40));
}
