import { getContext } from 'hono/context-storage';
import '../routes/security/context';

/** The session's CSRF token as a hidden form field, so a form also works when posted without htmx. */
export function CsrfField() {
  let token: string | undefined;
  try {
    token = getContext().get('who')?.principal?.csrfToken;
  } catch {
    token = undefined; // rendered outside a request (view tests)
  }
  return token ? <input type="hidden" name="_csrf" value={token} /> : null;
}
