/** Tumbling aggregate windows (SPEC §3.4) on a controllable clock. */
import { describe, expect, it } from 'vitest';
import type { TagValue } from '../../../../core/values.js';
import type { Clock } from '../../../../drivers/compute/clock.js';
import type { AggregateFunction } from '../../../../drivers/compute/tag-fields.js';
import { TumblingWindow } from '../../../../drivers/compute/window.js';

/** A clock that moves only when told to, running timers as their time comes. */
class ManualClock implements Clock {
  private timers: Array<{ at: number; fn: () => void }> = [];
  constructor(private time: number) {}
  now(): number {
    return this.time;
  }
  after(ms: number, fn: () => void): () => void {
    const timer = { at: this.time + ms, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }
  /** The wall clock set forward (NTP, a suspended VM): pending timers fire late, all at the new time. */
  jumpTo(time: number): void {
    this.time = time;
    const due = this.timers.filter((t) => t.at <= time);
    this.timers = this.timers.filter((t) => t.at > time);
    for (const t of due) t.fn();
  }
  advanceTo(time: number): void {
    for (;;) {
      const due = this.timers.filter((t) => t.at <= time).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = due.at;
      due.fn();
    }
    this.time = time;
  }
}

const T0 = 1_800_000_000_000; // a multiple of 10 s and of 1 min

function run(fn: AggregateFunction, samples: Array<[number, number | undefined]>, windowMs = 10_000, startAt = T0) {
  const clock = new ManualClock(startAt);
  const published: TagValue[] = [];
  const window = new TumblingWindow({ function: fn, of: '{a/b}', windowMs }, clock, (v) => published.push(v));
  window.begin();
  for (const [at, value] of samples) {
    clock.advanceTo(at);
    window.add(value, at, value === undefined ? 'bad' : 'good');
  }
  return { clock, published, window };
}

const EVEN = [
  [T0 + 0, 2],
  [T0 + 2_000, 4],
  [T0 + 4_000, 4],
  [T0 + 6_000, 4],
  [T0 + 8_000, 6],
] as Array<[number, number]>;

describe('tumbling windows', () => {
  it('publishes once at the window end, aligned to wall-clock multiples, with window metadata', () => {
    const { clock, published } = run('avg', EVEN);
    expect(published).toEqual([]);
    clock.advanceTo(T0 + 9_999);
    expect(published).toEqual([]);
    clock.advanceTo(T0 + 10_000);
    expect(published).toEqual([
      {
        value: 4,
        timestamp: T0 + 10_000,
        quality: 'good',
        meta: { window: { start: T0, end: T0 + 10_000, samples: 5 } },
      },
    ]);
  });

  it.each([
    ['avg', 4],
    ['min', 2],
    ['max', 6],
    ['sum', 20],
    ['count', 5],
    ['first', 2],
    ['last', 6],
    ['delta', 4],
    ['stddev', Math.sqrt(1.6)],
    // each value held until the next sample, the last until the window end: (2+4+4+4+6)·2 s / 10 s
    ['twa', 4],
  ] as Array<[AggregateFunction, number]>)('%s', (fn, expected) => {
    const { clock, published } = run(fn, EVEN);
    clock.advanceTo(T0 + 10_000);
    expect(published[0]?.value).toBeCloseTo(expected, 12);
  });

  it('weights twa by time, not by sample count', () => {
    // 0 for 1 s, then 10 for 9 s: twa 9, avg 5
    const samples: Array<[number, number]> = [
      [T0, 0],
      [T0 + 1_000, 10],
    ];
    const twa = run('twa', samples);
    twa.clock.advanceTo(T0 + 10_000);
    expect(twa.published[0]?.value).toBe(9);
    const avg = run('avg', samples);
    avg.clock.advanceTo(T0 + 10_000);
    expect(avg.published[0]?.value).toBe(5);
  });

  it('carries the last value into the next window for twa, and leaves gaps of bad input out', () => {
    const { clock, published } = run('twa', [
      [T0 + 5_000, 10],
      [T0 + 12_000, 20], // 10 held from 10 s to 12 s, 20 from 12 s …
      [T0 + 16_000, undefined], // … to 16 s, then unknown
    ]);
    clock.advanceTo(T0 + 20_000);
    expect(published.map((p) => p.value)).toEqual([10, (10 * 2 + 20 * 4) / 6]);
  });

  it('publishes no-data for a window without a good sample, and puts a sample in the window of its timestamp', () => {
    const { clock, published } = run('count', [
      [T0 + 1_000, undefined],
      [T0 + 15_000, 1],
    ]);
    clock.advanceTo(T0 + 20_000);
    expect(published).toEqual([
      {
        value: null,
        timestamp: T0 + 10_000,
        quality: 'bad',
        error: 'no-data',
        meta: { window: { start: T0, end: T0 + 10_000, samples: 0 } },
      },
      {
        value: 1,
        timestamp: T0 + 20_000,
        quality: 'good',
        meta: { window: { start: T0 + 10_000, end: T0 + 20_000, samples: 1 } },
      },
    ]);
  });

  it('starts with the window holding the start time, and counts samples older than the open window as late', () => {
    const { clock, published, window } = run('sum', [[T0 + 13_000, 5]], 10_000, T0 + 12_345);
    window.add(7, T0 + 9_000, 'good');
    expect(window.late).toBe(1);
    clock.advanceTo(T0 + 20_000);
    expect(published).toMatchObject([{ value: 5, meta: { window: { start: T0 + 10_000, end: T0 + 20_000 } } }]);
  });

  it('closes a window when a sample of a later one arrives before the timer', () => {
    const { published } = run('last', [
      [T0 + 1_000, 1],
      [T0 + 10_000, 2],
    ]);
    expect(published).toMatchObject([{ value: 1, timestamp: T0 + 10_000 }]);
  });

  it('starts over after a clock jump instead of publishing every window in between', () => {
    const { clock, published } = run('count', [[T0 + 500, 1]], 1_000);
    clock.jumpTo(T0 + 86_400_500);
    expect(published).toMatchObject([{ value: 1, timestamp: T0 + 1_000 }]);
    clock.advanceTo(T0 + 86_401_000);
    expect(published[1]).toMatchObject({ error: 'no-data', meta: { window: { start: T0 + 86_400_000 } } });
    expect(published).toHaveLength(2);
  });

  it('marks a window uncertain when an uncertain sample was used', () => {
    const clock = new ManualClock(T0);
    const published: TagValue[] = [];
    const window = new TumblingWindow({ function: 'max', of: '{a/b}', windowMs: 1000 }, clock, (v) =>
      published.push(v),
    );
    window.begin();
    window.add(3, T0 + 10, 'uncertain');
    window.add(2, T0 + 20, 'good');
    clock.advanceTo(T0 + 1000);
    expect(published).toMatchObject([{ value: 3, quality: 'uncertain' }]);
    window.end();
    clock.advanceTo(T0 + 5000);
    expect(published).toHaveLength(1);
  });
});
