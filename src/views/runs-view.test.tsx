import { describe, expect, it } from 'vitest';
import { cspViolations, render, runFixture } from '../../test/views/fixtures';
import { RunsPage, RunsResults, runsUrl } from './runs-view';

const noFilter = { task_id: '', status: '', cursor: '' };

describe('runs views', () => {
  it('says why a page of runs is empty', async () => {
    const page = { runs: [], next_cursor: null };
    expect(await render(<RunsResults page={page} filter={noFilter} />)).toContain('No runs yet.');
    expect(await render(<RunsResults page={page} filter={{ ...noFilter, status: 'failed' }} />)).toContain('No runs match these filters.');
    expect(await render(<RunsResults page={page} filter={{ ...noFilter, cursor: '5' }} />)).toContain('No older runs.');
  });

  it('links each row to its run view and pages by keyset cursor, keeping the filters', async () => {
    const page = { runs: [runFixture({ run_id: 120 }), runFixture({ run_id: 119, status: 'failed', exit_code: 1 })], next_cursor: '119' };
    const html = await render(<RunsResults page={page} filter={{ task_id: 'backup', status: '', cursor: '' }} />);
    expect(html).toContain('<a href="/runs/120">#120</a>');
    expect(html).toContain('<a href="/runs/119">#119</a>');
    expect(html).toContain('hx-get="/runs?task_id=backup&amp;cursor=119"');
    expect(html).toContain('hx-push-url="true"');
    expect(html).toContain('hx-target="#runs-results"');
    expect(html).not.toContain('Newest');
    const later = await render(
      <RunsResults page={{ ...page, next_cursor: null }} filter={{ task_id: 'backup', status: 'failed', cursor: '200' }} />,
    );
    expect(later).toContain('href="/runs?task_id=backup&amp;status=failed"');
    expect(later).not.toContain('Older runs');
  });

  it('renders the filter form with the chosen status and the task typed, as an htmx form that still works without it', async () => {
    const html = await render(
      <RunsPage page={{ runs: [], next_cursor: null }} filter={{ task_id: '<x>', status: 'timeout', cursor: '' }} />,
    );
    expect(html).toContain('<form class="toolbar filters" action="/runs" method="get"');
    expect(html).toContain('hx-trigger="submit, change"');
    expect(html).toContain('value="&lt;x&gt;"');
    expect(html).toContain('<option value="timeout" selected="">timeout</option>');
    expect(html).toContain('<a href="/runs" aria-current="page">Runs</a>');
    expect(cspViolations(html)).toEqual([]);
  });

  it('builds history URLs without empty parameters', () => {
    expect(runsUrl({})).toBe('/runs');
    expect(runsUrl({ task_id: 'a', status: '', cursor: '9' })).toBe('/runs?task_id=a&cursor=9');
  });
});
