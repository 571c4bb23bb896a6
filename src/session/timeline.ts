// A bounded history of polls: a ring buffer, so days of polling hold the same memory as the
// first two hours.

export class Ring<T> {
  private readonly items: Array<T | undefined>;
  private start = 0;
  private size = 0;
  /** Items ever pushed (also counts the ones that fell off). */
  total = 0;

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new Error('ring capacity must be at least 1');
    this.items = new Array(capacity);
  }

  push(item: T): void {
    const end = (this.start + this.size) % this.capacity;
    this.items[end] = item;
    if (this.size < this.capacity) this.size++;
    else this.start = (this.start + 1) % this.capacity;
    this.total++;
  }

  get length(): number {
    return this.size;
  }

  /** i = 0 is the oldest kept item. */
  at(i: number): T | undefined {
    if (i < 0 || i >= this.size) return undefined;
    return this.items[(this.start + i) % this.capacity];
  }

  last(): T | undefined {
    return this.at(this.size - 1);
  }

  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.size; i++) out.push(this.items[(this.start + i) % this.capacity]!);
    return out;
  }

  /** The newest n items, oldest first. */
  tail(n: number): T[] {
    const k = Math.min(n, this.size);
    const out: T[] = [];
    for (let i = this.size - k; i < this.size; i++) out.push(this.at(i)!);
    return out;
  }
}

export const DEFAULT_HISTORY_MS = 2 * 60 * 60 * 1000;

/** How many polls cover `historyMs` at this interval (at least 60, at most 100,000). */
export function timelineCapacity(intervalMs: number, historyMs = DEFAULT_HISTORY_MS): number {
  return Math.min(100_000, Math.max(60, Math.ceil(historyMs / Math.max(1, intervalMs))));
}
