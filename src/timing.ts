/**
 * `p`, or a rejection with `message` once `ms` have passed, whichever comes first.
 *
 * For work that takes no AbortSignal (a postgres query, a socket draining): where an API takes one,
 * pass it `AbortSignal.timeout(ms)` instead. To wait, use `setTimeout` of `node:timers/promises`.
 */
export function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
