import fs from 'node:fs';
import path from 'node:path';
import { readProcStat } from '../../proc-stat';

// A run's memory and process count are bounded by a cgroup of its own where the host lets taskrun make
// one: cgroup v2 when a subtree is delegated to it, else v1's `memory` and `pids` hierarchies when they
// are writable, else none (rlimits alone then). Detected once per runner; `/api/system/info` reports it.

export type CgroupKind = 'v2' | 'v1' | 'none';
type Controller = 'memory' | 'pids';

/** What the host lets a runner do with cgroups, and why not when it does not. */
export type CgroupSupport = {
  kind: CgroupKind;
  controllers: Controller[];
  reason?: string;
  // Where run cgroups are made: v1 one folder per controller, v2 one folder for both.
  parents: Partial<Record<Controller, string>>;
};

/** A run's own cgroup. */
export type RunCgroup = {
  /**
   * Moves a process in (before it runs the task, so everything it starts is inside). Asynchronous: a
   * move waits for an RCU grace period of the kernel's when none happened lately (10 to 20 ms on a
   * quiet host), which must not block the runner's event loop.
   */
  join: (pid: number) => Promise<void>;
  /** The processes in it now. */
  members: () => number[];
  /** How often the kernel killed a process of it for memory, and refused it a fork. */
  events: () => { oomKills: number; memoryMax: number; pidsMax: number };
  /** Removes it; false while a process is still inside. */
  remove: () => boolean;
};

type Mount = { root: string; point: string; fstype: string; options: string[] };

function mounts(): Mount[] {
  let text = '';
  try {
    text = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [before, after = ''] = line.split(' - ');
      const f = before!.split(' ');
      const [fstype = '', , options = ''] = after.split(' ');
      return { root: f[3]!, point: f[4]!, fstype, options: options.split(',') };
    });
}

// controller list (or '' for v2) → this process's cgroup path.
function ownCgroups(pid: number | 'self' = 'self'): Map<string, string> {
  const own = new Map<string, string>();
  try {
    for (const line of fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n')) {
      const m = /^\d+:([^:]*):(.*)$/.exec(line);
      if (m) own.set(m[1]!, m[2]!);
    }
  } catch {
    // no /proc: no cgroups
  }
  return own;
}

function writable(dir: string): boolean {
  const probe = path.join(dir, `taskrun-probe-${process.pid}`);
  try {
    fs.mkdirSync(probe);
    fs.rmdirSync(probe);
    return true;
  } catch {
    return false;
  }
}

const read = (file: string): string => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};
const words = (file: string): string[] => read(file).trim().split(/\s+/).filter(Boolean);
const pidsIn = (dir: string): number[] => words(path.join(dir, 'cgroup.procs')).map(Number);

// The folder of this process's cgroup in a mounted hierarchy.
function folderOf(m: Mount, cgroupPath: string): string | undefined {
  const rel = path.posix.relative(m.root, cgroupPath);
  if (rel.startsWith('..')) return undefined; // our cgroup is outside what is mounted here
  return path.join(m.point, rel);
}

// True when every process in `dir` is this one or a descendant of it.
function onlyOurs(dir: string): boolean {
  return pidsIn(dir).every((pid) => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; hops++) {
      if (p === process.pid) return true;
      p = readProcStat(p)?.ppid ?? 0;
    }
    return false;
  });
}

const hasBoth = (file: string): boolean => ['memory', 'pids'].every((c) => words(file).includes(c));

/**
 * On a cgroup v2 host, makes this process's cgroup able to hold run cgroups, when it holds nothing but
 * this process and its descendants (a systemd service with Delegate=yes, a container's own
 * namespace): they move into a leaf `taskrun`, and the memory and pids controllers are enabled for
 * its siblings (v2 lets a cgroup with processes of its own have no controlled children). Call it
 * before starting other processes; a no-op elsewhere.
 */
export function claimCgroupSubtree(): void {
  const v2 = mounts().find((m) => m.fstype === 'cgroup2' && m.point === '/sys/fs/cgroup');
  const own = ownCgroups().get('');
  if (!v2 || own === undefined) return;
  const dir = folderOf(v2, own);
  if (!dir || path.basename(dir) === 'taskrun' || hasBoth(path.join(dir, 'cgroup.subtree_control'))) return;
  if (!hasBoth(path.join(dir, 'cgroup.controllers')) || !onlyOurs(dir)) return;
  try {
    const leaf = path.join(dir, 'taskrun');
    fs.mkdirSync(leaf, { recursive: true });
    for (const pid of pidsIn(dir)) fs.writeFileSync(path.join(leaf, 'cgroup.procs'), String(pid));
    fs.writeFileSync(path.join(dir, 'cgroup.subtree_control'), '+memory +pids');
  } catch {
    // not delegated after all: detectCgroups says why
  }
}

function detectV2(m: Mount): CgroupSupport {
  const none = (reason: string): CgroupSupport => ({ kind: 'none', controllers: [], parents: {}, reason });
  const own = ownCgroups().get('');
  const dir = own === undefined ? undefined : folderOf(m, own);
  if (!dir) return none('cgroup v2: this process is in no cgroup under /sys/fs/cgroup');
  // Run cgroups go beside this process's leaf when its parent hands out memory and pids (see
  // claimCgroupSubtree); in a container's own root they go under the root itself.
  const candidates = own === '/' ? [dir] : [path.dirname(dir)];
  for (const parent of candidates) {
    if (own === '/' && !hasBoth(path.join(parent, 'cgroup.subtree_control'))) {
      try {
        fs.writeFileSync(path.join(parent, 'cgroup.subtree_control'), '+memory +pids');
      } catch {
        // reported below
      }
    }
    if (hasBoth(path.join(parent, 'cgroup.subtree_control')) && writable(parent)) {
      return { kind: 'v2', controllers: ['memory', 'pids'], parents: { memory: parent, pids: parent } };
    }
  }
  return none(
    `cgroup v2: ${own} is not delegated to taskrun (its parent does not hand out the memory and pids controllers, or cannot be written); ` +
      'run taskrun as a systemd service with Delegate=yes, or in a container with its own writable cgroup namespace',
  );
}

function detectV1(all: Mount[]): CgroupSupport {
  const own = ownCgroups();
  const parents: Partial<Record<Controller, string>> = {};
  const missing: string[] = [];
  for (const c of ['memory', 'pids'] as const) {
    const m = all.find((x) => x.fstype === 'cgroup' && x.options.includes(c));
    const ownPath = [...own.entries()].find(([k]) => k.split(',').includes(c))?.[1];
    const dir = m && ownPath !== undefined ? folderOf(m, ownPath) : undefined;
    if (dir && writable(dir)) parents[c] = dir;
    else missing.push(m ? `${c} (${dir ?? m.point} cannot be written)` : `${c} (not mounted)`);
  }
  const controllers = Object.keys(parents) as Controller[];
  const reason = missing.length > 0 ? `cgroup v1: no ${missing.join(', no ')}` : undefined;
  return controllers.length === 0 ? { kind: 'none', controllers, parents, reason } : { kind: 'v1', controllers, parents, reason };
}

/** What cgroups this host lets taskrun make for its runs. */
export function detectCgroups(): CgroupSupport {
  const all = mounts();
  const v1 = all.some((m) => m.fstype === 'cgroup' && (m.options.includes('memory') || m.options.includes('pids')));
  if (v1) return detectV1(all);
  const v2 = all.find((m) => m.fstype === 'cgroup2');
  if (v2) return detectV2(v2);
  return { kind: 'none', controllers: [], parents: {}, reason: 'no cgroup file system is mounted' };
}

const counter = (file: string, key: string): number => {
  const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(read(file));
  return m ? Number(m[1]) : 0;
};

/**
 * Makes the cgroup `name` for one run with its memory and process limits (none yet: only the folder,
 * for a shell started ahead of its run), or undefined when the host gives none. One that exists is
 * taken as it is, its limits written again.
 */
export function createRunCgroup(
  support: CgroupSupport,
  name: string,
  limits?: { memoryBytes: number; processes: number },
): RunCgroup | undefined {
  if (support.kind === 'none') return undefined;
  const v2 = support.kind === 'v2';
  const dirs = [...new Set(Object.values(support.parents))].map((p) => path.join(p, name));
  for (const d of dirs) fs.mkdirSync(d, { recursive: true });
  const memory = support.parents.memory && path.join(support.parents.memory, name);
  const pids = support.parents.pids && path.join(support.parents.pids, name);
  const set = (dir: string, file: string, value: string) => fs.writeFileSync(path.join(dir, file), value);
  if (memory && limits) {
    if (v2) {
      set(memory, 'memory.max', String(limits.memoryBytes));
      // Swap would let a run past its memory limit, slowly; not every kernel has the file.
      if (fs.existsSync(path.join(memory, 'memory.swap.max'))) set(memory, 'memory.swap.max', '0');
    } else {
      // v1 wants memsw (memory + swap) never below the memory limit: raise memory first when growing.
      const memsw = fs.existsSync(path.join(memory, 'memory.memsw.limit_in_bytes'));
      if (memsw) set(memory, 'memory.memsw.limit_in_bytes', '-1');
      set(memory, 'memory.limit_in_bytes', String(limits.memoryBytes));
      if (memsw) set(memory, 'memory.memsw.limit_in_bytes', String(limits.memoryBytes));
    }
  }
  if (memory && !v2) set(memory, 'memory.failcnt', '0');
  if (pids && limits) set(pids, 'pids.max', String(limits.processes));
  const base = {
    oomKills: memory ? counter(path.join(memory, v2 ? 'memory.events' : 'memory.oom_control'), 'oom_kill') : 0,
    memoryMax: memory && v2 ? counter(path.join(memory, 'memory.events'), 'max') : 0,
    pidsMax: pids ? counter(path.join(pids, 'pids.events'), 'max') : 0,
  };
  return {
    join: async (pid) => {
      for (const d of dirs) await fs.promises.writeFile(path.join(d, 'cgroup.procs'), String(pid));
    },
    members: () => pidsIn(pids ?? memory!),
    events: () => ({
      oomKills: memory ? counter(path.join(memory, v2 ? 'memory.events' : 'memory.oom_control'), 'oom_kill') - base.oomKills : 0,
      memoryMax: memory
        ? v2
          ? counter(path.join(memory, 'memory.events'), 'max') - base.memoryMax
          : Number(read(path.join(memory, 'memory.failcnt')) || 0)
        : 0,
      pidsMax: pids ? counter(path.join(pids, 'pids.events'), 'max') - base.pidsMax : 0,
    }),
    remove: () => {
      let gone = true;
      for (const d of dirs) {
        try {
          fs.rmdirSync(d);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') gone = false;
        }
      }
      return gone;
    },
  };
}

/**
 * Removes the empty run cgroups of runners that are gone (named after their pid): a runner killed
 * mid-run leaves its own behind. One that still holds a process stays (rmdir refuses).
 */
export function removeStaleCgroups(support: CgroupSupport): void {
  for (const parent of new Set(Object.values(support.parents))) {
    let names: string[] = [];
    try {
      names = fs.readdirSync(parent);
    } catch {
      continue;
    }
    for (const name of names) {
      const pid = Number(/^taskrun-(\d+)-/.exec(name)?.[1]);
      if (!pid || pid === process.pid || readProcStat(pid)) continue;
      try {
        fs.rmdirSync(path.join(parent, name));
      } catch {
        // not empty, or gone
      }
    }
  }
}
