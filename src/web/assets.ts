import { Hono } from 'hono';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PACKAGE_ROOT } from '../package-root';
import { ANSI_CSS } from '../views/ansi-css';
import { RESOURCE_CSS } from '../views/resource-charts';

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
// What the build (scripts/build.mjs) writes for the browser, read from there whether the web runs from
// dist/ or from the sources (tests): `npm install` and `npm start` build it, and so does the tests' set-up.
const ASSETS = path.join(PACKAGE_ROOT, 'dist', 'assets');

async function built(name: string): Promise<string> {
  try {
    return await readFile(path.join(ASSETS, name), 'utf8');
  } catch (err) {
    throw new Error(`dist/assets/${name} cannot be read (\`npm run build\` makes it)`, { cause: err });
  }
}

// The only names served; a request picks one by name and never contributes to a file path.
const SOURCES: ReadonlyMap<string, Source> = new Map([
  ['htmx.min.js', { type: JS, load: () => built('htmx.min.js') }],
  ['editor.js', { type: JS, load: () => built('editor.js') }],
  ['app.js', { type: JS, load: () => built('app.js') }],
  // All of the site's CSS is this one file, so a strict style-src 'self' CSP needs no inline styles: the
  // stylesheets of src/views/styles, then the colours generated in TypeScript.
  ['app.css', { type: CSS, load: async () => [await built('styles.css'), ANSI_CSS, RESOURCE_CSS].join('\n') }],
  ['favicon.svg', { type: SVG, load: () => built('favicon.svg') }],
]);

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

/** Routes for the client scripts and the stylesheet under /assets, each read on first request and then kept in memory. */
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
