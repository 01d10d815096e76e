import crypto from 'node:crypto';
import { promisify } from 'node:util';

/** scrypt as a promise; the web process runs it on its bounded queue (hash-queue.ts). */
export type Scrypt = (password: string, salt: Buffer, len: number, opts: crypto.ScryptOptions) => Promise<Buffer>;

/** scrypt on libuv's thread pool: for the CLI and the first admin, where nobody else waits for that pool. */
export const scryptOnPool = promisify(crypto.scrypt) as Scrypt;

// N=2^15, r=8, p=1: about 50 ms a guess on one core; memory 32 MiB (maxmem raised to allow it).
const N = 1 << 15;
const R = 8;
const P = 1;
const LEN = 32;

/** Hashes a password with scrypt and a random salt, as `scrypt$N$r$p$salt$hash`. */
export async function hashPassword(password: string, scrypt: Scrypt = scryptOnPool): Promise<string> {
  const salt = crypto.randomBytes(16);
  const hash = await scrypt(password, salt, LEN, { N, r: R, p: P, maxmem: 64 * 1024 * 1024 });
  return ['scrypt', N, R, P, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/** Checks a password against a stored hash in constant time. */
export async function verifyPassword(password: string, stored: string, scrypt: Scrypt = scryptOnPool): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const want = Buffer.from(hash, 'base64url');
  const got = await scrypt(password, Buffer.from(salt, 'base64url'), want.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 64 * 1024 * 1024,
  });
  return crypto.timingSafeEqual(got, want);
}

/** A hash to verify against when the user does not exist, so timing does not tell names apart. */
export const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
