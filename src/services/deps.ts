import type { HashQueue } from '../auth/hash-queue';
import type { Config } from '../config';
import type { Db } from '../db/client';
import type { Notify } from '../db/notify';

/**
 * What the web side's services need; built once per process (or per test) and passed down.
 * `secretKey` seals secrets at rest (src/auth/secret-box.ts).
 */
export type Deps = { cfg: Config; db: Db; notify: Notify; secretKey: Buffer };

/** The services that check or set passwords also take the web process's bounded hashing queue. */
export type PasswordDeps = Deps & { hashQueue: HashQueue };
