import { execa, type ResultPromise } from 'execa';
import type { Config } from '../../config';
import type { OutputChannel, OutputSockets } from '../../logs';
import { createRunCgroup } from './cgroups';
import type { Isolation } from './isolation';
import { cgroupName, launcherSpec, type LauncherSpec } from './run-sandbox';
import { withTimeout } from '../../timing';

/**
 * A run's shell started ahead of its run, as an idle uid: in that uid's cgroup already, its output
 * channel connected, waiting on stdin for the run's limits, command and environment. Moving a process
 * into a cgroup waits for an RCU grace period of the kernel's when none happened lately (10 to 20 ms
 * on a quiet host), and three execs stand between the spawn and the wrapper: done here, before the
 * request, none of it is on the way from the request to the task.
 */
export type Prepared = {
  uid: number;
  child: ResultPromise;
  channel: OutputChannel;
  /** Settles true once it is in its cgroup (false: it cannot be used; start the run afresh). */
  joined: Promise<boolean>;
  /** Ends it unused, and its cgroup with it. */
  discard: () => Promise<void>;
};

// What every prepared shell is spawned with: it gets the run's own part on stdin (launch.ts).
export function spawnLauncher(spec: LauncherSpec, channel: OutputChannel): ResultPromise {
  const child = execa(spec.file, spec.args, {
    cwd: spec.cwd,
    uid: spec.uid,
    gid: spec.gid,
    // Nothing for the launcher, which may run as root: the run's environment goes on stdin.
    env: {},
    extendEnv: false,
    detached: true, // its own process group, so a stop reaches grandchildren too
    stdin: 'pipe',
    // One socket for both, so the log has their lines in the order they were written.
    stdout: channel.childEnd,
    stderr: channel.childEnd,
    buffer: false,
    reject: false,
    cleanup: false,
    stripFinalNewline: false,
  });
  // The child holds its own copies now: the output ends when the last of them closes.
  channel.childEnd.destroy();
  return child;
}

/** Starts the shell of the next run of `uid` (a uid leased and idle), its output channel from `sockets`. */
export async function prepareLauncher(iso: Isolation, cfg: Config, sockets: OutputSockets, uid: number): Promise<Prepared> {
  const channel = await sockets.open();
  const child = spawnLauncher(launcherSpec(iso, uid, cfg.tasksDir), channel);
  child.stdin?.on('error', () => {
    // A shell that dies before its run is written closes the pipe: `exited` reports that, not this.
  });
  const exited = new Promise<void>((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
  );
  // The run's own limits are written when the run is known (openSandbox), never here: a shell that
  // joins late must not put the operator's defaults over a task's lower limits.
  const cgroup = iso.cgroups.kind === 'none' ? undefined : createRunCgroup(iso.cgroups, cgroupName(uid, 0));
  let discarding: Promise<void> | undefined;
  const discard = () =>
    (discarding ??= (async () => {
      child.kill('SIGKILL');
      channel.cut();
      await withTimeout(exited, 5000, 'the shell did not end').catch(() => {
        // SIGKILL was sent: a shell the kernel has not reaped yet is gone for the run's purposes.
      });
      cgroup?.remove();
    })());
  const joined = (async () => {
    if (!child.pid) return false;
    await cgroup?.join(child.pid);
    return true;
  })().catch(() => {
    void discard();
    return false;
  });
  return { uid, child, channel, joined, discard };
}
