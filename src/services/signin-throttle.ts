import { forgiveFailure, knownAddress, pruneQuietKeys, rememberAddress, reserveAttempt, type KeyCount } from '../queries/signin-throttle';
import { AppError } from './app-error';
import type { Deps, PasswordDeps } from './deps';
import { verifyQueued } from './password-hashing';

// Failures allowed at once per key; past them, each attempt waits FIRST_DELAY_S after the last
// failure, twice as long after each further one, at most MAX_DELAY_S. So one address guessing one
// user's password gets 5 guesses, then 6 more in about 16 minutes, then 4 an hour. A user's own
// addresses skip the user's and the address's budgets, which only an attack from elsewhere exhausts.
const FREE = { pair: 5, user: 30, ip: 100 } as const;
const FIRST_DELAY_S = 15;
const MAX_DELAY_S = 15 * 60;
const FORGET_S = 24 * 3600; // a key quiet this long starts again from no failures
const KNOWN_ADDRESS_DAYS = 90; // an address the user has not signed in from for this long is forgotten

/** The keys of an attempt: the address and name together, the name, the address. */
export type AttemptKeys = { pair: string; user: string; ip: string; address: string; name: string };

/** Keys for a name from an address; a name longer than any user's is cut (it names nobody anyway). */
export function attemptKeys(name: string, ip: string | null): AttemptKeys {
  const n = name.toLowerCase().slice(0, 64);
  const address = ip ?? 'unknown';
  return { pair: `pair:${address} ${n}`, user: `user:${n}`, ip: `ip:${address}`, address, name };
}

/** Seconds an attempt must wait after a key's last failure, given the key's failures so far. */
export function delayS(failures: number, free: number): number {
  return failures < free ? 0 : Math.min(FIRST_DELAY_S * 2 ** (failures - free), MAX_DELAY_S);
}

/** Seconds until the keys allow another attempt (0: now); only the pair counts from a known address. */
export function waitS(counts: KeyCount[], keys: AttemptKeys, known: boolean): number {
  const wait = (key: string, free: number) => {
    const c = counts.find((k) => k.key === key);
    if (!c) return 0;
    const delay = delayS(c.failures, free);
    return delay === 0 ? 0 : Math.max(0, Math.ceil(delay - c.sinceS));
  };
  const pair = wait(keys.pair, FREE.pair);
  return known ? pair : Math.max(pair, wait(keys.user, FREE.user), wait(keys.ip, FREE.ip));
}

/**
 * Checks a password under the throttle. Letting the attempt through is one atomic step across all web
 * nodes that also counts it as failed, before the hash: parallel guesses are counted one by one, and
 * past the budget refused (429 with Retry-After). A right password takes the count back
 * (`attemptSucceeded`); so does a full hashing queue, which judged nothing.
 */
export async function verifyThrottled(deps: PasswordDeps, keys: AttemptKeys, password: string, stored: string): Promise<boolean> {
  const known = await knownAddress(deps.db, keys.name, keys.address, KNOWN_ADDRESS_DAYS);
  const s = await reserveAttempt(deps.db, [keys.pair, keys.user, keys.ip], FORGET_S, (counts) => waitS(counts, keys, known));
  if (s > 0) throw new AppError(429, `too many failed sign-ins; try again in ${s} s`, { retry_after_s: s }, { 'Retry-After': String(s) });
  try {
    return await verifyQueued(deps, password, stored);
  } catch (err) {
    await forgiveFailure(deps.db, [], [keys.pair, keys.user, keys.ip]);
    throw err;
  }
}

/**
 * The password was right: the pair starts again, the address is remembered as the user's; keys quiet
 * for a day are deleted on the way.
 */
export async function attemptSucceeded(deps: Pick<Deps, 'db'>, keys: AttemptKeys, userId: number, remember: boolean): Promise<void> {
  await forgiveFailure(deps.db, [keys.pair], [keys.user, keys.ip]);
  await pruneQuietKeys(deps.db, FORGET_S);
  if (remember) await rememberAddress(deps.db, userId, keys.address, KNOWN_ADDRESS_DAYS);
}
