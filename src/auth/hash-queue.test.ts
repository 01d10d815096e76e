import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createHashQueue, HashQueueFull, type HashQueue } from './hash-queue';
import { hashPassword, verifyPassword } from './passwords';

// Costly enough that every hash is still running while the test looks (p=4: four times N=2^15's work, same memory).
const SLOW = { N: 1 << 15, r: 8, p: 4, maxmem: 64 * 1024 * 1024 };
const salt = Buffer.alloc(16, 7);

let q: HashQueue | undefined;
afterEach(async () => {
  await q?.close();
  q = undefined;
});

describe('the password hashing queue', () => {
  it('hashes exactly as crypto.scrypt does, and checks what it hashed', async () => {
    q = createHashQueue({ threads: 1, queue: 4 });
    const opts = { N: 1 << 10, r: 8, p: 1 };
    expect(await q.scrypt('pässword', salt, 32, opts)).toEqual(crypto.scryptSync('pässword', salt, 32, opts));
    const stored = await hashPassword('correct horse', q.scrypt);
    expect(await verifyPassword('correct horse', stored, q.scrypt)).toBe(true);
    expect(await verifyPassword('wrong horse', stored, q.scrypt)).toBe(false);
  });

  it('holds threads + queue hashes and refuses the rest at once, with a wait to retry after', async () => {
    q = createHashQueue({ threads: 1, queue: 3 });
    const all = Array.from({ length: 20 }, () =>
      q!.scrypt('pw', salt, 32, SLOW).then(
        () => 'done',
        (e: unknown) => e,
      ),
    );
    expect(q.depth()).toBe(4);
    const results = await Promise.all(all);
    expect(results.filter((r) => r === 'done')).toHaveLength(4);
    const refused = results.filter((r) => r instanceof HashQueueFull) as HashQueueFull[];
    expect(refused).toHaveLength(16);
    for (const r of refused) expect(r.retryAfterS).toBeGreaterThanOrEqual(1);
    expect(q.depth()).toBe(0);
    await expect(q.scrypt('pw', salt, 32, { N: 1 << 10, r: 8, p: 1 })).resolves.toHaveLength(32);
  });

  it('leaves libuv’s thread pool to file reads: one finishes while four hashes are all still running', async () => {
    q = createHashQueue({ threads: 4, queue: 0 });
    const hashes = Array.from({ length: 4 }, () => q!.scrypt('pw', salt, 32, SLOW));
    await fs.readFile(new URL(import.meta.url));
    expect(q.depth()).toBe(4);
    await Promise.all(hashes);
  });
});
