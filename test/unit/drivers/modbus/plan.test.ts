import { describe, expect, it } from 'vitest';
import type { Area } from '../../../../drivers/modbus/address.js';
import {
  type PlanItem,
  planReads,
  type ReadBlock,
  SplitMemory,
  splitBlock,
  splitOffset,
} from '../../../../drivers/modbus/plan.js';

const LIMITS = { maxRegistersPerRead: 125, maxBitsPerRead: 2000, maxGap: 0 };

/** Items from [area, offset, count] triples; index = position in the list. */
function items(...specs: Array<[Area, number, number]>): PlanItem[] {
  return specs.map(([area, offset, count], index) => ({ index, area, offset, count }));
}

/** Blocks as [area, start, count, item indexes] for compact assertions. */
function shape(blocks: ReadBlock[]): Array<[Area, number, number, number[]]> {
  return blocks.map((b) => [b.area, b.start, b.count, b.items.map((i) => i.index)]);
}

describe('planReads', () => {
  it('joins adjacent registers into one read', () => {
    const plan = planReads(items(['hr', 0, 1], ['hr', 1, 2], ['hr', 3, 4]), LIMITS);
    expect(shape(plan)).toEqual([['hr', 0, 7, [0, 1, 2]]]);
  });

  it('sorts by offset regardless of tag order', () => {
    const plan = planReads(items(['hr', 10, 1], ['hr', 8, 2], ['hr', 11, 1]), LIMITS);
    expect(shape(plan)).toEqual([['hr', 8, 4, [1, 0, 2]]]);
  });

  it('reads through gaps up to maxGap and no further', () => {
    const list = items(['hr', 0, 1], ['hr', 4, 1], ['hr', 10, 1]);
    expect(shape(planReads(list, { ...LIMITS, maxGap: 0 }))).toEqual([
      ['hr', 0, 1, [0]],
      ['hr', 4, 1, [1]],
      ['hr', 10, 1, [2]],
    ]);
    // Gap 0→4 is 3 registers (1, 2, 3); gap 4→10 is 5.
    expect(shape(planReads(list, { ...LIMITS, maxGap: 3 }))).toEqual([
      ['hr', 0, 5, [0, 1]],
      ['hr', 10, 1, [2]],
    ]);
    expect(shape(planReads(list, { ...LIMITS, maxGap: 5 }))).toEqual([['hr', 0, 11, [0, 1, 2]]]);
  });

  it('respects maxRegistersPerRead', () => {
    const list = items(['hr', 0, 2], ['hr', 2, 2], ['hr', 4, 2], ['hr', 6, 2]);
    expect(shape(planReads(list, { ...LIMITS, maxRegistersPerRead: 4 }))).toEqual([
      ['hr', 0, 4, [0, 1]],
      ['hr', 4, 4, [2, 3]],
    ]);
    // A float32 that would straddle the limit starts a new read.
    expect(shape(planReads(items(['ir', 0, 3], ['ir', 3, 2]), { ...LIMITS, maxRegistersPerRead: 4 }))).toEqual([
      ['ir', 0, 3, [0]],
      ['ir', 3, 2, [1]],
    ]);
  });

  it('puts an item wider than the limit in a block of its own', () => {
    const list = items(['hr', 0, 1], ['hr', 1, 123], ['hr', 124, 1]);
    expect(shape(planReads(list, { ...LIMITS, maxRegistersPerRead: 100 }))).toEqual([
      ['hr', 0, 1, [0]],
      ['hr', 1, 123, [1]],
      ['hr', 124, 1, [2]],
    ]);
  });

  it('uses bit limits and a 16-bit-per-register gap in coil and di areas', () => {
    const coils = items(['coil', 0, 1], ['coil', 17, 1], ['coil', 40, 1]);
    expect(shape(planReads(coils, { maxRegistersPerRead: 10, maxBitsPerRead: 2000, maxGap: 1 }))).toEqual([
      ['coil', 0, 18, [0, 1]], // gap 16 ≤ 1 × 16
      ['coil', 40, 1, [2]], // gap 22 > 16
    ]);
    // maxGap 200 registers = 3200 bits; the 2000-bit limit is what splits here, not the register limit.
    const inputs = items(['di', 0, 1], ['di', 1999, 1], ['di', 2000, 1]);
    expect(shape(planReads(inputs, { maxRegistersPerRead: 10, maxBitsPerRead: 2000, maxGap: 200 }))).toEqual([
      ['di', 0, 2000, [0, 1]],
      ['di', 2000, 1, [2]],
    ]);
  });

  it('orders areas coil, di, hr, ir, then by start', () => {
    const list = items(['ir', 5, 1], ['hr', 9, 1], ['di', 3, 1], ['coil', 7, 1], ['hr', 1, 1]);
    expect(shape(planReads(list, LIMITS))).toEqual([
      ['coil', 7, 1, [3]],
      ['di', 3, 1, [2]],
      ['hr', 1, 1, [4]],
      ['hr', 9, 1, [1]],
      ['ir', 5, 1, [0]],
    ]);
  });

  it('shares reads between overlapping items', () => {
    // Two bits of hr:10, hr:10 as uint16, a float32 at 10 and its low half at 11.
    const list = items(['hr', 10, 1], ['hr', 10, 1], ['hr', 10, 2], ['hr', 11, 1], ['hr', 10, 1]);
    expect(shape(planReads(list, LIMITS))).toEqual([['hr', 10, 2, [2, 0, 1, 4, 3]]]);
    // An item inside a wider one does not stretch the block.
    expect(shape(planReads(items(['hr', 0, 10], ['hr', 2, 1], ['hr', 10, 1]), LIMITS))).toEqual([
      ['hr', 0, 11, [0, 1, 2]],
    ]);
  });

  it('never joins across a learned split', () => {
    const splits = new SplitMemory();
    splits.add('hr', 3);
    const list = items(['hr', 0, 1], ['hr', 1, 1], ['hr', 2, 2], ['hr', 3, 1], ['hr', 4, 1], ['ir', 0, 5]);
    // hr:2 (a float32 over 2..3) may still read register 3: splits separate item starts.
    expect(shape(planReads(list, LIMITS, splits))).toEqual([
      ['hr', 0, 4, [0, 1, 2]],
      ['hr', 3, 2, [3, 4]],
      ['ir', 0, 5, [5]],
    ]);
    expect(shape(planReads(list, LIMITS))).toEqual([
      ['hr', 0, 5, [0, 1, 2, 3, 4]],
      ['ir', 0, 5, [5]],
    ]);
  });

  it('returns nothing for no items and leaves the input alone', () => {
    expect(planReads([], LIMITS)).toEqual([]);
    const list = items(['hr', 5, 1], ['hr', 0, 1]);
    planReads(list, LIMITS);
    expect(list.map((i) => i.offset)).toEqual([5, 0]);
  });
});

describe('SplitMemory', () => {
  it('remembers split points per area', () => {
    const splits = new SplitMemory();
    expect(splits.size).toBe(0);
    splits.add('hr', 10);
    splits.add('hr', 10);
    splits.add('ir', 10);
    expect(splits.size).toBe(2);
    expect(splits.has('hr', 10)).toBe(true);
    expect(splits.has('ir', 10)).toBe(true);
    expect(splits.has('coil', 10)).toBe(false);
    expect(splits.has('hr', 11)).toBe(false);
    expect(splits.separates('hr', 9, 10)).toBe(true);
    expect(splits.separates('hr', 10, 20)).toBe(false);
    expect(splits.separates('hr', 0, 9)).toBe(false);
  });
});

describe('splitBlock', () => {
  const block = (...specs: Array<[Area, number, number]>): ReadBlock => planReads(items(...specs), LIMITS)[0]!;

  it('bisects at the item start nearest the middle, each half covering only its items', () => {
    const b = block(['hr', 0, 1], ['hr', 1, 1], ['hr', 2, 2], ['hr', 4, 1]);
    expect(splitOffset(b)).toBe(2);
    const halves = splitBlock(b);
    expect(halves && shape(halves)).toEqual([
      ['hr', 0, 2, [0, 1]],
      ['hr', 2, 3, [2, 3]],
    ]);
  });

  it('recomputes the span of a half across a gap', () => {
    const b = planReads(items(['hr', 0, 1], ['hr', 50, 2], ['hr', 60, 4]), { ...LIMITS, maxGap: 100 })[0]!;
    expect(shape([b])).toEqual([['hr', 0, 64, [0, 1, 2]]]);
    expect(shape(splitBlock(b)!)).toEqual([
      ['hr', 0, 1, [0]],
      ['hr', 50, 14, [1, 2]],
    ]);
  });

  it('keeps items that share a start together', () => {
    // Four items at 10 and one at 11: the only boundary is 11.
    const b = block(['hr', 10, 1], ['hr', 10, 1], ['hr', 10, 2], ['hr', 10, 1], ['hr', 11, 1]);
    expect(splitOffset(b)).toBe(11);
    expect(shape(splitBlock(b)!)).toEqual([
      ['hr', 10, 2, [2, 0, 1, 3]],
      ['hr', 11, 1, [4]],
    ]);
  });

  it('cannot split a block whose items all start at one offset', () => {
    expect(splitBlock(block(['hr', 7, 1]))).toBeNull();
    expect(splitOffset(block(['hr', 7, 1], ['hr', 7, 2]))).toBeNull();
    expect(splitBlock(block(['coil', 7, 1], ['coil', 7, 1]))).toBeNull();
  });

  it('bisects recursively down to single items, as the driver does on exception 2', () => {
    const splits = new SplitMemory();
    const start = block(...Array.from({ length: 8 }, (_, i): [Area, number, number] => ['hr', 100 + i, 1]));
    const singles: ReadBlock[] = [];
    const queue = [start];
    while (queue.length > 0) {
      const b = queue.shift()!;
      const halves = splitBlock(b);
      if (!halves) {
        singles.push(b);
        continue;
      }
      splits.add(b.area, halves[1].start);
      queue.push(...halves);
    }
    expect(singles.map((b) => b.start).sort((x, y) => x - y)).toEqual([100, 101, 102, 103, 104, 105, 106, 107]);
    expect(singles.every((b) => b.count === 1 && b.items.length === 1)).toBe(true);
    // First cut in the middle, then the quarters, then the eighths.
    expect(splits.size).toBe(7);
    expect([104, 102, 106, 101, 103, 105, 107].every((o) => splits.has('hr', o))).toBe(true);
    // Next cycle the planner keeps every learned split.
    expect(planReads(start.items, LIMITS, splits)).toHaveLength(8);
  });

  it('remembered splits from a partial bisection give two reads next cycle', () => {
    const splits = new SplitMemory();
    const b = block(['hr', 0, 2], ['hr', 2, 2], ['hr', 4, 2], ['hr', 6, 2]);
    const halves = splitBlock(b)!;
    splits.add(b.area, splitOffset(b)!);
    expect(halves[1].start).toBe(4);
    expect(shape(planReads(b.items, LIMITS, splits))).toEqual([
      ['hr', 0, 4, [0, 1]],
      ['hr', 4, 4, [2, 3]],
    ]);
  });
});
