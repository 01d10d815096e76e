/** Runs `count` jobs with at most `concurrency` at once; each job gets its index. */
export async function runPool(count: number, concurrency: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await job(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/** A set of free items that waiters can take from: a task is free again once its run has ended. */
export class FreeList<T> {
  private items: T[];
  private waiting: ((item: T) => void)[] = [];

  constructor(items: T[]) {
    this.items = [...items];
  }

  take(): Promise<T> {
    const item = this.items.shift();
    return item !== undefined ? Promise.resolve(item) : new Promise((resolve) => this.waiting.push(resolve));
  }

  give(item: T): void {
    const waiter = this.waiting.shift();
    if (waiter) waiter(item);
    else this.items.push(item);
  }
}
