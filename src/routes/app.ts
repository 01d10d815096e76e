import { Hono } from 'hono';
import { limitBody } from './body';
import type { WebDeps } from './deps';
import { notFound, onError } from './errors';
import { healthRoutes } from './health';
import { logRoutes } from './logs';
import { runRoutes } from './runs';
import { systemRoutes } from './system';
import { taskRoutes } from './tasks';

/** The whole web app: every route, mounted on one Hono; tests call `createApp(deps).request(...)`. */
export function createApp(deps: WebDeps): Hono {
  const app = new Hono();
  app.onError(onError(deps.log));
  app.notFound(notFound);
  app.use('*', limitBody);
  app.route('/', healthRoutes(deps));
  app.route('/api/tasks', taskRoutes(deps));
  app.route('/api/runs', runRoutes(deps));
  app.route('/api/system', systemRoutes(deps));
  app.route('/', logRoutes(deps));
  return app;
}
