import { ROLES, type Role } from '../../src/auth/roles';
import { createToken } from '../../src/services/tokens-service';
import { addUser } from '../../src/services/users-service';
import { SYSTEM } from '../../src/services/deps';
import type { Harness } from './harness';

export type Principals = { tokens: Record<Role, string>; password: string };

/** A user and an API token of each role: `user-ROLE` / `token-ROLE`, all with one password. */
export async function seedPrincipals(h: Harness): Promise<Principals> {
  const password = 'correct horse battery staple';
  const tokens = {} as Record<Role, string>;
  for (const role of ROLES) {
    await addUser(h.deps, SYSTEM, `user-${role}`, password, role);
    tokens[role] = await createToken(h.deps, SYSTEM, `token-${role}`, role);
  }
  return { tokens, password };
}

/** Headers that authenticate as a token. */
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Signs in through the form and returns the session cookie and the page's CSRF token. */
export async function signInCookie(h: Harness, name: string, password: string): Promise<{ cookie: string; csrf: string }> {
  const res = await h.rawApp.request('/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost', host: 'localhost' },
    body: new URLSearchParams({ name, password, next: '/' }).toString(),
  });
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get('set-cookie')!.split(';')[0];
  const page = await (await h.rawApp.request('/', { headers: { cookie } })).text();
  const csrf = /name="csrf-token" content="([^"]+)"/.exec(page)?.[1];
  if (!csrf) throw new Error('no csrf-token meta on the page');
  return { cookie, csrf };
}
