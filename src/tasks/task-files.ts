import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { extensionFor, languageOf, type CreatableLanguage, type Language } from './languages';
import { isTaskId } from './task-id';

export type TaskFile = { id: string; file: string; language: Language };

// Every path is TASKS_DIR joined with a name read from the folder or built from a validated id.

function idOf(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? fileName.slice(0, dot) : fileName;
}

// The file names of a folder, listed again only when the folder changed: adding, removing or renaming
// a file updates its mtime. A listing is trusted only when it was taken well after that mtime, since
// on some file systems the mtime moves in clock ticks: a change later in the same tick as a listing
// would leave it equal (git's "racy clean" problem, solved the same way; Linux 6.13+ gives ext4 and
// others fine-grained stamps after a stat, which avoids it). Executable bits are read afresh.
const RACY_NS = 100_000_000n; // 100 ms, far above any file system's timestamp granularity
type Listing = { mtimeNs: bigint; takenNs: bigint; byId: Map<string, string[]>; ids: string[] };
const listings = new Map<string, Listing>();

// A missing folder is an empty one.
async function unlessMissing<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function listing(dir: string): Promise<Listing | undefined> {
  const st = await unlessMissing(fs.stat(dir, { bigint: true }));
  if (!st) return undefined;
  const cached = listings.get(dir);
  if (cached && cached.mtimeNs === st.mtimeNs && cached.takenNs - st.mtimeNs > RACY_NS) return cached;
  const takenNs = BigInt(Date.now()) * 1_000_000n; // before the read: what it shows is at least this new
  const entries = await unlessMissing(fs.readdir(dir, { withFileTypes: true }));
  if (!entries) return undefined;
  const byId = new Map<string, string[]>();
  const links = entries.filter((e) => e.isSymbolicLink()).map((e) => e.name);
  const staying = new Set(await Promise.all(links.map(async (n) => ((await linkStaysInside(dir, n)) ? n : ''))));
  const files = entries.filter((e) => e.isFile() || (e.isSymbolicLink() && staying.has(e.name))).map((e) => e.name);
  for (const name of files.sort()) {
    const id = idOf(name);
    if (!isTaskId(id)) continue;
    const names = byId.get(id);
    if (names) names.push(name);
    else byId.set(id, [name]);
  }
  // Sorted once per listing: the task list asks for them on every render.
  const ids = [...byId.keys()].sort((a, b) => a.localeCompare(b));
  const fresh = { mtimeNs: st.mtimeNs, takenNs, byId, ids };
  listings.set(dir, fresh);
  return fresh;
}

// A link is a task only while it leads to a file inside TASKS_DIR: one pointing at DATA_DIR/pg-password
// would otherwise show the database's password to everyone who may read scripts.
async function linkStaysInside(dir: string, name: string): Promise<boolean> {
  try {
    const [root, target] = await Promise.all([fs.realpath(dir), fs.realpath(path.join(dir, name))]);
    return target.startsWith(root + path.sep) && (await fs.stat(target)).isFile();
  } catch {
    return false; // dangling, or a loop
  }
}

/** The script's path, or undefined when it is a link that leads out of `dir` (looked at now, not as listed). */
export async function scriptPath(dir: string, task: TaskFile): Promise<string | undefined> {
  const file = path.join(dir, task.file);
  const st = await fs.lstat(file).catch(() => undefined);
  if (!st) return undefined;
  return !st.isSymbolicLink() || (await linkStaysInside(dir, task.file)) ? file : undefined;
}

// The script of `id` among its candidate names (sorted): the first that is runnable as its language.
async function pick(dir: string, id: string, names: string[]): Promise<TaskFile | undefined> {
  for (const name of names) {
    const language = languageOf(name);
    if (language === 'exec' && !(await isExecutable(path.join(dir, name)))) continue;
    return { id, file: name, language };
  }
  return undefined;
}

/** The scripts in `dir`, as they are now: files added or removed by hand show up at once. */
export async function listTaskFiles(dir: string): Promise<TaskFile[]> {
  const found = await listing(dir);
  if (!found) return [];
  const files = await Promise.all(found.ids.map((id) => pick(dir, id, found.byId.get(id)!)));
  return files.filter((f): f is TaskFile => f !== undefined);
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    const st = await fs.stat(file);
    return st.isFile() && (st.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** The script of task `id`, or undefined when there is none. */
export async function findTaskFile(dir: string, id: string): Promise<TaskFile | undefined> {
  if (!isTaskId(id)) return undefined;
  const names = (await listing(dir))?.byId.get(id);
  return names ? pick(dir, id, names) : undefined;
}

/** Reads a script's text; a link that leads out of TASKS_DIR reads as missing. */
export async function readTaskContent(dir: string, task: TaskFile): Promise<string> {
  const file = await scriptPath(dir, task);
  if (!file) throw Object.assign(new Error(`${task.file} leads out of TASKS_DIR`), { code: 'ENOENT' });
  return fs.readFile(file, 'utf8');
}

/** Creates a new script file; fails with EEXIST when that file name is taken. */
export async function createTaskFile(dir: string, id: string, language: CreatableLanguage, content: string): Promise<TaskFile> {
  const file = id + extensionFor(language);
  await fs.mkdir(dir, { recursive: true });
  await writeScript(path.join(dir, file), content, 0o755);
  return { id, file, language };
}

/** Replaces a script's text atomically, so a runner never reads half a file. */
export async function writeTaskContent(dir: string, task: TaskFile, content: string): Promise<void> {
  const target = path.join(dir, task.file);
  const tmp = path.join(dir, `.${task.id}.${crypto.randomBytes(6).toString('hex')}.tmp`);
  const mode = await fs.stat(target).then(
    (s) => s.mode & 0o755,
    () => 0o755,
  );
  await writeScript(tmp, content, mode);
  await fs.rename(tmp, target);
}

// Runs execute scripts as uids of their own: a script others may write could be changed by any run, and
// the task's next run would do what that run wrote, with the task's secrets. So a script's mode is set
// here, whatever the umask: never group- or other-writable, no set-id bits, and readable by the run
// users unless its owner closed it on purpose.
async function writeScript(file: string, content: string, mode: number): Promise<void> {
  const handle = await fs.open(file, 'wx', mode);
  try {
    await handle.chmod(mode);
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
}

/** Removes a script file; a file already gone is not an error. */
export async function deleteTaskFile(dir: string, task: TaskFile): Promise<void> {
  await fs.rm(path.join(dir, task.file), { force: true });
}
