/**
 * Tumbling windows of one aggregate (SPEC §3.4): aligned to wall-clock multiples of windowMs, each
 * published once at its end with `window: {start, end, samples}`; a window without a good sample is
 * bad with `no-data`. Nothing is kept across restarts.
 */

import type { Quality, TagValue } from '../../core/values.js';
import type { Clock } from './clock.js';
import type { AggregateConfig } from './tag-fields.js';
import { WindowStats } from './window-stats.js';

/** More windows than this passed without a timer (a clock jump) are not published one by one. */
const MAX_SKIPPED_WINDOWS = 10;

export class TumblingWindow {
  private start = 0;
  private stats: WindowStats;
  private cancelTimer: (() => void) | undefined;
  /** Samples older than the open window (arrived after their window was published). */
  late = 0;

  constructor(
    private readonly aggregate: AggregateConfig,
    private readonly clock: Clock,
    private readonly publish: (value: TagValue) => void,
  ) {
    this.stats = new WindowStats(0, undefined);
  }

  begin(): void {
    const now = this.clock.now();
    this.start = now - (now % this.aggregate.windowMs);
    this.stats = new WindowStats(this.start, undefined);
    this.schedule();
  }

  end(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  /** A sample of the input: a number with its timestamp and quality, or a bad one. */
  add(value: number | undefined, timestamp: number, quality: Quality): void {
    this.closeUpTo(timestamp);
    if (timestamp < this.start) {
      this.late++;
      return;
    }
    if (value === undefined || quality === 'bad' || !Number.isFinite(value)) this.stats.addBad(timestamp);
    else this.stats.add(value, timestamp, quality === 'uncertain');
  }

  private get windowEnd(): number {
    return this.start + this.aggregate.windowMs;
  }

  private schedule(): void {
    this.cancelTimer?.();
    this.cancelTimer = this.clock.after(Math.max(0, this.windowEnd - this.clock.now()), () => {
      this.cancelTimer = undefined;
      this.closeUpTo(this.clock.now());
      this.schedule();
    });
  }

  /** Publishes every window that ended at or before `time`. */
  private closeUpTo(time: number): void {
    if (time < this.windowEnd) return;
    this.publish(this.closeWindow());
    const windowMs = this.aggregate.windowMs;
    if (time - this.windowEnd >= MAX_SKIPPED_WINDOWS * windowMs) {
      // The clock jumped: start over at the window that holds `time` instead of publishing every one between.
      this.start = time - (time % windowMs);
      this.stats = new WindowStats(this.start, undefined);
    }
    // Windows the loop stalled through are published, as no-data.
    while (time >= this.windowEnd) this.publish(this.closeWindow());
    if (this.cancelTimer) this.schedule();
  }

  private closeWindow(): TagValue {
    const start = this.start;
    const end = this.windowEnd;
    const stats = this.stats;
    const window = { start, end, samples: stats.count };
    let value: TagValue;
    if (stats.count === 0) {
      value = { value: null, timestamp: end, quality: 'bad', error: 'no-data', meta: { window } };
    } else {
      const quality: Quality = stats.uncertain ? 'uncertain' : 'good';
      value = { value: stats.result(this.aggregate.function, end), timestamp: end, quality, meta: { window } };
    }
    this.start = end;
    this.stats = new WindowStats(end, stats.lastHeld);
    return value;
  }
}
