import { Hono } from 'hono';
import type { AppDeps, WebDeps } from '../deps';
import { accountPages } from './account-pages';
import { authPages } from './auth-pages';
import { editorPages } from './editor-pages';
import { notificationPages } from './notification-pages';
import { onPageError, pageNotFound } from './page-error';
import type { PageEnv } from './render';
import { runFormPages } from './run-form-pages';
import { runPages } from './run-pages';
import { secretsPages } from './secrets-pages';
import { runsPages } from './runs-pages';
import { schedulePages } from './schedules-pages';
import { systemPages } from './system-pages';
import { taskEventRoutes } from './task-events';
import { taskPages } from './tasks-pages';
import { webhookPages } from './webhook-pages';

/** Every HTML page and fragment, with errors answered as HTML (a fragment for htmx, else a page). */
export function pageRoutes(deps: AppDeps): Hono<PageEnv> {
  const pages = new Hono<PageEnv>();
  pages.onError(onPageError(deps.log));
  pages.route('/', authPages(deps));
  pages.route('/', accountPages(deps));
  pages.route('/', taskPages(deps));
  pages.route('/', editorPages(deps));
  pages.route('/', runsPages(deps));
  pages.route('/', runPages(deps));
  pages.route('/', schedulePages(deps));
  pages.route('/', runFormPages(deps));
  pages.route('/', secretsPages(deps));
  pages.route('/', systemPages(deps));
  pages.route('/', taskEventRoutes(deps));
  pages.route('/', webhookPages(deps));
  pages.route('/', notificationPages(deps));
  return pages;
}

/** The HTML 404 for any other page path; mounted last, as it answers every path it sees. */
export function pageFallback(deps: WebDeps): Hono<PageEnv> {
  const fallback = new Hono<PageEnv>();
  fallback.onError(onPageError(deps.log));
  fallback.all('*', pageNotFound);
  return fallback;
}
