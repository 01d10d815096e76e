import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ansiToHtml, createAnsiRenderer } from './ansi';

const ESC = '\x1b';
const OUR_TAG = /<span class="[a-z0-9 -]+">|<\/span>/g;

// The text a reader sees, paired with the opening tag it is shown in, one entry per character.
function styledChars(html: string): string[] {
  const out: string[] = [];
  let tag = '';
  for (const [token] of html.matchAll(/<span[^>]*>|<\/span>|&(?:amp|lt|gt|quot|#39);|[^<&]/g)) {
    if (token.startsWith('<span')) tag = token;
    else if (token === '</span>') tag = '';
    else out.push(tag + token);
  }
  return out;
}

describe('ansiToHtml', () => {
  it('colours text with the 16-colour classes and bold', () => {
    expect(ansiToHtml(`${ESC}[31mred${ESC}[0m ok`)).toBe('<span class="ansi-fg-1">red</span> ok');
    expect(ansiToHtml(`${ESC}[1;92;44mX`)).toBe('<span class="ansi-bold ansi-fg-10 ansi-bg-4">X</span>');
    expect(ansiToHtml(`${ESC}[2;3;4;107mX`)).toBe('<span class="ansi-dim ansi-italic ansi-underline ansi-bg-15">X</span>');
  });

  it('combines, partly resets and fully resets attributes', () => {
    const html = ansiToHtml(`${ESC}[1mB${ESC}[32mG${ESC}[22mg${ESC}[39md${ESC}[4mu${ESC}[mp`);
    expect(html).toBe(
      '<span class="ansi-bold">B</span><span class="ansi-bold ansi-fg-2">G</span>' +
        '<span class="ansi-fg-2">g</span>d<span class="ansi-underline">u</span>p',
    );
    expect(ansiToHtml(`${ESC}[41mx${ESC}[49my`)).toBe('<span class="ansi-bg-1">x</span>y');
  });

  it('does not reopen a span when a sequence changes nothing', () => {
    expect(ansiToHtml(`${ESC}[31ma${ESC}[31mb`)).toBe('<span class="ansi-fg-1">ab</span>');
  });

  it('renders 256-colour as palette classes and truecolor as the nearest palette class, never inline styles', () => {
    expect(ansiToHtml(`${ESC}[38;5;196mx`)).toBe('<span class="ansi-fg-256-196">x</span>');
    expect(ansiToHtml(`${ESC}[38;5;244mx`)).toBe('<span class="ansi-fg-256-244">x</span>');
    expect(ansiToHtml(`${ESC}[38;5;9mx`)).toBe('<span class="ansi-fg-9">x</span>');
    expect(ansiToHtml(`${ESC}[48;2;255;128;0;1mx`)).toBe('<span class="ansi-bold ansi-bg-256-208">x</span>');
    expect(ansiToHtml(`${ESC}[38;2;255;0;0mx`)).toBe('<span class="ansi-fg-256-196">x</span>');
    expect(ansiToHtml(`${ESC}[38;2;128;128;128mx`)).toBe('<span class="ansi-fg-256-244">x</span>');
    expect(ansiToHtml(`${ESC}[38;2;0;0;0mx${ESC}[38;2;255;255;255my`)).toBe(
      '<span class="ansi-fg-256-16">x</span><span class="ansi-fg-256-231">y</span>',
    );
  });

  it('drops cursor movement, erase-line, OSC titles and carriage returns', () => {
    expect(ansiToHtml(`a${ESC}[2K${ESC}[1A${ESC}[?25lb${ESC}]0;title${ESC}\\c${ESC}]2;t\x07d`)).toBe('abcd');
    expect(ansiToHtml(`one\r\ntwo\rthree${ESC}(Bfour`)).toBe('one\ntwothreefour');
  });

  it('escapes markup in log lines so it stays inert text', () => {
    expect(ansiToHtml('<script>alert("x")</script>')).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(ansiToHtml(`${ESC}[31m"><img src=x onerror=alert(1)>'&`)).toBe(
      '<span class="ansi-fg-1">&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&#39;&amp;</span>',
    );
  });

  it('survives malformed, unterminated and oversized sequences', () => {
    expect(ansiToHtml(`${ESC}[99999999999999999999999mx${ESC}[38;5;99999mx${ESC}[38;2;1;2mx`)).toBe('xxx');
    expect(ansiToHtml(`${ESC}[38;9;1mx${ESC}[1:2mx${ESC}[31`)).toBe('xx');
    expect(ansiToHtml(`${ESC}[31\nnext`)).toBe('\nnext');
    expect(ansiToHtml(`${ESC}[${'1;'.repeat(100)}mtail`)).toContain('tail');
    expect(ansiToHtml(`${ESC}]0;never ends\nlog goes on`)).toBe('\nlog goes on');
  });

  it('reads a CSI body of up to 64 bytes as a sequence and a longer one as text, however it is cut', () => {
    const body = `${'0;'.repeat(31)}31`; // 64 bytes
    const long = `${ESC}[1${body}mx`;
    expect(ansiToHtml(`${ESC}[${body}mx`)).toBe('<span class="ansi-fg-1">x</span>');
    expect(ansiToHtml(long)).toBe('mx');
    for (let cut = 0; cut <= long.length; cut++) {
      const r = createAnsiRenderer();
      expect(r.render(long.slice(0, cut)) + r.render(long.slice(cut))).toBe('mx');
    }
  });
});

describe('createAnsiRenderer', () => {
  it('keeps colours across chunks, closing and reopening spans', () => {
    const r = createAnsiRenderer();
    expect(r.render(`${ESC}[33mwarn\n`)).toBe('<span class="ansi-fg-3">warn\n</span>');
    expect(r.render('still')).toBe('<span class="ansi-fg-3">still</span>');
    expect(r.render(`${ESC}[0m plain`)).toBe(' plain');
  });

  it('joins a sequence split across chunks', () => {
    const r = createAnsiRenderer();
    expect(r.render(`a${ESC}`)).toBe('a');
    expect(r.render('[38;5')).toBe('');
    expect(r.render(';44mb')).toBe('<span class="ansi-fg-256-44">b</span>');
    expect(r.render(`${ESC}]0;ti`)).toBe('');
    expect(r.render(`tle${ESC}`)).toBe('');
    expect(r.render('\\c')).toBe('<span class="ansi-fg-256-44">c</span>');
  });
});

describe('safety and chunking properties', () => {
  const fragment = fc.oneof(
    fc.constantFrom(ESC, '[', ']', 'm', ';', '38', '48', '5', '2', '255', '\x07', '\\', '\r', '\n', '\x9b'),
    fc.constantFrom('<', '>', '"', "'", '&', '<script>', '<img src=x onerror=alert(1)>', '</span>', '<span'),
    fc.string({ unit: 'binary', maxLength: 8 }),
  );
  const terminalText = fc.array(fragment, { maxLength: 40 }).map((parts) => parts.join(''));

  it('never emits a < that is not one of our own span tags', () => {
    fc.assert(
      fc.property(terminalText, (text) => {
        const rest = ansiToHtml(text).replace(OUR_TAG, '');
        expect(rest).not.toMatch(/[<>"]/);
      }),
      { numRuns: 2000 },
    );
  });

  it('shows the same styled text however the stream is cut into chunks', () => {
    fc.assert(
      fc.property(terminalText, fc.array(fc.nat(), { maxLength: 6 }), (text, cuts) => {
        const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        const r = createAnsiRenderer();
        let html = '';
        let from = 0;
        for (const to of [...points, text.length]) {
          const part = r.render(text.slice(from, to));
          expect(part.match(/<span/g)?.length ?? 0).toBe(part.match(/<\/span>/g)?.length ?? 0);
          html += part;
          from = to;
        }
        expect(styledChars(html)).toEqual(styledChars(ansiToHtml(text)));
      }),
      { numRuns: 1000 },
    );
  });
});
