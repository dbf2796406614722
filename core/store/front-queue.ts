/** Consumed items at the front that are cut off at once (before that, only the head index moves). */
const COMPACT_AFTER = 1024;

/** An array consumed from the front: a head index instead of `shift()`, the consumed front cut off in chunks. */
export class FrontQueue<T> {
  private items: T[] = [];
  private head = 0;

  /** Items still queued. */
  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The oldest item still queued. */
  peek(): T | undefined {
    return this.items[this.head];
  }

  /** Up to `max` items from the front, taken off the queue. */
  take(max: number): T[] {
    const out = this.items.slice(this.head, this.head + max);
    this.advance(out.length);
    return out;
  }

  /** Takes items off the front while `done` says so. */
  dropWhile(done: (item: T) => boolean): void {
    let n = 0;
    while (this.head + n < this.items.length && done(this.items[this.head + n] as T)) n++;
    this.advance(n);
  }

  /** Every item still queued, oldest first (a copy). */
  remaining(): T[] {
    return this.items.slice(this.head);
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }

  private advance(n: number): void {
    this.head += n;
    if (this.head === this.items.length) this.clear();
    else if (this.head >= COMPACT_AFTER) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
