import { HashQueueFull, type HashQueue } from '../auth/hash-queue';
import { hashPassword, verifyPassword } from '../auth/passwords';
import { AppError } from './app-error';

type Hashing = { hashQueue?: HashQueue };

// A full queue is refused before any hashing: 429 with how long the queue takes to drain.
async function queued<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (!(err instanceof HashQueueFull)) throw err;
    const s = err.retryAfterS;
    throw new AppError(429, `too many sign-ins at once; try again in ${s} s`, { retry_after_s: s }, { 'Retry-After': String(s) });
  }
}

/** Hashes a password on the queue (on libuv's pool without one: the CLI, the first admin). */
export function hashQueued(deps: Hashing, password: string): Promise<string> {
  return queued(hashPassword(password, deps.hashQueue?.scrypt));
}

/** Checks a password on the queue; 429 when the queue is full. */
export function verifyQueued(deps: Hashing, password: string, stored: string): Promise<boolean> {
  return queued(verifyPassword(password, stored, deps.hashQueue?.scrypt));
}
