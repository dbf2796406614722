/** Running statistics of one window's samples: constant memory whatever the number of samples. */
import type { AggregateFunction } from './tag-fields.js';

export class WindowStats {
  count = 0;
  private sum = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;
  private first = 0;
  private last = 0;
  /** Welford's running mean and sum of squared deviations (stable for large values). */
  private mean = 0;
  private m2 = 0;
  /** Time-weighted: ∫ value dt over the held segments, and their total length. */
  private area = 0;
  private covered = 0;
  /** The value held since `heldSince`, or undefined while unknown (no sample yet, or a bad one). */
  private held: number | undefined;
  private heldSince: number;
  uncertain = false;

  /** `carried`: the last good value of the previous window, held from the window's start. */
  constructor(start: number, carried: number | undefined) {
    this.held = carried;
    this.heldSince = start;
  }

  add(value: number, timestamp: number, uncertain: boolean): void {
    this.hold(timestamp);
    if (this.count === 0) this.first = value;
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    this.last = value;
    const delta = value - this.mean;
    this.mean += delta / this.count;
    this.m2 += delta * (value - this.mean);
    if (uncertain) this.uncertain = true;
    this.held = value;
  }

  /** A bad sample: the value is unknown from `timestamp` until the next good one. */
  addBad(timestamp: number): void {
    this.hold(timestamp);
    this.held = undefined;
  }

  /** The last good value, to carry into the next window. */
  get lastHeld(): number | undefined {
    return this.held;
  }

  private hold(until: number): void {
    const from = this.heldSince;
    if (until <= from) return;
    if (this.held !== undefined) {
      this.area += this.held * (until - from);
      this.covered += until - from;
    }
    this.heldSince = until;
  }

  /** The aggregate over the window ending at `end`; call once, with count > 0. */
  result(fn: AggregateFunction, end: number): number {
    switch (fn) {
      case 'avg':
        return this.sum / this.count;
      case 'min':
        return this.min;
      case 'max':
        return this.max;
      case 'sum':
        return this.sum;
      case 'count':
        return this.count;
      case 'first':
        return this.first;
      case 'last':
        return this.last;
      case 'delta':
        return this.last - this.first;
      case 'stddev':
        return Math.sqrt(this.m2 / this.count);
      case 'twa':
        this.hold(end);
        return this.covered > 0 ? this.area / this.covered : this.last;
    }
  }
}
