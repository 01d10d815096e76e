import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { assetRoutes } from './assets';

const IIFE = /^(?:"use strict";)?\(\(\)=>\{/;

describe('assetRoutes', () => {
  it('serves the CodeMirror bundle the build made, as a minified browser script', async () => {
    const app = assetRoutes();
    const first = await app.request('/assets/editor.js');
    expect(first.status).toBe(200);
    expect(first.headers.get('Content-Type')).toBe('text/javascript; charset=utf-8');
    expect(first.headers.get('Cache-Control')).toBe('public, max-age=3600');
    const body = await first.text();
    expect(body).toMatch(IIFE);
    expect(body).toContain('cm-editor');
    expect(body).toContain('cm-lineNumbers');
    expect(body).not.toMatch(/^import /m);
    expect(body.split('\n').length).toBeLessThan(50);

    const second = await app.request('/assets/editor.js');
    expect(second.headers.get('ETag')).toBe(first.headers.get('ETag'));
    expect(await second.text()).toBe(body);
  });

  it('serves the page script bundle', async () => {
    const res = await assetRoutes().request('/assets/app.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('text/javascript; charset=utf-8');
    expect(await res.text()).toMatch(IIFE);
  });

  it('serves the stylesheet with the ANSI colour classes, as CSS', async () => {
    const res = await assetRoutes().request('/assets/app.css');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('text/css; charset=utf-8');
    const css = await res.text();
    expect(css).toContain('prefers-color-scheme: dark');
    expect(css).toContain('.ansi-fg-1{');
    expect(css).toContain('.ansi-fg-256-196{color:#ff0000}');
    expect(css).toContain(':focus-visible');
  });

  it('serves htmx as node_modules has it', async () => {
    const res = await assetRoutes().request('/assets/htmx.min.js');
    const onDisk = await readFile(createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js'), 'utf8');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('text/javascript; charset=utf-8');
    expect(await res.text()).toBe(onDisk);
  });

  it('answers 304 without a body when If-None-Match names the current ETag', async () => {
    const app = assetRoutes();
    const etag = (await app.request('/assets/htmx.min.js')).headers.get('ETag') ?? '';
    expect(etag).toMatch(/^"[\w-]+"$/);
    for (const header of [etag, `W/${etag}`, `"other", ${etag}`]) {
      const res = await app.request('/assets/htmx.min.js', { headers: { 'If-None-Match': header } });
      expect(res.status).toBe(304);
      expect(res.headers.get('ETag')).toBe(etag);
      expect(await res.text()).toBe('');
    }
    const stale = await app.request('/assets/htmx.min.js', { headers: { 'If-None-Match': '"stale"' } });
    expect(stale.status).toBe(200);
  });

  it.each(['/assets/../package.json', '/assets/..%2Fpackage.json', '/assets/%2e%2e%2fpackage.json', '/assets/nope.js', '/assets/'])(
    'gives 404 for %s',
    async (path) => {
      const res = await assetRoutes().request(path);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain('"name"');
    },
  );
});
