import { describe, expect, it } from 'vitest';
import { cspViolations, render, runFixture, taskFixture } from '../../test/views/fixtures';
import { sliceTasks, TaskRows, TaskRowsMore, TasksPage, TASKS_PAGE } from './tasks-view';
import { RunControl, TaskState } from './task-state';

describe('task list views', () => {
  it('says how to start when there are no tasks, and when a filter matches none', async () => {
    const empty = await render(<TaskRows slice={sliceTasks([], '', 0)} />);
    expect(empty).toContain('No tasks yet.');
    expect(empty).toContain('href="/tasks/new"');
    const none = await render(<TaskRows slice={sliceTasks([taskFixture()], '<b>x</b>', 0)} />);
    expect(none).toContain('No task matches “&lt;b&gt;x&lt;/b&gt;”.');
  });

  it('escapes a description holding <script> and keeps very long names whole', async () => {
    const id = 'a'.repeat(64);
    const description = `<script>alert("x")</script>${'word '.repeat(400)}`;
    const html = await render(<TaskRows slice={sliceTasks([taskFixture({ id, description })], '', 0)} />);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain(`<a href="/tasks/${id}/edit">${id}</a>`);
    expect(html).toContain(`id="task-state-${id}"`);
    expect(cspViolations(html)).toEqual([]);
  });

  it('shows a long list in pieces, each ending in a button that loads the next piece (also when scrolled into view)', async () => {
    const all = Array.from({ length: 250 }, (_, i) =>
      taskFixture({ id: `t${String(i).padStart(3, '0')}`, description: i % 2 ? 'odd one' : '' }),
    );
    const first = await render(<TaskRows slice={sliceTasks(all, '', 0)} />);
    expect(first.match(/<tr id="task-/g)).toHaveLength(TASKS_PAGE);
    expect(first).toContain('hx-get="/tasks/rows?offset=100"');
    expect(first).toContain('hx-trigger="click, revealed"');
    expect(first).toContain('150 left');
    const last = await render(<TaskRowsMore slice={sliceTasks(all, '', 200)} />);
    expect(last.match(/<tr id="task-/g)).toHaveLength(50);
    expect(last).not.toContain('tasks-more');
    expect(last).not.toContain('<tbody');
    const odd = sliceTasks(all, 'ODD', 0);
    expect(odd.matching).toBe(125);
    expect(await render(<TaskRows slice={odd} />)).toContain('hx-get="/tasks/rows?offset=100&amp;q=ODD"');
  });

  it('gives the Run button its htmx request, target and message slot', async () => {
    const html = await render(<RunControl id="backup" />);
    expect(html).toContain('hx-post="/tasks/backup/run"');
    expect(html).toContain('hx-target="#task-state-backup"');
    expect(html).toContain('hx-swap="outerHTML"');
    expect(html).toContain('aria-describedby="task-msg-backup"');
    expect(html).toContain('<div id="task-msg-backup" class="task-msg" role="status"></div>');
  });

  it('shows a task never run, its last run, and an active run that counts up', async () => {
    const never = await render(<TaskState task={taskFixture()} />);
    expect(never).toContain('never run');
    expect(never).toContain('hx-get="/tasks/backup/state"');
    expect(never).toContain('hx-trigger="refresh"');

    const failed = await render(<TaskState task={taskFixture({ last_run: runFixture({ status: 'failed', exit_code: 3 }) })} />);
    expect(failed).toContain('href="/runs/7"');
    expect(failed).toContain('badge-failed');
    expect(failed).toContain('exit 3');
    expect(failed).toContain('2.5 s');
    expect(failed).not.toContain('data-active');

    const running = runFixture({ run_id: 9, status: 'running', exit_code: null, finished_at: null, duration_ms: 1200 });
    const active = await render(<TaskState task={taskFixture({ active_run: running, last_run: runFixture() })} />);
    expect(active).toContain('badge-running badge-active');
    expect(active).toContain('href="/runs/9"');
    expect(active).toContain('data-elapsed-since="2024-05-01T10:00:01.000Z"');
    expect(active).toContain('data-active="true"');
    expect(active).toContain('hx-trigger="refresh, every 5s"');
    expect(failed).toContain('hx-trigger="refresh"');
  });

  it('renders the whole page with the filter, the live-events hook and the assets, and nothing a CSP blocks', async () => {
    const html = await render(<TasksPage slice={sliceTasks([taskFixture()], 'back', 0)} total={3} notice="Task x was deleted." />);
    expect(html).toContain('<title>Tasks · taskrun</title>');
    expect(html).toContain('3 tasks');
    expect(html).toContain('value="back"');
    expect(html).toContain('hx-get="/tasks/rows"');
    expect(html).toContain('data-task-events="/events/tasks"');
    expect(html).toContain('<a href="/" aria-current="page">Tasks</a>');
    expect(html).toContain('<link rel="stylesheet" href="/assets/app.css"/>');
    expect(html).toContain('&quot;allowEval&quot;:false');
    expect(cspViolations(html)).toEqual([]);
  });
});
