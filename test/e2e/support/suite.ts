import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startApp, type AppProcess } from './app-process';
import { launchBrowser } from './browser';

/**
 * One `npm start` and one Chromium for the test file, started together, stopped after its last test;
 * `ready` takes them (and may set up more, such as tasks and runs, before the first test).
 */
export function withAppAndBrowser(ready: (app: AppProcess, browser: Browser) => unknown): void {
  let app: AppProcess | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
    await ready(app, browser);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  }, 90_000);
}
