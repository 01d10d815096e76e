/**
 * Buffers of one size, reused from run to run, so moving output allocates nothing in the steady
 * state; at most `keep` wait for their next use (what a few busy runs at once need), the rest are let go.
 */
export class BufferPool {
  private readonly free: Buffer[] = [];

  constructor(
    readonly size: number,
    private readonly keep = 64,
  ) {}

  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafe(this.size);
  }

  give(buf: Buffer): void {
    if (this.free.length < this.keep) this.free.push(buf);
  }
}
