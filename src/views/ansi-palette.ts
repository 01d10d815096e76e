// xterm's 256-colour palette beyond the 16 themed colours: 16–231 a 6×6×6 cube, 232–255 a grey ramp.
const LEVELS = [0, 95, 135, 175, 215, 255];

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

/** The `#rrggbb` of xterm colour 16–255. */
export function xtermHex(n: number): string {
  if (n >= 232) return '#' + hex2(8 + (n - 232) * 10).repeat(3);
  const i = n - 16;
  return '#' + [Math.floor(i / 36), Math.floor(i / 6) % 6, i % 6].map((v) => hex2(LEVELS[v])).join('');
}

function nearestLevel(v: number): number {
  let best = 0;
  for (let i = 1; i < LEVELS.length; i++) if (Math.abs(LEVELS[i] - v) < Math.abs(LEVELS[best] - v)) best = i;
  return best;
}

const distance = (a: number[], b: number[]): number => a.reduce((sum, v, i) => sum + (v - b[i]) ** 2, 0);

/** The xterm colour (16–255) closest to a truecolor, so every colour is a class a strict CSP allows. */
export function nearestXterm(r: number, g: number, b: number): number {
  const [ri, gi, bi] = [r, g, b].map(nearestLevel);
  const cube = 16 + ri * 36 + gi * 6 + bi;
  const greyIndex = Math.min(23, Math.max(0, Math.round(((r + g + b) / 3 - 8) / 10)));
  const grey = 8 + greyIndex * 10;
  const target = [r, g, b];
  const cubeRgb = [LEVELS[ri], LEVELS[gi], LEVELS[bi]];
  return distance(target, [grey, grey, grey]) < distance(target, cubeRgb) ? 232 + greyIndex : cube;
}
