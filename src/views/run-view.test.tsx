import { describe, expect, it } from 'vitest';
import { cspViolations, render, runFixture } from '../../test/views/fixtures';
import { RunStatus } from './run-status';
import { RunPage } from './run-view';

describe('run views', () => {
  it('points the log panel at the stream from the tail offset, with the earlier-parts button and download', async () => {
    const state = { run: runFixture({ run_id: 12, task_id: 'big', log_bytes: 900_000 }), stopping: false };
    const html = await render(<RunPage state={state} tailStart={637_000} logName="big_12.log" />);
    expect(html).toContain('<title>Run #12 of big · taskrun</title>');
    expect(html).toContain('data-stream="/api/runs/12/stream"');
    expect(html).toContain('data-offset="637000"');
    expect(html).toContain('data-log-url="/api/logs/big_12.log"');
    expect(html).toMatch(/<button type="button" id="log-earlier" class="btn btn-small" data-before="637000">/);
    expect(html).toContain('The first 622.1 KB are not shown.');
    expect(html).toContain('href="/logs/big_12.log/download"');
    expect(html).toContain('aria-pressed="true"');
    expect(cspViolations(html)).toEqual([]);
  });

  it('hides the earlier-parts button when the whole log is shown', async () => {
    const html = await render(<RunPage state={{ run: runFixture(), stopping: false }} tailStart={0} logName="backup_7.log" />);
    expect(html).toMatch(/id="log-earlier"[^>]* hidden=""/);
    expect(html).not.toContain('log-skipped');
  });

  it('offers Cancel only while a run is active and no cancel is on its way', async () => {
    const running = runFixture({ status: 'running', exit_code: null, finished_at: null });
    const active = await render(<RunStatus state={{ run: running, stopping: false }} />);
    expect(active).toContain('hx-post="/runs/7/cancel"');
    expect(active).toContain('hx-target="#run-status"');
    expect(active).toContain('data-status="running"');
    expect(active).toContain('hx-trigger="refresh"');
    const stopping = await render(<RunStatus state={{ run: running, stopping: true }} />);
    expect(stopping).not.toContain('/cancel');
    expect(stopping).toContain('stopping…');
    const done = await render(<RunStatus state={{ run: runFixture(), stopping: false }} />);
    expect(done).not.toContain('/cancel');
  });

  it('shows exit code, signal and an escaped error message', async () => {
    const run = runFixture({ status: 'error', exit_code: null, signal: 'SIGKILL', error: 'spawn failed: <no interpreter>' });
    const html = await render(<RunStatus state={{ run, stopping: false }} />);
    expect(html).toContain('<dd>SIGKILL</dd>');
    expect(html).toContain('spawn failed: &lt;no interpreter&gt;');
    expect(html).toContain('badge-error');
  });
});
