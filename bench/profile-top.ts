import fs from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// `node --import tsx bench/profile-top.ts FILE.cpuprofile [N]`: where a V8 CPU profile (from
// `npm run bench -- --cpu-prof`) spent its time, by function and by file, self time only.
type CallFrame = { functionName: string; url: string; lineNumber: number; columnNumber?: number };
type Node = { id: number; callFrame: CallFrame; children?: number[] };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };

const [file, top = '25'] = process.argv.slice(2);
if (!file) {
  console.error('usage: node --import tsx bench/profile-top.ts FILE.cpuprofile [N]');
  process.exit(2);
}
const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
// The product runs from the dist/ bundle: a frame there is mapped back to its source file and line
// through the bundle's source map (dist/X.js.map), so that files and packages are told apart.
const maps = new Map<string, { map: SourceMap; dir: string } | null>();
function original(frame: CallFrame): CallFrame {
  if (!frame.url.startsWith('file://') || !frame.url.endsWith('.js')) return frame;
  if (!maps.has(frame.url)) {
    const mapFile = `${fileURLToPath(frame.url)}.map`;
    maps.set(
      frame.url,
      fs.existsSync(mapFile) ? { map: new SourceMap(JSON.parse(fs.readFileSync(mapFile, 'utf8'))), dir: path.dirname(mapFile) } : null,
    );
  }
  const m = maps.get(frame.url);
  const entry = m?.map.findEntry(frame.lineNumber, frame.columnNumber ?? 0);
  if (!m || !entry || !('originalSource' in entry)) return frame;
  const url = entry.originalSource.startsWith('file://')
    ? entry.originalSource
    : pathToFileURL(path.resolve(m.dir, entry.originalSource)).href;
  return { ...frame, url, lineNumber: entry.originalLine };
}
for (const n of prof.nodes) n.callFrame = original(n.callFrame);
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
prof.samples.forEach((id, i) => {
  selfUs.set(id, (selfUs.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
});
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

const shortUrl = (url: string) => {
  const i = url.indexOf('node_modules/');
  if (i >= 0) return url.slice(i + 13);
  const s = url.indexOf('/src/');
  return s >= 0 ? url.slice(s + 1) : path.basename(url) || '(native)';
};
const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
const byFn = new Map<string, number>();
const byFile = new Map<string, number>();
for (const [id, us] of selfUs) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  add(byFn, `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}`, us);
  add(
    byFile,
    url.includes('node_modules/')
      ? shortUrl(url)
          .split('/')
          .slice(0, url.includes('node_modules/@') ? 2 : 1)
          .join('/')
      : shortUrl(url),
    us,
  );
}
const print = (title: string, m: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) {
    console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
  }
};
// Inclusive time of taskrun's own functions (src/): a function's samples plus its callees', counted
// once per sample even when it recurses.
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const inclusive = new Map<string, number>();
for (const [id, us] of selfUs) {
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const { functionName, url, lineNumber } = byId.get(cur)!.callFrame;
    if (!url.includes('/src/') || url.includes('node_modules/')) continue;
    const key = `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}`;
    if (!seen.has(key)) add(inclusive, key, us);
    seen.add(key);
  }
}
console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled`);
print('self time by function', byFn);
print('self time by file or package', byFile);
print("inclusive time of taskrun's own functions", inclusive);
