import { xtermHex } from './ansi';

/** The 16 terminal colours of one colour scheme, and the page colours they were chosen against. */
export interface AnsiScheme {
  background: string;
  text: string;
  fg: readonly string[];
  bg: readonly string[];
}

// Light: "white" and "black" become greys and yellow becomes amber, so every foreground stays readable
// on a white page; backgrounds are tints that keep the default text readable.
/** The palette used under a light colour scheme. */
export const LIGHT: AnsiScheme = {
  background: '#ffffff',
  text: '#1f2328',
  fg: [
    '#24292f',
    '#b3261e',
    '#1a7f37',
    '#7d5a00',
    '#0a5bc4',
    '#8e2a9c',
    '#0b6e7c',
    '#5c6370',
    '#5f6670',
    '#cf222e',
    '#1c7a3a',
    '#8a6100',
    '#0969da',
    '#a0349a',
    '#0e7480',
    '#4d535c',
  ],
  bg: [
    '#d0d7de',
    '#ffd7d5',
    '#d2f4d3',
    '#fff1b8',
    '#d6e8ff',
    '#f3d9fa',
    '#ccf0f3',
    '#eaeef2',
    '#afb8c1',
    '#ffc1bd',
    '#aceebb',
    '#ffe585',
    '#b6d7ff',
    '#ebc2f5',
    '#a8e6ec',
    '#f6f8fa',
  ],
};

// Dark: "black" becomes a grey that still shows on a dark page; backgrounds are deep tones.
/** The palette used under a dark colour scheme. */
export const DARK: AnsiScheme = {
  background: '#161b22',
  text: '#e6edf3',
  fg: [
    '#8b949e',
    '#ff7b72',
    '#56d364',
    '#e3b341',
    '#79c0ff',
    '#d2a8ff',
    '#56d4dd',
    '#c9d1d9',
    '#a0a8b2',
    '#ffa198',
    '#7ee787',
    '#f2cc60',
    '#a5d6ff',
    '#e2c5ff',
    '#8ff0f5',
    '#ffffff',
  ],
  bg: [
    '#010409',
    '#6e1a1a',
    '#1a4d26',
    '#5c4400',
    '#123a6e',
    '#4e2363',
    '#114a52',
    '#3d444d',
    '#30363d',
    '#8e2323',
    '#236b33',
    '#7a5c00',
    '#1d5294',
    '#693087',
    '#17666f',
    '#545d68',
  ],
};

function rules(scheme: AnsiScheme): string {
  const fg = scheme.fg.map((c, i) => `.ansi-fg-${i}{color:${c}}`);
  const bg = scheme.bg.map((c, i) => `.ansi-bg-${i}{background-color:${c}}`);
  return [...fg, ...bg].join('\n');
}

// Colours 16–255 are exact colours a program chose, so they are the same in both schemes.
function paletteRules(): string {
  const out: string[] = [];
  for (let n = 16; n < 256; n++) out.push(`.ansi-fg-256-${n}{color:${xtermHex(n)}}`, `.ansi-bg-256-${n}{background-color:${xtermHex(n)}}`);
  return out.join('\n');
}

/** Stylesheet text for the classes `ansiToHtml` emits, following prefers-color-scheme. */
export const ANSI_CSS = [
  '.ansi-bold{font-weight:bold}',
  '.ansi-dim{opacity:.7}',
  '.ansi-italic{font-style:italic}',
  '.ansi-underline{text-decoration:underline}',
  paletteRules(),
  rules(LIGHT),
  `@media (prefers-color-scheme: dark){\n${rules(DARK)}\n}`,
].join('\n');
