import { Hono } from 'hono';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { bundleClient } from './bundle';

interface Asset {
  body: string;
  etag: string;
}

const JS = 'text/javascript; charset=utf-8';
const CACHE = 'public, max-age=3600';

// The only names served; a request picks one by name and never contributes to a file path.
const SOURCES: ReadonlyMap<string, () => Promise<string>> = new Map([
  ['htmx.min.js', () => readFile(createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js'), 'utf8')],
  ['editor.js', () => bundleClient('editor')],
  ['app.js', () => bundleClient('app')],
]);

async function load(source: () => Promise<string>): Promise<Asset> {
  const body = await source();
  return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

// True when an If-None-Match header (a list, possibly weak, or *) names this ETag.
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}

/** Routes for the client scripts under /assets, each built or read on first request and then kept in memory. */
export function assetRoutes(): Hono {
  const app = new Hono();
  const cache = new Map<string, Promise<Asset>>();

  app.get('/assets/:name', async (c) => {
    const name = c.req.param('name');
    const source = SOURCES.get(name);
    if (!source) return c.notFound();
    let pending = cache.get(name);
    if (!pending) {
      // Shared by concurrent first requests; forgotten on failure so a later request retries.
      pending = load(source);
      cache.set(name, pending);
      pending.catch(() => cache.delete(name));
    }
    const asset = await pending;
    c.header('ETag', asset.etag);
    c.header('Cache-Control', CACHE);
    if (matches(c.req.header('If-None-Match'), asset.etag)) return c.body(null, 304);
    return c.body(asset.body, 200, { 'Content-Type': JS });
  });
  return app;
}
