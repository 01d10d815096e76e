import { describe, expect, it } from 'vitest';
import type { SystemInfo } from '../services/system-service';
import { cspViolations, render } from '../../test/views/fixtures';
import { SystemStats } from './system-stats';
import { ProcessTable, SystemPage } from './system-view';

const info: SystemInfo = {
  cpu: { cores: 4, load_pct: 12.5, load_avg: [0.5, 0.4, 0.3] },
  memory: { total: 8 * 1024 ** 3, used: 2 * 1024 ** 3, free: 6 * 1024 ** 3 },
  disks: [{ mount: '/', fs: '/dev/sda1', size: 100 * 1024 ** 3, used: 40 * 1024 ** 3, use_pct: 40 }],
  uptime_s: 7200,
  running_runs: 1,
  queued_runs: 2,
  isolation: {
    levels: ['standard'],
    cgroup: 'v1',
    bubblewrap: false,
    run_users: true,
    problems: ['strict isolation is unavailable: bubblewrap is not installed'],
  },
  runners: [
    {
      id: 'r1',
      host: 'box',
      pid: 42,
      slots: 5,
      running: 1,
      version: '0.1.0',
      started_at: '2024-05-01T09:00:00.000Z',
      heartbeat_at: '2024-05-01T10:00:00.000Z',
      isolation: {
        levels: ['standard'],
        cgroup: 'v1',
        bubblewrap: false,
        run_users: true,
        problems: ['strict isolation is unavailable: bubblewrap is not installed'],
      },
    },
  ],
};
const at = new Date('2024-05-01T10:00:05.000Z');

describe('system views', () => {
  it('shows CPU, memory, disk, the queue and each runner with its slots in use, and polls itself', async () => {
    const html = await render(<SystemStats info={info} at={at} />);
    expect(html).toContain('hx-get="/system/stats"');
    expect(html).toContain('hx-trigger="every 3s"');
    expect(html).toContain('12.5%');
    expect(html).toContain('2.0 GB / 8.0 GB');
    expect(html).toContain('40% of 100.0 GB');
    expect(html).toContain('1 running');
    expect(html).toContain('2 queued');
    expect(html).toContain('<meter min="0" max="5" value="1"></meter> 1 / 5');
    expect(html).toContain(`data-sample="{&quot;t&quot;:${at.getTime()},&quot;cpu&quot;:12.5,&quot;mem&quot;:25,&quot;load&quot;:0.5}"`);
    expect(html).toContain('data-chart="load" data-max="4"');
    expect(html).toContain('standard · run uids · cgroup v1');
    expect(html).toContain('bubblewrap is not installed');
  });

  it('says when a runner refuses every run, and why', async () => {
    const refused = {
      levels: [],
      cgroup: 'none' as const,
      bubblewrap: false,
      run_users: true,
      problems: ['run users cannot reach TASKS_DIR /srv/tasks'],
    };
    const html = await render(<SystemStats info={{ ...info, runners: [{ ...info.runners[0]!, isolation: refused }] }} at={at} />);
    expect(html).toContain('runs refused: run users cannot reach TASKS_DIR /srv/tasks');
  });

  it('says so when no runner is alive', async () => {
    expect(await render(<SystemStats info={{ ...info, runners: [] }} at={at} />)).toContain('No runner is alive');
  });

  it('marks the processes of a run and links them to it; escapes command lines', async () => {
    const html = await render(
      <ProcessTable
        scope="all"
        procs={[
          { pid: 10, name: 'python3', cpu_pct: 50, mem_rss: 1024 ** 2, command: 'python3 job.py', of_run: true, run_id: 7, task_id: 'job' },
          { pid: 12, name: 'sleep', cpu_pct: 0, mem_rss: 0, command: 'sleep 9', of_run: true, run_id: null, task_id: null },
          { pid: 11, name: 'sh', cpu_pct: 0, mem_rss: 0, command: 'sh -c "<b>"', of_run: false, run_id: null, task_id: null },
        ]}
      />,
    );
    expect(html.match(/<tr class="proc-of-run">/g)).toHaveLength(2);
    expect(html).toContain('<td data-label="Run">a run</td>');
    expect(html).not.toContain('Only the processes of runs');
    expect(html).toContain('<a class="badge badge-running" href="/runs/7">job #7</a>');
    expect(html).toContain('sh -c &quot;&lt;b&gt;&quot;');
    expect(html).toContain('hx-trigger="every 5s"');
  });

  it('says when only the processes of runs are listed, and when there are none', async () => {
    const html = await render(<ProcessTable scope="runs" procs={[]} />);
    expect(html).toContain('Only the processes of runs are shown');
    expect(html).toContain('No run is running on this machine.');
  });

  it('renders the page without anything a CSP blocks', async () => {
    const html = await render(<SystemPage info={info} procs={[]} scope="all" at={at} />);
    expect(html).toContain('<title>System · taskrun</title>');
    expect(cspViolations(html)).toEqual([]);
  });
});
