import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../core/backoff.js';

/** Delays of `n` failures in a row (a random source of 0 gives -20 % jitter, 1 gives +20 %). */
function delays(backoff: Backoff, n: number): number[] {
  return Array.from({ length: n }, () => backoff.next());
}

describe('Backoff', () => {
  it('doubles from the first delay up to the cap', () => {
    expect(delays(new Backoff(500, 10_000, () => 0.5), 8)).toEqual([
      500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000,
    ]);
  });

  it('jitters by up to 20 % either way below the cap, and never waits longer than the cap', () => {
    expect(delays(new Backoff(500, 10_000, () => 0), 7)).toEqual([400, 800, 1600, 3200, 6400, 8000, 8000]);
    expect(delays(new Backoff(500, 10_000, () => 1), 7)).toEqual([600, 1200, 2400, 4800, 9600, 10_000, 10_000]);
  });

  it('starts again from the first delay after a reset', () => {
    const backoff = new Backoff(500, 10_000, () => 0.5);
    delays(backoff, 10);
    expect(backoff.attempts).toBe(10);
    backoff.reset();
    expect(backoff.attempts).toBe(0);
    expect(backoff.next()).toBe(500);
  });

  it('stays at the cap however long the failures last', () => {
    const backoff = new Backoff(500, 10_000, () => 1);
    delays(backoff, 2000);
    expect(backoff.next()).toBe(10_000);
  });
});
