import type { Harness } from '../support/harness';

/** Headers htmx sends with a request it will swap into `target`. */
export const HX = (target = 'main') => ({ 'HX-Request': 'true', 'HX-Target': target });

/** A multipart form post, as the editor's form sends it (htmx unless `plain`). */
export function formPost(fields: Record<string, string>, plain = false): RequestInit {
  const body = new FormData();
  for (const [k, v] of Object.entries(fields)) body.append(k, v);
  return { method: 'POST', body, headers: plain ? {} : HX('form-status') };
}

/** Requests a page or fragment of the harness's app and returns status, headers and HTML. */
export async function page(h: Harness, path: string, init: RequestInit = {}) {
  const res = await h.app.request(path, init);
  return { status: res.status, headers: res.headers, html: await res.text() };
}
