import { describe, expect, it } from 'vitest';
import { newPublishedState, type PublishedState, shouldPublish } from '../../../core/change-filter.js';
import type { GroupConfig } from '../../../core/config/schema.js';
import { badValue, goodValue, type TagValue, type Value } from '../../../core/values.js';

type Group = Pick<GroupConfig, 'publish' | 'heartbeatMs'>;

const CHANGE: Group = { publish: 'change', heartbeatMs: 0 };
const ALWAYS: Group = { publish: 'always', heartbeatMs: 0 };

/**
 * Feeds readings through one tag's filter and returns which were published.
 * Each step is `[value or TagValue, now]`; a plain value is a good reading at `now`.
 */
function run(
  steps: Array<[Value | TagValue, number]>,
  group: Group = CHANGE,
  deadband = 0,
  state: PublishedState = newPublishedState(),
): boolean[] {
  return steps.map(([v, now]) => {
    const reading = isTagValue(v) ? v : goodValue(v, now);
    return shouldPublish(state, reading, group, { deadband }, now);
  });
}

function isTagValue(v: Value | TagValue): v is TagValue {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'quality' in v && 'timestamp' in v;
}

describe('shouldPublish', () => {
  it('publishes the first reading, good or bad', () => {
    expect(run([[0, 1000]])).toEqual([true]);
    expect(run([[badValue('timeout', 1000), 1000]])).toEqual([true]);
    expect(run([[false, 1000]])).toEqual([true]);
    expect(run([['', 1000]])).toEqual([true]);
  });

  it('records what was published', () => {
    const state = newPublishedState();
    run([[21.5, 1000]], CHANGE, 0, state);
    expect(state).toEqual({ value: 21.5, quality: 'good', at: 1000 });
    run([[21.5, 2000]], CHANGE, 0, state); // not published: state unchanged
    expect(state).toEqual({ value: 21.5, quality: 'good', at: 1000 });
  });

  describe('publish: change', () => {
    it('publishes any numeric change with deadband 0, not an equal value', () => {
      expect(
        run([
          [10, 0],
          [10, 1],
          [10.000001, 2],
          [10.000001, 3],
          [-0, 4],
        ]),
      ).toEqual([true, false, true, false, true]);
    });

    it('does not publish a change equal to or below the deadband, publishes one above it', () => {
      expect(
        run(
          [
            [100, 0],
            [100.5, 1], // 0.5 <= 1
            [101, 2], // exactly 1: not more than the deadband
            [99, 3], // -1
            [101.25, 4], // 1.25 > 1
            [100.5, 5], // 0.75 from 101.25
            [100.25, 6], // exactly 1 below 101.25
            [100.2, 7], // 1.05 below
          ],
          CHANGE,
          1,
        ),
      ).toEqual([true, false, false, false, true, false, false, true]);
    });

    it('compares with the last published value, so a slow drift is published eventually', () => {
      // Each step moves 0.4, less than the deadband of 1; comparing with the last read would never publish.
      const values = [20, 20.4, 20.8, 21.2, 21.6, 22.0, 22.4];
      const state = newPublishedState();
      const published = run(
        values.map((v, i) => [v, i * 1000] as [number, number]),
        CHANGE,
        1,
        state,
      );
      expect(published).toEqual([true, false, false, true, false, false, true]);
      expect(state.value).toBe(22.4);
    });

    it('publishes any change of a non-number, whatever the deadband', () => {
      expect(
        run(
          [
            [true, 0],
            [true, 1],
            [false, 2],
            ['AB', 3],
            ['AB', 4],
            ['AC', 5],
            ['AC ', 6],
          ],
          CHANGE,
          100,
        ),
      ).toEqual([true, false, true, true, false, true, true]);
    });

    it('compares arrays and objects by content', () => {
      expect(
        run([
          [[1, 2, 3], 0],
          [[1, 2, 3], 1],
          [[1, 2, 4], 2],
          [{ a: 1, b: [true] }, 3],
          [{ a: 1, b: [true] }, 4],
          [{ a: 1, b: [false] }, 5],
        ]),
      ).toEqual([true, false, true, true, false, true]);
    });

    it('compares 64-bit integers exactly', () => {
      const max = 2n ** 64n - 1n;
      expect(
        run([
          [max, 0],
          [max, 1],
          [max - 1n, 2], // one apart: would be equal through a double
          [max - 1n, 3],
        ]),
      ).toEqual([true, false, true, false]);
    });

    it('applies the deadband to 64-bit integers', () => {
      const base = 9_007_199_254_740_993n; // 2^53 + 1
      expect(
        run(
          [
            [base, 0],
            [base + 5n, 1],
            [base + 10n, 2], // exactly the deadband
            [base + 11n, 3],
            [base - 1n, 4], // 12 below the last published
          ],
          CHANGE,
          10,
        ),
      ).toEqual([true, false, false, true, true]);
    });

    it('treats a number and a bigint of the same magnitude as a change of type', () => {
      expect(
        run([
          [5, 0],
          [5n, 1],
        ]),
      ).toEqual([true, true]);
    });

    it('does not republish NaN after NaN', () => {
      expect(
        run([
          [Number.NaN, 0],
          [Number.NaN, 1],
          [1, 2],
        ]),
      ).toEqual([true, false, true]);
    });
  });

  describe('heartbeat', () => {
    it('republishes an unchanged value once heartbeatMs has passed since the last publish', () => {
      expect(
        run(
          [
            [7, 0],
            [7, 59_999],
            [7, 60_000],
            [7, 60_001],
            [7, 119_999],
            [7, 120_000],
          ],
          { publish: 'change', heartbeatMs: 60_000 },
        ),
      ).toEqual([true, false, true, false, false, true]);
    });

    it('counts the heartbeat from the last publish, including one caused by a change', () => {
      expect(
        run(
          [
            [1, 0],
            [2, 40_000], // change: published, heartbeat restarts here
            [2, 60_000],
            [2, 99_999],
            [2, 100_000],
          ],
          { publish: 'change', heartbeatMs: 60_000 },
        ),
      ).toEqual([true, true, false, false, true]);
    });

    it('republishes a value within the deadband at the heartbeat', () => {
      expect(
        run(
          [
            [10, 0],
            [10.5, 1000],
            [10.5, 5000],
          ],
          { publish: 'change', heartbeatMs: 5000 },
          1,
        ),
      ).toEqual([true, false, true]);
    });

    it('never republishes an unchanged value with heartbeatMs 0', () => {
      const steps: Array<[number, number]> = [0, 60_000, 3_600_000, 86_400_000 * 30].map((t) => [3, t]);
      expect(run(steps, { publish: 'change', heartbeatMs: 0 })).toEqual([true, false, false, false]);
    });
  });

  describe('publish: always', () => {
    it('publishes every good read, changed or not', () => {
      expect(
        run(
          [
            [1, 0],
            [1, 1],
            [1, 2],
            [1.1, 3],
          ],
          ALWAYS,
          10,
        ),
      ).toEqual([true, true, true, true]);
    });

    it('still publishes a read error only once', () => {
      expect(
        run(
          [
            [1, 0],
            [badValue('timeout', 1), 1],
            [badValue('timeout', 2), 2],
            [1, 3],
          ],
          ALWAYS,
        ),
      ).toEqual([true, true, false, true]);
    });
  });

  describe('bad quality', () => {
    it('publishes at the change to bad, not again while bad, and the next good read even if equal', () => {
      const state = newPublishedState();
      const heartbeat: Group = { publish: 'change', heartbeatMs: 1000 };
      expect(
        run(
          [
            [42, 0],
            [badValue('timeout', 100), 100],
            [badValue('timeout', 200), 200],
            [badValue('disconnected', 300), 300], // another error code: still bad, not republished
            [badValue('timeout', 5000), 5000], // not even after the heartbeat
          ],
          heartbeat,
          0,
          state,
        ),
      ).toEqual([true, true, false, false, false]);
      expect(state).toEqual({ value: null, quality: 'bad', at: 100 });

      // Same value as the last good one: published, since the last publish was the error.
      expect(run([[42, 5100]], heartbeat, 0, state)).toEqual([true]);
      expect(state).toEqual({ value: 42, quality: 'good', at: 5100 });
      expect(run([[42, 5200]], heartbeat, 0, state)).toEqual([false]);
    });

    it('publishes a change of quality even within the deadband', () => {
      const uncertain: TagValue = { value: 10, timestamp: 1, quality: 'uncertain' };
      expect(
        run(
          [
            [10, 0],
            [uncertain, 1],
            [{ ...uncertain, timestamp: 2 }, 2],
            [10, 3],
          ],
          CHANGE,
          5,
        ),
      ).toEqual([true, true, false, true]);
    });
  });
});
