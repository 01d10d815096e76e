/** Sends a signal to a whole process group; false when no process of the group is left. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Ends a process group: SIGTERM to all of it, then SIGKILL after `graceMs` to whatever is left,
 * so grandchildren (`sleep 1000 &`) go too. Resolves once no process of the group remains.
 */
export async function terminateGroup(pgid: number, graceMs: number): Promise<void> {
  if (!signalGroup(pgid, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    await sleep(Math.min(50, Math.max(1, deadline - Date.now())));
    if (!signalGroup(pgid, 0)) return;
  }
  signalGroup(pgid, 'SIGKILL');
  for (let i = 0; i < 100 && signalGroup(pgid, 0); i++) await sleep(20);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
