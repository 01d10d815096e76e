import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { OutputSockets, type OutputSink } from './output-socket';

// Collects what arrives, copying each chunk (the channel reuses its read buffer).
function collector(): OutputSink & { text: () => string; ended: Promise<void> } {
  const chunks: Buffer[] = [];
  let end: () => void = () => undefined;
  const ended = new Promise<void>((r) => (end = r));
  return { push: (c) => chunks.push(Buffer.from(c)) > 0, whenRoom: (fn) => fn(), end, ended, text: () => Buffer.concat(chunks).toString() };
}

const spawnWith = (script: string, childEnd: import('node:net').Socket) =>
  execa('bash', ['-c', script], {
    stdin: 'ignore',
    stdout: childEnd,
    stderr: childEnd,
    detached: true,
    buffer: false,
    reject: false,
    cleanup: false,
  });

const sockets = new OutputSockets();

describe('OutputSockets', () => {
  it('gives a child one socket for stdout and stderr: their bytes arrive whole and in the order written', async () => {
    const sink = collector();
    const channel = await sockets.open();
    channel.bind(sink);
    const child = spawnWith('echo one; echo two >&2; head -c 600000 /dev/zero | tr "\\0" x; printf "\\nthree"', channel.childEnd);
    channel.childEnd.destroy();
    await sink.ended;
    expect((await child).exitCode).toBe(0);
    expect(sink.text()).toBe(`one\ntwo\n${'x'.repeat(600_000)}\nthree`);
  });

  it('serves runs opened at once, each with its own output', async () => {
    const sinks = Array.from({ length: 5 }, collector);
    const channels = await Promise.all(
      sinks.map(async (s) => {
        const c = await sockets.open();
        c.bind(s);
        return c;
      }),
    );
    const children = channels.map((c, i) => spawnWith(`echo run ${i}`, c.childEnd));
    for (const c of channels) c.childEnd.destroy();
    await Promise.all([...children, ...sinks.map((s) => s.ended)]);
    expect(sinks.map((s) => s.text())).toEqual([0, 1, 2, 3, 4].map((i) => `run ${i}\n`));
  });

  it('ends when cut, though a process still holds the socket', async () => {
    const sink = collector();
    const channel = await sockets.open();
    channel.bind(sink);
    const child = spawnWith('echo before; exec sleep 30', channel.childEnd);
    channel.childEnd.destroy();
    for (let i = 0; i < 500 && sink.text() === ''; i++) await new Promise((r) => setTimeout(r, 10));
    channel.cut();
    await sink.ended;
    expect(sink.text()).toBe('before\n');
    child.kill('SIGKILL');
    await child;
  });
});
