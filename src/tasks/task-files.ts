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

/** The scripts in `dir`, read afresh each call so files added or removed by hand show up at once. */
export async function listTaskFiles(dir: string): Promise<TaskFile[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const byId = new Map<string, TaskFile>();
  const names = entries.filter((e) => e.isFile() || e.isSymbolicLink()).map((e) => e.name).sort();
  for (const name of names) {
    const id = idOf(name);
    if (!isTaskId(id) || byId.has(id)) continue;
    const language = languageOf(name);
    if (language === 'exec' && !(await isExecutable(path.join(dir, name)))) continue;
    byId.set(id, { id, file: name, language });
  }
  return [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
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
  return (await listTaskFiles(dir)).find((t) => t.id === id);
}

/** Reads a script's text. */
export async function readTaskContent(dir: string, task: TaskFile): Promise<string> {
  return fs.readFile(path.join(dir, task.file), 'utf8');
}

/** Creates a new script file; fails with EEXIST when that file name is taken. */
export async function createTaskFile(dir: string, id: string, language: CreatableLanguage, content: string): Promise<TaskFile> {
  const file = id + extensionFor(language);
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, file), content, { flag: 'wx', mode: 0o755 });
  return { id, file, language };
}

/** Replaces a script's text atomically, so a runner never reads half a file. */
export async function writeTaskContent(dir: string, task: TaskFile, content: string): Promise<void> {
  const target = path.join(dir, task.file);
  const tmp = path.join(dir, `.${task.id}.${crypto.randomBytes(6).toString('hex')}.tmp`);
  const mode = await fs.stat(target).then((s) => s.mode & 0o777, () => 0o755);
  await fs.writeFile(tmp, content, { mode });
  await fs.rename(tmp, target);
}

/** Removes a script file; a file already gone is not an error. */
export async function deleteTaskFile(dir: string, task: TaskFile): Promise<void> {
  await fs.rm(path.join(dir, task.file), { force: true });
}
