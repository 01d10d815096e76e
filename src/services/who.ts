import type { Principal } from '../auth/roles';

/** Who asked, and from where: for permission checks and the audit log. */
export type Who = { principal?: Principal; ip: string | null };

/** The caller when taskrun itself acts (schedules, the CLI on the server). */
export const SYSTEM: Who = { principal: { kind: 'user', name: 'system', role: 'admin' }, ip: null };

