import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GroupSchedule } from '../../../core/scheduler.js';

/** A fake read that records when it starts and ends, and how many run at once. */
class Reads {
  starts: number[] = [];
  ends: number[] = [];
  active = 0;
  maxActive = 0;
  overrunReports: number[] = [];

  constructor(
    /** Fake milliseconds each read takes (awaited on a fake timer). */
    private readonly durationMs: (index: number) => number,
    /** Fake milliseconds each read blocks the event loop before its first await. */
    private readonly blockMs: (index: number) => number = () => 0,
  ) {}

  readonly run = async (): Promise<void> => {
    const index = this.starts.length;
    this.starts.push(performance.now());
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      const block = this.blockMs(index);
      // Synchronous work: moves the clock with no other timer due, like a busy CPU.
      if (block > 0) vi.advanceTimersByTime(block);
      const duration = this.durationMs(index);
      if (duration > 0) await new Promise<void>((resolve) => setTimeout(resolve, duration));
    } finally {
      this.active--;
      this.ends.push(performance.now());
    }
  };

  readonly onOverrun = (total: number): void => {
    this.overrunReports.push(total);
  };
}

let schedules: GroupSchedule[] = [];
let t0 = 0;

function schedule(intervalMs: number, reads: Pick<Reads, 'run' | 'onOverrun'>): GroupSchedule {
  const s = new GroupSchedule(intervalMs, reads.run, reads.onOverrun);
  schedules.push(s);
  return s;
}

/** Read start times relative to the test's start. */
function rel(times: number[]): number[] {
  return times.map((t) => Math.round((t - t0) * 1000) / 1000);
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  t0 = performance.now();
});

afterEach(() => {
  for (const s of schedules) s.stop();
  schedules = [];
  vi.useRealTimers();
});

describe('GroupSchedule', () => {
  it('uses the faked performance clock', async () => {
    const before = performance.now();
    await vi.advanceTimersByTimeAsync(1234);
    expect(performance.now() - before).toBe(1234);
  });

  it('starts reads on a fixed grid, start to start, when each read takes 30 ms of 100 ms', async () => {
    const reads = new Reads(() => 30);
    schedule(100, reads).start();
    await vi.advanceTimersByTimeAsync(1050);
    expect(rel(reads.starts)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    expect(rel(reads.ends).slice(0, 3)).toEqual([30, 130, 230]);
    expect(reads.maxActive).toBe(1);
    expect(reads.overrunReports).toEqual([]);
  });

  it('does not drift when each read blocks the event loop before it yields', async () => {
    // 7 ms of synchronous work per read, then 30 ms of I/O: a schedule that waits
    // `intervalMs` from the end of the tick would slide by 7 ms (or 37 ms) per period.
    const reads = new Reads(
      () => 30,
      () => 7,
    );
    schedule(100, reads).start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(rel(reads.starts)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    expect(reads.maxActive).toBe(1);
    expect(reads.overrunReports).toEqual([]);
  });

  it('delays the first read by delayMs and stays on that grid', async () => {
    const reads = new Reads(() => 10);
    schedule(250, reads).start(40);
    await vi.advanceTimersByTimeAsync(39);
    expect(reads.starts).toEqual([]);
    await vi.advanceTimersByTimeAsync(1001); // t = 1040
    expect(rel(reads.starts)).toEqual([40, 290, 540, 790, 1040]);
  });

  it('reads at once, then moves onto its phase with at least one interval between', async () => {
    const reads = new Reads(() => 10);
    schedule(250, reads).start(0, 40);
    await vi.advanceTimersByTimeAsync(1040);
    expect(rel(reads.starts)).toEqual([0, 290, 540, 790, 1040]);
    expect(reads.overrunReports).toEqual([]);
  });

  it('takes a phase outside the interval modulo the interval', async () => {
    const reads = new Reads(() => 0);
    schedule(100, reads).start(0, 730);
    await vi.advanceTimersByTimeAsync(330);
    expect(rel(reads.starts)).toEqual([0, 130, 230, 330]);
  });

  it('skips and counts a tick that finds the previous read still running, never queueing it', async () => {
    // The first read takes 250 ms of a 100 ms interval; the rest are quick.
    const reads = new Reads((i) => (i === 0 ? 250 : 20));
    const s = schedule(100, reads);
    s.start();

    await vi.advanceTimersByTimeAsync(150);
    expect(s.busy).toBe(true);
    expect(s.overruns).toBe(1); // the tick at 100 was skipped

    await vi.advanceTimersByTimeAsync(110); // t = 260: the long read ended at 250
    expect(s.busy).toBe(false);
    expect(rel(reads.starts)).toEqual([0]); // no catch-up read at 250
    expect(s.overruns).toBe(2); // 100 and 200

    await vi.advanceTimersByTimeAsync(340); // t = 600
    expect(rel(reads.starts)).toEqual([0, 300, 400, 500, 600]);
    expect(reads.maxActive).toBe(1);
    expect(s.overruns).toBe(2);
    expect(reads.overrunReports).toEqual([1, 2]);
  });

  it('counts every period a blocked event loop missed and stays on the grid', async () => {
    // The second read blocks the loop for 250 ms: the ticks at 200 and 300 cannot happen.
    const reads = new Reads(
      () => 0,
      (i) => (i === 1 ? 250 : 0),
    );
    const s = schedule(100, reads);
    s.start();
    await vi.advanceTimersByTimeAsync(700);
    // (Fake timers extend the outer advance by the 250 ms the read moved the clock itself.)
    expect(rel(reads.starts).slice(0, 6)).toEqual([0, 100, 400, 500, 600, 700]);
    expect(rel(reads.starts).every((t) => t % 100 === 0)).toBe(true);
    expect(s.overruns).toBe(2);
    expect(reads.overrunReports).toEqual([2]);
    expect(reads.maxActive).toBe(1);
  });

  it('keeps going after a read rejects', async () => {
    let n = 0;
    const starts: number[] = [];
    const s = schedule(100, {
      run: async () => {
        starts.push(performance.now());
        n++;
        if (n === 1) throw new Error('boom');
      },
      onOverrun: () => undefined,
    });
    s.start();
    await vi.advanceTimersByTimeAsync(300);
    expect(rel(starts)).toEqual([0, 100, 200, 300]);
    expect(s.busy).toBe(false);
  });

  it('stop() stops further reads and lets a running read finish', async () => {
    const reads = new Reads(() => 50);
    const s = schedule(100, reads);
    s.start();
    await vi.advanceTimersByTimeAsync(120); // second read running (started at 100)
    expect(rel(reads.starts)).toEqual([0, 100]);
    s.stop();
    expect(vi.getTimerCount()).toBe(1); // only the running read's own I/O timer
    await vi.advanceTimersByTimeAsync(1000);
    expect(rel(reads.starts)).toEqual([0, 100]);
    expect(rel(reads.ends)).toEqual([50, 150]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stop() before the first read means no read at all; start() again resumes', async () => {
    const reads = new Reads(() => 0);
    const s = schedule(100, reads);
    s.start(50);
    s.stop();
    await vi.advanceTimersByTimeAsync(500);
    expect(reads.starts).toEqual([]);

    s.start();
    s.start(); // a second start while running is ignored: still one read per tick
    await vi.advanceTimersByTimeAsync(200);
    expect(rel(reads.starts)).toEqual([500, 600, 700]);
  });
});
