import type { HashQueue } from '../auth/hash-queue';
import type { Principal } from '../auth/roles';
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

/** Who asked, and from where: for permission checks and the audit log. */
export type Who = { principal?: Principal; ip: string | null };

/** The caller when taskrun itself acts (schedules, the CLI on the server). */
export const SYSTEM: Who = { principal: { kind: 'user', name: 'system', role: 'admin' }, ip: null };
