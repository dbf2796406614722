/**
 * How much of the devices' reading the Modbus TCP I/O thread may do ahead of the main thread.
 * The thread reads as fast as the devices answer, but every answer is decoded and published by
 * the main thread; answers it has no time for wait in the message queue, each one older than the
 * last. So a read goes to the thread only while the answers handed out and not yet taken back
 * stay under a bound; the others wait their turn (in order) before they are sent, and the devices
 * are asked only when the gateway can use their answers at once.
 */
export class ReadWindow {
  private inFlight = 0;
  private readonly waiting: Array<{ size: number; go: () => void }> = [];

  /** `limit`: registers (or bits) of reads out at once; a larger read still goes, alone. */
  constructor(private readonly limit: number) {}

  /** Reads out now, in registers (or bits). */
  get size(): number {
    return this.inFlight;
  }

  /** Reads waiting for room. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Resolves when a read of `size` may go; the caller gives it back with `release(size)`. */
  acquire(size: number): Promise<void> {
    if (this.waiting.length === 0 && this.fits(size)) {
      this.inFlight += size;
      return Promise.resolve();
    }
    return new Promise((go) => this.waiting.push({ size, go }));
  }

  release(size: number): void {
    this.inFlight = Math.max(0, this.inFlight - size);
    while (this.waiting.length > 0) {
      const next = this.waiting[0] as { size: number; go: () => void };
      if (!this.fits(next.size)) break;
      this.waiting.shift();
      this.inFlight += next.size;
      next.go();
    }
  }

  private fits(size: number): boolean {
    return this.inFlight === 0 || this.inFlight + size <= this.limit;
  }
}
