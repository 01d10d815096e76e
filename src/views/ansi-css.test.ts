import { describe, expect, it } from 'vitest';
import { ANSI_CSS, DARK, LIGHT, type AnsiScheme } from './ansi-css';

// WCAG 2 relative luminance and contrast ratio of two #rrggbb colours.
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

describe.each([
  ['light', LIGHT],
  ['dark', DARK],
] as [string, AnsiScheme][])('%s scheme', (_name, scheme) => {
  it('has 16 foreground and 16 background colours', () => {
    expect(scheme.fg).toHaveLength(16);
    expect(scheme.bg).toHaveLength(16);
  });

  it('keeps every foreground colour readable on the page (WCAG AA, 4.5:1)', () => {
    for (const colour of scheme.fg) expect(contrast(colour, scheme.background)).toBeGreaterThanOrEqual(4.5);
  });

  it('keeps the default text readable on every background colour', () => {
    for (const colour of scheme.bg) expect(contrast(scheme.text, colour)).toBeGreaterThanOrEqual(4.5);
  });
});

describe('ANSI_CSS', () => {
  it('styles every class ansiToHtml emits, with dark colours inside the dark media query', () => {
    const [light, dark] = ANSI_CSS.split('@media (prefers-color-scheme: dark)');
    for (let i = 0; i < 16; i++) {
      expect(light).toContain(`.ansi-fg-${i}{color:${LIGHT.fg[i]}}`);
      expect(light).toContain(`.ansi-bg-${i}{background-color:${LIGHT.bg[i]}}`);
      expect(dark).toContain(`.ansi-fg-${i}{color:${DARK.fg[i]}}`);
      expect(dark).toContain(`.ansi-bg-${i}{background-color:${DARK.bg[i]}}`);
    }
    for (const cls of ['bold', 'dim', 'italic', 'underline']) expect(light).toContain(`.ansi-${cls}{`);
  });

  it('styles every palette colour 16–255 as a class, with the xterm colour values', () => {
    for (let n = 16; n < 256; n++) {
      expect(ANSI_CSS).toMatch(new RegExp(`\\.ansi-fg-256-${n}\\{color:#[0-9a-f]{6}\\}`));
      expect(ANSI_CSS).toMatch(new RegExp(`\\.ansi-bg-256-${n}\\{background-color:#[0-9a-f]{6}\\}`));
    }
    expect(ANSI_CSS).toContain('.ansi-fg-256-196{color:#ff0000}');
    expect(ANSI_CSS).toContain('.ansi-fg-256-244{color:#808080}');
    expect(ANSI_CSS).toContain('.ansi-bg-256-44{background-color:#00d7d7}');
  });
});
