import type { AlarmClock } from '../../../../core/alarms/clock.js';

/** A clock the test moves by hand: timers fire exactly when `advance` passes their time. */
export class FakeClock implements AlarmClock {
  // Now, not 1970: history older than 90 days is pruned.
  private time = Date.now();
  private timers: Array<{ at: number; fn: () => void; handle: number }> = [];
  private next = 1;

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const handle = this.next++;
    this.timers.push({ at: this.time + ms, fn, handle });
    return handle;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.handle !== handle);
  }

  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = due.at;
      due.fn();
    }
    this.time = until;
  }
}
