import { describe, expect, it } from 'vitest';
import { cspViolations, render } from '../../test/views/fixtures';
import { ErrorMessage, ErrorPage } from './error-view';

describe('error views', () => {
  it('renders a refusal as an escaped alert fragment that links the run holding the task', async () => {
    const html = await render(<ErrorMessage error={{ status: 409, message: 'task <b>busy</b>', runId: 5 }} />);
    expect(html).toContain('role="alert"');
    expect(html).toContain('data-status="409"');
    expect(html).toContain('task &lt;b&gt;busy&lt;/b&gt;');
    expect(html).toContain('<a href="/runs/5">View run #5</a>');
    expect(html).toContain('data-dismiss=""');
  });

  it('renders a whole error page with a title for the status', async () => {
    const html = await render(<ErrorPage error={{ status: 404, message: 'task not found: x' }} />);
    expect(html).toContain('<title>Not found · taskrun</title>');
    expect(html).toContain('task not found: x');
    expect(cspViolations(html)).toEqual([]);
  });

  it('is checked by a CSP test that does catch inline scripts, styles and handlers', () => {
    const bad =
      '<div style="color:red"><script>x()</script><script src="https://cdn.example/x.js"></script><a hx-on:click="y">a</a><img onerror="z">';
    expect(cspViolations(bad)).toHaveLength(5);
    expect(cspViolations('<p>text with onerror= and style= in it</p><script src="/assets/app.js"></script>')).toEqual([]);
  });
});
