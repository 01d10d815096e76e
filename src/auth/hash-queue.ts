import type { ScryptOptions } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { Scrypt } from './passwords';

// The code of each hashing thread. scryptSync blocks this thread only: crypto.scrypt would take one of
// libuv's 4 pool threads per hash, the threads every other request's file reads wait for. Given as
// text (eval), so it runs the same from the sources (tsx, vitest) and from the bundle in dist/.
const THREAD = `
const { parentPort } = require('node:worker_threads');
const { scryptSync } = require('node:crypto');
parentPort.on('message', ({ password, salt, len, opts }) => {
  try {
    parentPort.postMessage({ hash: scryptSync(password, salt, len, opts) });
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message) });
  }
});`;

/** Refused before any hashing: as many hashes are running and waiting as the queue holds. */
export class HashQueueFull extends Error {
  constructor(readonly retryAfterS: number) {
    super('password hashing queue full');
  }
}

type Job = { password: string; salt: Buffer; len: number; opts: ScryptOptions; resolve: (b: Buffer) => void; reject: (e: Error) => void };
type Thread = { worker: Worker; job?: Job; startedAt: number };

/** A bounded queue of password hashes, run `threads` at a time in threads of their own. */
export type HashQueue = {
  /** scrypt on the queue; rejects with HashQueueFull at once when `threads + queue` hashes are in. */
  scrypt: Scrypt;
  /** Hashes running and waiting. */
  depth: () => number;
  /** Ends the threads; hashes still in are rejected. */
  close: () => Promise<void>;
};

/** Starts no thread before the first hash; the threads do not keep the process alive. */
export function createHashQueue(opts: { threads: number; queue: number }): HashQueue {
  const threads: Thread[] = [];
  const waiting: Job[] = [];
  let meanMs = 100; // a first guess for Retry-After, then the running mean of the hashes

  const startThread = (): Thread => {
    const t: Thread = { worker: new Worker(THREAD, { eval: true }), startedAt: 0 };
    t.worker.unref();
    t.worker.on('message', (m: { hash?: Uint8Array; error?: string }) => {
      const job = t.job;
      t.job = undefined;
      meanMs = meanMs * 0.8 + (performance.now() - t.startedAt) * 0.2;
      if (m.hash) job?.resolve(Buffer.from(m.hash.buffer, m.hash.byteOffset, m.hash.byteLength));
      else job?.reject(new Error(m.error ?? 'scrypt failed'));
      pump();
    });
    t.worker.on('error', (err) => t.job?.reject(err));
    t.worker.on('exit', () => {
      t.job?.reject(new Error('password hashing thread exited'));
      threads.splice(threads.indexOf(t), 1);
      pump();
    });
    threads.push(t);
    return t;
  };

  function pump(): void {
    while (waiting.length > 0) {
      const idle = threads.find((t) => !t.job) ?? (threads.length < opts.threads ? startThread() : undefined);
      if (!idle) return;
      const job = waiting.shift()!;
      idle.job = job;
      idle.startedAt = performance.now();
      idle.worker.postMessage({ password: job.password, salt: new Uint8Array(job.salt), len: job.len, opts: job.opts });
    }
  }

  const depth = () => threads.filter((t) => t.job).length + waiting.length;

  return {
    depth,
    scrypt: (password, salt, len, scryptOpts) => {
      if (depth() >= opts.threads + opts.queue) {
        return Promise.reject(new HashQueueFull(Math.max(1, Math.ceil((depth() * meanMs) / opts.threads / 1000))));
      }
      return new Promise<Buffer>((resolve, reject) => {
        waiting.push({ password, salt, len, opts: scryptOpts, resolve, reject });
        pump();
      });
    },
    close: async () => {
      for (const job of waiting.splice(0)) job.reject(new Error('password hashing queue closed'));
      await Promise.all(threads.map((t) => t.worker.terminate()));
    },
  };
}
