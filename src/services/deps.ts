import type { Config } from '../config';
import type { Db } from '../db/client';
import type { Notify } from '../db/notify';

/**
 * What the web side's services need; built once per process (or per test) and passed down.
 * `secretKey` seals secrets at rest (src/auth/secret-box.ts).
 */
export type Deps = { cfg: Config; db: Db; notify: Notify; secretKey: Buffer };
