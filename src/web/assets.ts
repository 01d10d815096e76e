import { Hono } from 'hono';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PACKAGE_ROOT } from '../package-root';
import { ANSI_CSS } from '../views/ansi-css';
import { RESOURCE_CSS } from '../views/resource-charts';
import { clientScript } from './bundle';

interface Asset {
  body: string;
  etag: string;
}

interface Source {
  type: string;
  load: () => Promise<string>;
}

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';
const SVG = 'image/svg+xml';
const CACHE = 'public, max-age=3600';
// Read from the sources in both modes (tsx and the dist/ bundle), so a path from the package root.
const STYLES = path.join(PACKAGE_ROOT, 'src', 'views', 'styles');
const FAVICON = path.join(STYLES, 'favicon.svg');

// The only names served; a request picks one by name and never contributes to a file path.
const SOURCES: ReadonlyMap<string, Source> = new Map([
  ['htmx.min.js', { type: JS, load: () => readFile(createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js'), 'utf8') }],
  ['editor.js', { type: JS, load: () => clientScript('editor') }],
  ['app.js', { type: JS, load: () => clientScript('app') }],
  // All of the site's CSS is this one file, so a strict style-src 'self' CSP needs no inline styles.
  ['app.css', { type: CSS, load: stylesheet }],
  ['favicon.svg', { type: SVG, load: () => readFile(FAVICON, 'utf8') }],
]);

// Every .css file of src/views/styles, in name order (so 10-base.css comes first), then the ANSI colours.
async function stylesheet(): Promise<string> {
  const names = (await readdir(STYLES)).filter((n) => n.endsWith('.css')).sort();
  const parts = await Promise.all(names.map((n) => readFile(path.join(STYLES, n), 'utf8')));
  return [...parts, ANSI_CSS, RESOURCE_CSS].join('\n');
}

async function load(source: Source): Promise<Asset> {
  const body = await source.load();
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

/** Routes for the client scripts and the stylesheet under /assets, each built or read on first request and then kept in memory. */
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
    return c.body(asset.body, 200, { 'Content-Type': source.type });
  });
  return app;
}
