import type { Context } from 'hono';
import { roleAtLeast, type Role } from '../../auth/roles';
import type { Who } from '../../services/deps';

declare module 'hono' {
  interface ContextVariableMap {
    who: Who;
  }
}

/** The caller of this request, as the authenticate middleware found it. */
export function who(c: Context): Who {
  return c.get('who') ?? { ip: null };
}

/** Whether the caller's role includes `role` (false for no caller): for what a route shows, not whether it answers. */
export function callerAtLeast(c: Context, role: Role): boolean {
  const p = who(c).principal;
  return p !== undefined && roleAtLeast(p.role, role);
}
