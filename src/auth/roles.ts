import { ROLES, type Role } from '../db/schema';

export { ROLES, type Role };

/** True when `role` includes everything `needed` may do (admin ⊃ editor ⊃ operator ⊃ viewer). */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** Who is making a request: a signed-in user or an API token (or a webhook, for the run it starts). */
export type Principal = {
  kind: 'user' | 'token' | 'webhook';
  name: string;
  role: Role;
  userId?: number;
  sessionHash?: string;
  csrfToken?: string;
};

/** How the audit log names a principal. */
export function actorName(p: Principal | undefined): string {
  return p ? `${p.kind}:${p.name}` : 'anonymous';
}
