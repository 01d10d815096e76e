import fs from 'node:fs';
import path from 'node:path';

/** A fenced code block of a Markdown file: its info string (`sh`, `text`, ...) and its text. */
export type CodeBlock = { info: string; text: string };

/** The fenced code blocks of a piece of Markdown, in order. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const re = /^```([^\n`]*)\n([\s\S]*?)^```[ \t]*$/gm;
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) blocks.push({ info: m[1].trim(), text: m[2] });
  return blocks;
}

/** The text of the `## heading` section of a Markdown file, up to the next heading of that level. */
export function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`no "## ${heading}" section`);
  const rest = markdown.slice(start + heading.length + 5);
  const end = rest.search(/^## /m);
  return end < 0 ? rest : rest.slice(0, end);
}

/**
 * A step of a shell example: the lines of code up to a blank line or a comment line, and what the
 * example says it prints, written as the `# ` comment lines right under the code (`…` stands for
 * anything). Comment lines after a blank line belong to no code and are left out.
 */
export type ShellStep = { code: string; expected: string | undefined };

/** The steps of a shell example, in order. */
export function shellSteps(script: string): ShellStep[] {
  const steps: ShellStep[] = [];
  let code: string[] = [];
  let expected: string[] = [];
  const flush = () => {
    if (code.length > 0) steps.push({ code: code.join('\n'), expected: expected.length > 0 ? expected.join('\n') : undefined });
    code = [];
    expected = [];
  };
  for (const line of script.split('\n')) {
    if (line.trim() === '') flush();
    else if (/^#( |$)/.test(line)) {
      if (code.length > 0) expected.push(line.replace(/^# ?/, ''));
    } else {
      if (expected.length > 0) flush();
      code.push(line);
    }
  }
  flush();
  return steps;
}

/**
 * True when `actual` is what `expected` shows: the same text, where `…` stands for anything (line
 * breaks included) and a run of white space for any white space.
 */
export function matchesShown(expected: string, actual: string): boolean {
  const toPattern = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+');
  const pattern = expected.trim().split('…').map(toPattern).join('[\\s\\S]*');
  return new RegExp(`^${pattern}$`).test(actual.trim());
}

/** The anchor GitHub gives a heading: lower case, punctuation but `-` and `_` dropped, spaces as hyphens. */
export function headingSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[`*]/g, '')
    .replace(/[^\p{L}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of every heading of a Markdown file (code blocks left out), numbered as GitHub does for repeats. */
export function headingSlugs(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const slugs = new Set<string>();
  for (const line of markdown.replace(/^```[\s\S]*?^```/gm, '').split('\n')) {
    const m = /^#{1,6} (.+)$/.exec(line);
    if (!m) continue;
    const slug = headingSlug(m[1]);
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    slugs.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return slugs;
}

/** The relative links and images of a Markdown file (code left out), as written. */
export function relativeLinks(markdown: string): string[] {
  const text = markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
  const links: string[] = [];
  for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) if (!/^[a-z]+:/i.test(m[1])) links.push(m[1]);
  return links;
}

/** Why a relative link of `file` does not resolve (no such file, or no such heading), or undefined when it does. */
export function brokenLink(file: string, link: string): string | undefined {
  const [target, anchor] = link.split('#') as [string, string | undefined];
  const resolved = target === '' ? file : path.resolve(path.dirname(file), target);
  if (!fs.existsSync(resolved)) return `${link}: no file ${resolved}`;
  if (anchor === undefined) return undefined;
  if (!resolved.endsWith('.md')) return `${link}: an anchor into a file that is not Markdown`;
  return headingSlugs(fs.readFileSync(resolved, 'utf8')).has(anchor) ? undefined : `${link}: no heading #${anchor} in ${resolved}`;
}
