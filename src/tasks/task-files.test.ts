import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTaskFile, findTaskFile, listTaskFiles, writeTaskContent } from './task-files';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'taskrun-task-files-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
const folder = () => fs.mkdtempSync(path.join(root, `${++n}-`));
const settle = () => new Promise((r) => setTimeout(r, 150)); // past the racy window: the listing is then reused

describe('task files (listings reused while the folder is unchanged)', () => {
  it('sees a file added or removed right after a listing, many times over', async () => {
    const dir = folder();
    for (let i = 0; i < 100; i++) {
      expect(await findTaskFile(dir, `t${i}`)).toBeUndefined();
      fs.writeFileSync(path.join(dir, `t${i}.sh`), 'true\n');
      expect(await findTaskFile(dir, `t${i}`)).toEqual({ id: `t${i}`, file: `t${i}.sh`, language: 'sh' });
      fs.rmSync(path.join(dir, `t${i}.sh`));
      expect(await findTaskFile(dir, `t${i}`)).toBeUndefined();
    }
  });

  it('reuses the listing of a folder left alone, and still sees the next change', async () => {
    const dir = folder();
    fs.writeFileSync(path.join(dir, 'a.sh'), 'true\n');
    fs.writeFileSync(path.join(dir, 'b.py'), 'pass\n');
    await settle();
    expect((await listTaskFiles(dir)).map((t) => t.file)).toEqual(['a.sh', 'b.py']);
    expect((await listTaskFiles(dir)).map((t) => t.file)).toEqual(['a.sh', 'b.py']);
    fs.renameSync(path.join(dir, 'b.py'), path.join(dir, 'c.py'));
    expect((await listTaskFiles(dir)).map((t) => t.file)).toEqual(['a.sh', 'c.py']);
    expect(await findTaskFile(dir, 'b')).toBeUndefined();
  });

  it('trusts the listing of a settled folder until its mtime moves (what makes the listing reusable)', async () => {
    const dir = folder();
    fs.writeFileSync(path.join(dir, 'a.sh'), 'true\n');
    const past = new Date('2026-01-01T00:00:00Z'); // a whole second: set back exactly below
    fs.utimesSync(dir, past, past);
    expect((await listTaskFiles(dir)).map((t) => t.id)).toEqual(['a']);
    // A file slipped in with the folder's mtime put back is not seen: the listing was not read again.
    fs.writeFileSync(path.join(dir, 'b.sh'), 'true\n');
    fs.utimesSync(dir, past, past);
    expect((await listTaskFiles(dir)).map((t) => t.id)).toEqual(['a']);
    // Any real change moves the mtime, and the folder is read again.
    fs.writeFileSync(path.join(dir, 'c.sh'), 'true\n');
    expect((await listTaskFiles(dir)).map((t) => t.id)).toEqual(['a', 'b', 'c']);
  });

  it('reads the executable bit afresh: chmod changes a folder listing does not see', async () => {
    const dir = folder();
    const file = path.join(dir, 'tool.rb');
    fs.writeFileSync(file, '#!/usr/bin/env ruby\n', { mode: 0o644 });
    await settle();
    expect(await findTaskFile(dir, 'tool')).toBeUndefined();
    fs.chmodSync(file, 0o755);
    expect(await findTaskFile(dir, 'tool')).toEqual({ id: 'tool', file: 'tool.rb', language: 'exec' });
    expect((await listTaskFiles(dir)).map((t) => t.id)).toEqual(['tool']);
  });

  it('picks the first runnable name of an id, and lists nothing for a missing folder', async () => {
    const dir = folder();
    fs.writeFileSync(path.join(dir, 'job.a'), 'not runnable\n', { mode: 0o644 });
    fs.writeFileSync(path.join(dir, 'job.sh'), 'true\n');
    expect(await findTaskFile(dir, 'job')).toEqual({ id: 'job', file: 'job.sh', language: 'sh' });
    expect(await listTaskFiles(path.join(dir, 'missing'))).toEqual([]);
    expect(await findTaskFile(path.join(dir, 'missing'), 'job')).toBeUndefined();
  });
});

describe("task files' modes (runs execute them as other uids)", () => {
  const withUmask = async <T>(mask: number, body: () => Promise<T>): Promise<T> => {
    const before = process.umask(mask);
    try {
      return await body();
    } finally {
      process.umask(before);
    }
  };
  const mode = (file: string) => (fs.statSync(file).mode & 0o7777).toString(8); // octal, as chmod spells it

  it('creates scripts 0755 whatever the umask: readable by the run users, writable by no one else', async () => {
    const dir = folder();
    await withUmask(0, () => createTaskFile(dir, 'open', 'sh', 'true\n'));
    await withUmask(0o077, () => createTaskFile(dir, 'closed', 'py', 'pass\n'));
    expect([mode(path.join(dir, 'open.sh')), mode(path.join(dir, 'closed.py'))]).toEqual(['755', '755']);
  });

  it("keeps a saved script's mode, but never its group or other write bits, nor set-id bits", async () => {
    const dir = folder();
    const cases = { shared: 0o666, tool: 0o777, setuid: 0o4755, plain: 0o644, private: 0o600 };
    for (const [id, m] of Object.entries(cases)) {
      fs.writeFileSync(path.join(dir, `${id}.sh`), 'true\n');
      fs.chmodSync(path.join(dir, `${id}.sh`), m);
    }
    await withUmask(0, async () => {
      for (const id of Object.keys(cases)) await writeTaskContent(dir, (await findTaskFile(dir, id))!, 'echo saved\n');
    });
    const modes = Object.fromEntries(Object.keys(cases).map((id) => [id, mode(path.join(dir, `${id}.sh`))]));
    expect(modes).toEqual({ shared: '644', tool: '755', setuid: '755', plain: '644', private: '600' });
    expect(fs.readFileSync(path.join(dir, 'shared.sh'), 'utf8')).toBe('echo saved\n');
  });
});
