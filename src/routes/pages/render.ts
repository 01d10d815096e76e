import type { Context } from 'hono';
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** The context of page routes: a route names where its errors are shown (a CSS selector) before it can fail. */
export type PageEnv = { Variables: { errorTarget: string } };

type Node = HtmlEscapedString | Promise<HtmlEscapedString>;

/** True for a request htmx made to swap a fragment (a history restore wants the whole page). */
export function isHtmx(c: Context): boolean {
  return c.req.header('HX-Request') === 'true' && c.req.header('HX-History-Restore-Request') !== 'true';
}

/** Answers a whole HTML page. */
export function sendPage(c: Context, node: Node, status: ContentfulStatusCode = 200): Response | Promise<Response> {
  return c.html(html`<!doctype html>${node}`, status);
}

/** Answers an HTML fragment for htmx to swap. */
export function sendFragment(c: Context, node: Node, status: ContentfulStatusCode = 200): Response | Promise<Response> {
  return c.html(node, status);
}

/** Sends the browser to another page after a form post: HX-Redirect for htmx, else 303 See Other. */
export function redirectTo(c: Context, url: string): Response {
  if (isHtmx(c)) {
    c.header('HX-Redirect', url);
    return c.body(null, 200);
  }
  return c.redirect(url, 303);
}
