/** Command-line options of `npm run bench`. */
export type Options = { quick: boolean; only: Set<number> | undefined; keep: boolean; cpuProf: boolean };

/**
 * `--quick` runs a small version of every scenario; `--only=1,3` picks scenarios; `--keep` keeps the
 * temp folder; `--cpu-prof` has every taskrun process write a V8 CPU profile to bench/results/profiles/.
 */
export function parseOptions(argv: string[]): Options {
  const opts: Options = { quick: false, only: undefined, keep: false, cpuProf: false };
  for (const arg of argv) {
    if (arg === '--quick') opts.quick = true;
    else if (arg === '--keep') opts.keep = true;
    else if (arg === '--cpu-prof') opts.cpuProf = true;
    else if (arg.startsWith('--only=')) opts.only = new Set(arg.slice(7).split(',').map(Number));
    else throw new Error(`unknown option ${arg} (use --quick, --only=1,3, --keep, --cpu-prof)`);
  }
  return opts;
}
