import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Hono } from 'hono';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRunResources } from '../src/services/resources-service';
import { ResourceCharts, RESOURCE_CSS } from '../src/views/resource-charts';
import { writeTask } from './support/dirs';
import { createHarness, waitFor, type Harness } from './support/harness';
import { listen } from './support/sse';

// The run view's resource charts in a real Chromium, under a strict CSP: drawn by the server, then kept
// up to date by the client module while the run goes on, and still there once it ended.

const CLIENT = fileURLToPath(new URL('../src/views/client/resource-charts.ts', import.meta.url));
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'";

let h: Harness;
let browser: Browser;
let server: { base: string; close: () => Promise<void> };

beforeAll(async () => {
  h = await createHarness();
  await h.startRunner();
  const bundle = await build({
    stdin: {
      contents: `import { initResourceCharts } from ${JSON.stringify(CLIENT)};\ninitResourceCharts(500);\n`,
      resolveDir: path.dirname(CLIENT),
      loader: 'ts',
    },
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    logLevel: 'silent',
  });
  const js = bundle.outputFiles[0].text;
  // A page holding just the component, as the run view holds it; the API comes from the real app.
  const app = new Hono()
    .use('*', async (c, next) => {
      await next();
      c.header('Content-Security-Policy', CSP);
    })
    .get('/charts.js', (c) => c.body(js, 200, { 'content-type': 'text/javascript' }))
    .get('/charts.css', (c) => c.body(RESOURCE_CSS, 200, { 'content-type': 'text/css' }))
    .get('/run/:id', async (c) => {
      const charts = await ResourceCharts({ data: await getRunResources(h.deps, Number(c.req.param('id'))) }).toString();
      return c.html(`<!doctype html><html><head><title>charts</title><link rel="stylesheet" href="/charts.css">
        <script src="/charts.js" defer></script></head><body><main>${charts}</main></body></html>`);
    })
    .all('*', (c) => h.app.fetch(c.req.raw));
  server = await listen(app);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await h?.close();
});

describe('resource charts in a real browser', () => {
  it('update live while the run goes on and stay once it ended, with no CSP violation', async () => {
    const releaseFile = path.join(h.dirs.root, 'release');
    writeTask(
      h.dirs,
      'climb.py',
      `
import os, time
blocks = []
for i in range(5):
    blocks.append(b"x" * (20 << 20))
    time.sleep(0.5)
while not os.path.exists(${JSON.stringify(releaseFile)}):
    time.sleep(0.05)
`,
    );
    const { run_id } = await (await h.app.request('/api/tasks/climb/execute', { method: 'POST' })).json();
    await waitFor(async () => (await (await h.app.request(`/api/runs/${run_id}`)).json()).status === 'running', 20_000, 'the run to start');

    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error' || /Content Security Policy/i.test(msg.text())) problems.push(msg.text());
    });
    await page.goto(`${server.base}/run/${run_id}`);
    const section = page.locator('section.resource-charts');
    expect(await section.getAttribute('data-active')).toBe('true');

    // Live: the memory line gains points and the current memory shows, without reloading the page.
    const count = (kind: string) =>
      page.evaluate((k) => (document.querySelector(`[data-rc="${k}-line"]`) as SVGPolylineElement).points.numberOfItems, kind);
    await page.waitForFunction(
      () => (document.querySelector('[data-rc="mem-line"]') as SVGPolylineElement).points.numberOfItems >= 4,
      null,
      { timeout: 45_000 },
    );
    expect(await page.textContent('[data-rc="mem-now"]')).toMatch(/MB$/);
    expect(await page.isHidden('[data-rc="empty"]')).toBe(true);

    // Styled by the stylesheet alone: the chart has a size and its line a stroke.
    const box = await page.locator('.rc-mem svg').boundingBox();
    expect(box!.width).toBeGreaterThan(100);
    expect(box!.height).toBeGreaterThan(30);
    expect(await page.$eval('[data-rc="mem-line"]', (el) => getComputedStyle(el).stroke)).not.toBe('none');
    expect(await page.$eval('[data-rc="mem-line"]', (el) => getComputedStyle(el).fill)).toBe('none');

    fs.writeFileSync(releaseFile, '');
    await page.waitForFunction(() => !document.querySelector('section.resource-charts')?.hasAttribute('data-active'), null, {
      timeout: 45_000,
    });
    const final = await (await h.app.request(`/api/runs/${run_id}/resources`)).json();
    expect(final.status).toBe('success');
    expect(await count('mem')).toBe(final.samples.length);
    expect(await page.textContent('[data-rc="mem-summary"]')).toMatch(/^peak \d+\.\d MB$/);

    // A finished run's page is drawn by the server alone, with every sample.
    await page.reload();
    expect(await section.getAttribute('data-active')).toBeNull();
    expect(await count('cpu')).toBe(final.samples.length);
    expect(await count('mem')).toBe(final.samples.length);
    expect(problems).toEqual([]);
  });
});
