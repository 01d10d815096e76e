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

type Listener = { file: string; accepted: ((s: net.Socket) => void)[] };
type Pair = { reader: net.Socket; childEnd: net.Socket; bind: (sink: OutputSink) => void };

const DIR_PREFIX = 'taskrun-output-';
const SOCKET = 'output.sock';
// A local connection takes well under a millisecond; one that takes this long is not coming.
const CONNECT_WAIT_MS = 5000;
// Every read lands in one buffer of this size, reused for the next read and by the next run: reading
// a child's output allocates nothing (Node gives a child's own stdio pipes a fresh 64 KiB buffer per
// read, which a runner moving a GiB then frees by dozens of full collections).
const READ_BUFFER_BYTES = 256 * 1024;

/**
 * The output channels of a runner's runs: one Unix socket server per process (made on first use, in a
 * folder only this user can enter, removed when the process exits), and a connected pair made ahead,
 * so a claimed run starts without waiting for a connection. Pairs are matched by the order of
 * connections, unauthenticated: only this user can reach the socket, and runs are never this user
 * (they have uids of their own, or a sandbox without this folder).
 */
export class OutputSockets {
  private listening: Promise<Listener> | undefined;
  private spare: Promise<Pair> | undefined;
  private readonly readBuffers = new BufferPool(READ_BUFFER_BYTES);

  /**
   * A connected pair of Unix stream sockets for one run's output, as Node would make for a child's
   * stdout, except that our end reads into a reused buffer (`net.connect`'s `onread`). The child gets
   * the other end as both stdout and stderr, so their bytes arrive in the order written.
   */
  async open(): Promise<OutputChannel> {
    const ready = this.spare ?? this.connectPair();
    const next = this.connectPair();
    this.spare = next;
    next.catch(() => {
      if (this.spare === next) this.spare = undefined;
    });
    let pair = await withTimeout(ready, CONNECT_WAIT_MS, 'timed out').catch(() => undefined);
    // A spare that failed, was closed meanwhile or never completed is replaced by a fresh pair, whose
    // failure is the run's: a run fails rather than the runner waiting on a connection forever.
    if (!pair || pair.reader.destroyed || pair.childEnd.destroyed) {
      if (pair) for (const s of [pair.reader, pair.childEnd]) s.destroy();
      // A spare that completes after all is not used: closed when it comes (its failure was the run's above).
      else
        void ready.then(
          (late) => {
            late.reader.destroy();
            late.childEnd.destroy();
          },
          () => undefined, // a pair that never connected holds nothing to close
        );
      pair = await withTimeout(this.connectPair(), CONNECT_WAIT_MS, 'connecting the output socket timed out');
    }
    const { reader } = pair;
    return { childEnd: pair.childEnd, bind: pair.bind, cut: () => reader.destroy() };
  }

  private listener(): Promise<Listener> {
    if (this.listening) return this.listening;
    const listening = listen();
    this.listening = listening;
    // A failure is not remembered: the next run tries again.
    listening.catch(() => {
      if (this.listening === listening) this.listening = undefined;
    });
    return listening;
  }

  private async connectPair(): Promise<Pair> {
    const { file, accepted } = await this.listener();
    let take: (s: net.Socket) => void = () => undefined;
    const childEnd = new Promise<net.Socket>((resolve) => {
      take = resolve;
      accepted.push(resolve);
    });
    const buffer = this.readBuffers.take();
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
    reader.on('error', () => undefined); // 'close' follows, and ends the output
    // A channel may close before a sink is bound (a shell started ahead that died): the sink learns it then.
    let closed = false;
    reader.once('close', () => {
      closed = true;
      this.readBuffers.give(buffer);
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
}

// The server, in a fresh folder of this user's; connections are accepted in the order they were made,
// each going to the oldest waiting pair.
function listen(): Promise<Listener> {
  return new Promise<Listener>((resolve, reject) => {
    const base = baseDir();
    try {
      removeLeftovers(base);
    } catch {
      // best effort: an unreadable temp folder is no reason not to run
    }
    const dir = fs.mkdtempSync(path.join(base, `${DIR_PREFIX}${process.pid}-`));
    const file = path.join(dir, SOCKET);
    const accepted: ((s: net.Socket) => void)[] = [];
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
      resolve({ file, accepted });
    });
  });
}

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
