import type { Context } from 'hono';
import type { Who } from '../../services/who';

declare module 'hono' {
  interface ContextVariableMap {
    who: Who;
  }
}

/** The caller of this request, as the authenticate middleware found it. */
export function who(c: Context): Who {
  return c.get('who') ?? { ip: null };
}
