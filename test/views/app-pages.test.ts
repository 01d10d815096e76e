import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTask } from '../support/dirs';
import { createHarness, type Harness } from '../support/harness';
import { cspViolations } from './fixtures';
import { HX, page } from './page-request';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

describe('pages around the JSON API', () => {
  it('answers unknown page paths with an HTML 404, and keeps JSON for the API', async () => {
    const html = await page(h, '/nowhere');
    expect(html.status).toBe(404);
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(html.html).toContain('There is no page at /nowhere.');
    const frag = await page(h, '/nowhere', { headers: HX() });
    expect(frag.headers.get('HX-Retarget')).toBe('#flash');

    for (const path of ['/api/nowhere', '/api/tasks/nope']) {
      const res = await h.app.request(path);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/json');
    }
    expect((await h.app.request('/api/tasks', { method: 'POST', body: '{' })).headers.get('content-type')).toContain('application/json');
  });

  it('renders the system page with the machine figures, runners and processes, and its two fragments', async () => {
    await h.startRunner();
    const res = await page(h, '/system');
    expect(res.status).toBe(200);
    expect(res.html).toContain('id="system-stats"');
    expect(res.html).toMatch(/<meter min="0" max="\d+" value="\d+"><\/meter> \d+ \/ \d+/);
    expect(res.html).toContain('id="processes"');
    expect(cspViolations(res.html)).toEqual([]);
    expect((await page(h, '/system/stats', { headers: HX() })).html).toMatch(/^<div id="system-stats"/);
    expect((await page(h, '/system/processes', { headers: HX() })).html).toMatch(/^<div id="processes"/);
  });

  it('sends a task event when one of its runs changes status', async () => {
    writeTask(h.dirs, 'ping.sh', 'echo pong\n');
    const res = await h.app.request('/events/tasks');
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    await h.app.request('/api/tasks/ping/execute', { method: 'POST' });
    while (!text.includes('event: task\ndata: ping\n')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    expect(text).toContain('event: task\ndata: ping\n');
    await reader.cancel();
  });
});
