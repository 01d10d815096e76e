import { describe, expect, it } from 'vitest';
import { cspViolations, render, runFixture, taskFixture } from '../../test/views/fixtures';
import { formatTimeLeft } from './format';
import { RunProgress } from './run-progress';
import { TaskState } from './task-state';

const running = runFixture({
  run_id: 9,
  status: 'running',
  finished_at: null,
  exit_code: null,
  progress: { percent: 42.5, message: 'rows <b>&</b> more', at: '2024-05-01T10:00:21.000Z', eta_s: 27 },
});

describe('RunProgress', () => {
  it('shows a bar, the percent, the escaped message and the time left counting down to an instant', async () => {
    const html = await render(<RunProgress run={running} />);
    expect(html).toContain('data-progress-run="9"');
    expect(html).toContain('<progress class="progress-bar" max="100" value="42.5" aria-label="Progress of run #9">42.5%</progress>');
    expect(html).toContain('rows &lt;b&gt;&amp;&lt;/b&gt; more');
    expect(html).toContain('data-eta-until="2024-05-01T10:00:48.000Z"');
    expect(html).toContain('27 s left');
    expect(cspViolations(html)).toEqual([]);
  });

  it('shows nothing before a report, and no time left when none is known', async () => {
    expect(await render(<RunProgress run={runFixture()} />)).toBe('');
    const html = await render(<RunProgress run={{ ...running, progress: { ...running.progress!, message: null, eta_s: null } }} />);
    expect(html).toMatch(/class="progress-msg" hidden=""/);
    expect(html).toMatch(/class="progress-eta muted" hidden=""/);
  });

  it('appears in the task list only for a running run', async () => {
    const withBar = await render(<TaskState task={taskFixture({ active_run: running })} />);
    expect(withBar).toContain('class="progress progress-compact"');
    const ended = await render(<TaskState task={taskFixture({ last_run: { ...running, status: 'success' } })} />);
    expect(ended).not.toContain('progress-compact');
  });
});

describe('formatTimeLeft', () => {
  it('rounds as an estimate deserves', () => {
    expect([-3, 2, 40, 150, 3590, 7170, 7500].map(formatTimeLeft)).toEqual([
      'a few seconds left',
      'a few seconds left',
      '40 s left',
      '3 min left',
      '1 h 00 min left',
      '2 h 00 min left',
      '2 h 05 min left',
    ]);
  });
});
