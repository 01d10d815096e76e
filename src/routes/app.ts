import { OpenAPIHono } from '@hono/zod-openapi';
import type { BlankEnv } from 'hono/types';
import { contextStorage } from 'hono/context-storage';
import { adminRoutes } from './admin';
import { authenticate } from './security/authenticate';
import { csrfProtection } from './security/csrf';
import { securityHeaders } from './security/headers';
import { limitBody } from './body';
import type { AppDeps, WebDeps } from './deps';
import { createHashQueue } from '../auth/hash-queue';
import { meRoutes } from './me';
import { notFound, onError } from './errors';
import { healthRoutes } from './health';
import { hookRoutes } from './hooks';
import { logRoutes } from './logs';
import { metricsRoutes, timeRequests } from './metrics';
import { notificationRoutes } from './notifications';
import { createMetrics } from '../web/metrics';
import { pageFallback, pageRoutes } from './pages/index';
import { resourceRoutes } from './resources';
import { runRoutes } from './runs';
import { scheduleRoutes } from './schedules';
import { secretRoutes } from './secrets';
import { systemRoutes } from './system';
import { taskRoutes } from './tasks';
import { webhookRoutes } from './webhooks';
import { assetRoutes } from '../web/assets';

// Paths whose answers are never HTML pages or fragments.
const RENDERS_NO_HTML = /^\/(?:api\/|assets\/|hooks\/|healthz$|readyz$|metrics$)/;

/**
 * The whole web app: every route, mounted on one Hono; tests call `createApp(deps).request(...)`. An
 * OpenAPIHono, so that the JSON API's route definitions make one document (`getOpenAPI31Document`).
 */
export function createApp(web: WebDeps): OpenAPIHono<BlankEnv> {
  // Password hashing of this process, in threads of its own behind a bounded queue (hash-queue.ts).
  const deps: AppDeps = { ...web, hashQueue: createHashQueue({ threads: web.cfg.passwordHashThreads, queue: web.cfg.passwordHashQueue }) };
  const app = new OpenAPIHono<BlankEnv>();
  app.onError(onError(deps.log));
  app.notFound(notFound);
  const metrics = createMetrics(deps.db, deps.events, deps.cfg.runnerDeadMs);
  app.use('*', timeRequests(metrics));
  app.use('*', limitBody);
  app.use('*', securityHeaders());
  // The request context is readable while rendering (the layout shows who is signed in, the CSRF token).
  // Only HTML is rendered so: the JSON API, probes, metrics and assets skip the AsyncLocalStorage, which
  // costs a small route a good part of its throughput.
  const storage = contextStorage();
  app.use('*', (c, next) => (RENDERS_NO_HTML.test(c.req.path) ? next() : storage(c, next)));
  // Default deny: every route below needs a signed-in caller unless it is public; each states its role.
  app.use('*', authenticate(deps));
  app.use('*', csrfProtection());
  app.route('/', healthRoutes(deps));
  app.route('/', metricsRoutes(deps, metrics));
  app.route('/api/tasks', taskRoutes(deps));
  app.route('/api/tasks', secretRoutes(deps));
  app.route('/api/runs', resourceRoutes(deps));
  app.route('/api/runs', runRoutes(deps));
  app.route('/api/system', systemRoutes(deps));
  app.route('/api', adminRoutes(deps));
  app.route('/api/me', meRoutes(deps));
  app.route('/api', scheduleRoutes(deps));
  app.route('/api', webhookRoutes(deps));
  app.route('/api', notificationRoutes(deps));
  app.route('/', hookRoutes(deps));
  app.route('/', logRoutes(deps));
  app.route('/', assetRoutes());
  app.route('/', pageRoutes(deps));
  // Keep last: it answers every path no route above serves (HTML 404 for pages, JSON for /api).
  app.route('/', pageFallback(deps));
  return app;
}
