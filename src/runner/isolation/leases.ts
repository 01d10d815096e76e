import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { UidPool } from './run-users';

/**
 * Where every runner on this host leases run uids: one folder for the whole machine, whatever each
 * runner's configuration, so runners with different settings still never share a uid. Only root may
 * enter it, so a run cannot take or fake a lease. /run is emptied at boot, as leases should be.
 */
export const LEASE_DIR = '/run/taskrun/uid-leases';

/** The exclusive use of one run uid, until released. */
export type Lease = { uid: number; release: () => Promise<void> };

// A lease is a listening Unix socket at LEASE_DIR/UID.sock: the kernel closes it when its process dies,
// so a lease never outlives its holder. Node has no flock(); a socket gives the same guarantee. A file
// left by a holder that died refuses connections: it is stale and may be taken over, under a guard so
// that two runners cannot both take over the same one (the guard is an abstract socket, released by
// the kernel too; squatting it only delays the takeover of stale leases).
const GUARD = '\0taskrun-uid-lease-guard';

function listen(where: string): Promise<net.Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((s) => s.destroy());
    server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(undefined) : reject(err)));
    server.listen(where, () => {
      server.unref();
      resolve(server);
    });
  });
}

function close(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

// Whether something listens at `file`: true, false (stale or gone).
function alive(file: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(file);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Makes LEASE_DIR (0700, root's): refuses one that someone else owns or that is a link. */
export function prepareLeaseDir(dir = LEASE_DIR): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = fs.lstatSync(dir);
  if (!st.isDirectory() || st.uid !== process.getuid?.()) throw new Error(`${dir} is not a folder of taskrun's own user`);
  fs.chmodSync(dir, 0o700);
}

/** Takes the lease of `uid`, or undefined while another process holds it. */
export async function tryLease(uid: number, dir = LEASE_DIR): Promise<Lease | undefined> {
  const file = path.join(dir, `${uid}.sock`);
  let server = await listen(file);
  if (!server) {
    if (await alive(file)) return undefined;
    const guard = await listen(GUARD);
    if (!guard) return undefined; // another runner is taking over leases; try another uid
    try {
      if (await alive(file)) return undefined;
      fs.rmSync(file, { force: true });
      server = await listen(file);
    } finally {
      await close(guard);
    }
    if (!server) return undefined;
  }
  const held = server;
  let released: Promise<void> | undefined;
  // Closing a listening Unix socket removes its file.
  return { uid, release: () => (released ??= close(held)) };
}

/**
 * The run uids this runner holds. A run takes one and gives it back once its processes and files are
 * gone; a uid left idle for `idleMs` goes back to the machine's pool (all but one), so runners share it.
 * `fresh` clears every newly leased uid before first use (its last holder may have died mid-run) and
 * says whether it could. A uid that could not be cleared is retired: its lease is kept, unused, so
 * no run on the host gets it while this runner lives.
 */
export class UidLeases {
  private idle: { lease: Lease; since: number }[] = [];
  private retired: Lease[] = [];
  private inUse = 0;
  private next = 0;

  constructor(
    private readonly pool: UidPool,
    private readonly fresh: (uid: number) => Promise<boolean>,
    private readonly idleMs = 30_000,
    private readonly dir = LEASE_DIR,
  ) {}

  /** Leases uids until `n` are idle, as far as the pool allows; answers how many are idle. */
  async reserve(n: number): Promise<number> {
    this.trim();
    for (let tried = 0; this.idle.length < n && tried < this.pool.count; tried++) {
      const uid = this.pool.base + (this.next++ % this.pool.count);
      if (this.idle.some((i) => i.lease.uid === uid)) continue;
      const lease = await tryLease(uid, this.dir);
      if (!lease) continue;
      if (await this.fresh(uid).catch(() => false)) this.idle.push({ lease, since: Date.now() });
      else this.retired.push(lease);
    }
    return this.idle.length;
  }

  /**
   * An idle lease for a run, if any: one that `ready` says is ready first, then the last given back
   * that `busy` does not hold up, then any.
   */
  take(ready: (uid: number) => boolean = () => false, busy: (uid: number) => boolean = () => false): Lease | undefined {
    let i = this.idle.findLastIndex((e) => ready(e.lease.uid));
    if (i < 0) i = this.idle.findLastIndex((e) => !busy(e.lease.uid));
    if (i < 0) i = this.idle.length - 1;
    const got = i < 0 ? undefined : this.idle.splice(i, 1)[0]!.lease;
    if (got) this.inUse++;
    return got;
  }

  /** A run's lease back, its processes and files gone. */
  give(lease: Lease): void {
    this.inUse--;
    this.idle.push({ lease, since: Date.now() });
  }

  /**
   * Clears `uid` now, if no runner holds it (a lost run's uid: what left its process group runs on),
   * then gives it back to the host, or retires it when it could not be cleared.
   */
  async reclaim(uid: number): Promise<void> {
    const lease = await tryLease(uid, this.dir);
    if (!lease) return; // held: cleared by its holder when it took it
    if (await this.fresh(uid).catch(() => false)) await lease.release();
    else this.retired.push(lease);
  }

  /** A run's lease whose uid kept something of the run: held, never used again by anyone. */
  retire(lease: Lease): void {
    this.inUse--;
    this.retired.push(lease);
  }

  /** The uids that wait for a run. */
  idleUids(): number[] {
    return this.idle.map((i) => i.lease.uid);
  }

  /** How many uids wait for a run. */
  get idleCount(): number {
    return this.idle.length;
  }

  /** How many uids runs hold now. */
  get busy(): number {
    return this.inUse;
  }

  // One idle uid always stays, so a runner's next run never waits to clear a newly leased one.
  private trim(): void {
    const now = Date.now();
    const newest = this.idle.reduce((a, b) => Math.max(b.since, a), 0);
    const stale = this.idle.filter((i) => now - i.since > this.idleMs && i.since !== newest);
    this.idle = this.idle.filter((i) => !stale.includes(i));
    for (const s of stale) void s.lease.release();
  }

  /** Gives every idle lease back to the machine. */
  async releaseIdle(): Promise<void> {
    const all = this.idle;
    this.idle = [];
    await Promise.all(all.map((i) => i.lease.release()));
  }
}
