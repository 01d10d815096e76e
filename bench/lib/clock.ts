// Wall-clock milliseconds with microsecond resolution, comparable with bash's $EPOCHREALTIME and
// Python's time.time() in the task processes. Date.now() has only millisecond steps, so we anchor the
// monotonic performance.now() to the instant Date.now() ticks, and re-anchor between samples so a
// clock slew over a long run does not creep into the figures.
let anchorWall = Date.now();
let anchorPerf = performance.now();

/** Re-anchors the clock; spins for at most 1 ms, so call it outside a measured interval. */
export function anchorClock(): void {
  const start = Date.now();
  let wall = Date.now();
  while (wall === start) wall = Date.now();
  anchorPerf = performance.now();
  anchorWall = wall;
}

/** Now, in wall-clock milliseconds since the epoch, with sub-millisecond precision. */
export function wallMs(): number {
  return anchorWall + (performance.now() - anchorPerf);
}

/** Monotonic milliseconds, for durations. */
export const monoMs = (): number => performance.now();

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
