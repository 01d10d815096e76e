import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { processAlive } from '../proc-stat';
import { withTimeout } from '../timing';
import { BufferPool } from './buffer-pool';

/** Where a run's output goes as it arrives: each chunk is usable only during the call. */
export type OutputSink = {
  /** Takes a chunk; false when it can take no more until `whenRoom` calls back. */
  push: (chunk: Buffer) => boolean;
  whenRoom: (fn: () => void) => void;
  /** The output has ended (every copy of the child's end is closed), or was cut. */
  end: () => void;
};

/**
 * A run's output channel: `childEnd` becomes the child's stdout and stderr; what arrives goes to the
 * sink given to `bind` (a launcher started ahead of its run gets its channel before the run has a
 * log); `cut` stops reading.
 */
export type OutputChannel = { childEnd: net.Socket; bind: (sink: OutputSink) => void; cut: () => void };

// Every read lands in one buffer of this size, reused for the next read and, after the run, by the
// next run: reading a child's output allocates nothing. (Node gives a child's own stdio pipes a fresh
// buffer per read; in a runner moving a GiB, V8 then ran dozens of full collections per GiB to free
// them, and read 64 KiB at a time.)
const readBuffers = new BufferPool(256 * 1024);

type Listener = { server: net.Server; file: string; accepted: ((s: net.Socket) => void)[] };
let listening: Promise<Listener> | undefined;

const DIR_PREFIX = 'taskrun-output-';
const SOCKET = 'output.sock';

// As root, under /run/taskrun (root's only): in the shared temp folder a run could plant a folder of
// that name for root to clear. Otherwise the temp folder, in a folder of this user's own.
function baseDir(): string {
  if (process.getuid?.() !== 0) return os.tmpdir();
  fs.mkdirSync('/run/taskrun', { recursive: true, mode: 0o700 });
  return '/run/taskrun';
}

// Removes a socket folder: its one socket, then the folder (never a tree: nothing else belongs there).
function removeDir(dir: string): void {
  fs.rmSync(path.join(dir, SOCKET), { force: true });
  fs.rmdirSync(dir);
}

// Folders left by runners that were killed (a clean exit removes its own): named after their pid, and
// this user's own.
function removeLeftovers(base: string): void {
  for (const name of fs.readdirSync(base)) {
    const pid = Number(new RegExp(`^${DIR_PREFIX}(\\d+)-`).exec(name)?.[1]);
    if (!pid || pid === process.pid || processAlive(pid)) continue;
    const dir = path.join(base, name);
    const st = fs.lstatSync(dir);
    if (st.isDirectory() && st.uid === process.getuid?.()) removeDir(dir);
  }
}

// One Unix socket per process, in a folder only this user can enter; removed when the process exits.
// Pairs are matched by the order of connections, unauthenticated: only this user can reach the socket,
// and runs are never this user (they have uids of their own, or a sandbox without this folder).
function listener(): Promise<Listener> {
  if (listening) return listening;
  listening = new Promise<Listener>((resolve, reject) => {
    const base = baseDir();
    try {
      removeLeftovers(base);
    } catch {
      // best effort: an unreadable temp folder is no reason not to run
    }
    const dir = fs.mkdtempSync(path.join(base, `${DIR_PREFIX}${process.pid}-`));
    const file = path.join(dir, SOCKET);
    const accepted: ((s: net.Socket) => void)[] = [];
    // Connections are accepted in the order they were made: each goes to the oldest waiting run.
    const server = net.createServer({ pauseOnConnect: true }, (s) => {
      const take = accepted.shift();
      if (take) take(s);
      else s.destroy();
    });
    server.once('error', reject);
    server.listen(file, () => {
      server.unref(); // it must not keep a process alive that is otherwise done
      process.once('exit', () => {
        try {
          removeDir(dir);
        } catch {
          // gone already
        }
      });
      resolve({ server, file, accepted });
    });
  });
  // A failure is not remembered: the next run tries again.
  listening.catch(() => (listening = undefined));
  return listening;
}

type Pair = { reader: net.Socket; childEnd: net.Socket; bind: (sink: OutputSink) => void };

// A connected pair made before it is needed: a claimed run starts without waiting for a connection.
let spare: Promise<Pair> | undefined;
// A local connection takes well under a millisecond; one that takes this long is not coming.
const CONNECT_WAIT_MS = 5000;

async function connectPair(): Promise<Pair> {
  const { file, accepted } = await listener();
  let take: (s: net.Socket) => void = () => {};
  const childEnd = new Promise<net.Socket>((resolve) => accepted.push((take = resolve)));
  const buffer = readBuffers.take();
  let sink: OutputSink | undefined;
  const reader: net.Socket = net.connect({
    path: file,
    onread: {
      buffer,
      callback: (bytes: number, buf: Uint8Array) => {
        if (!sink || sink.push((buf as Buffer).subarray(0, bytes))) return true;
        sink.whenRoom(() => reader.resume());
        return false;
      },
    },
  });
  reader.on('error', () => {}); // 'close' follows, and ends the output
  // A channel may close before a sink is bound (a shell started ahead that died): the sink learns it then.
  let closed = false;
  reader.once('close', () => {
    closed = true;
    readBuffers.give(buffer);
    sink?.end();
  });
  await new Promise<void>((resolve, reject) => {
    reader.once('connect', resolve);
    reader.once('error', (err) => {
      // Never connected, so nothing will be accepted for it: the next pair must not get its turn.
      accepted.splice(accepted.indexOf(take), 1);
      reject(err);
    });
  });
  const end = await childEnd;
  // A spare must not keep a process alive that is otherwise done; a run's child process does.
  reader.unref();
  end.unref();
  return {
    reader,
    childEnd: end,
    bind: (s) => {
      sink = s;
      if (closed) s.end();
    },
  };
}

/**
 * A connected pair of Unix stream sockets for one run's output, as Node would make for a child's
 * stdout, except that our end reads into a reused buffer (`net.connect`'s `onread`). The child gets
 * the other end as both stdout and stderr, so their bytes arrive in the order written.
 */
export async function openOutputChannel(): Promise<OutputChannel> {
  const ready = spare ?? connectPair();
  const next = connectPair();
  spare = next;
  next.catch(() => {
    if (spare === next) spare = undefined;
  });
  let pair = await withTimeout(ready, CONNECT_WAIT_MS, 'timed out').catch(() => undefined);
  // A spare that failed, was closed meanwhile or never completed is replaced by a fresh pair, whose
  // failure is the run's: a run fails rather than the runner waiting on a connection forever.
  if (!pair || pair.reader.destroyed || pair.childEnd.destroyed) {
    if (pair) for (const s of [pair.reader, pair.childEnd]) s.destroy();
    // A spare that completes after all is not used: closed when it comes.
    else void ready.then((late) => [late.reader, late.childEnd].forEach((s) => s.destroy()), () => {});
    pair = await withTimeout(connectPair(), CONNECT_WAIT_MS, 'connecting the output socket timed out');
  }
  const { reader } = pair;
  return { childEnd: pair.childEnd, bind: pair.bind, cut: () => reader.destroy() };
}
