import { describe, expect, it } from 'vitest';
import { type PlanTag, planS7Reads, type ReadPlan } from '../../../../drivers/s7/plan.js';

const limits = (pduSize: number) => ({ pduSize, maxGap: 16, maxItems: 20 });

function floats(db: number, starts: number[], first = 0): PlanTag[] {
  return starts.map((start, i) => ({ index: first + i, area: 'DB', db, start, bytes: 4 }));
}

/** Request and answer sizes as a PLC counts them, for every request of a plan. */
function sizes(plan: ReadPlan): Array<{ request: number; answer: number; items: number }> {
  return plan.requests.map((pieces) => ({
    request: 10 + 2 + 12 * pieces.length,
    answer: 12 + 2 + pieces.reduce((n, p, i) => n + 4 + p.bytes + (i < pieces.length - 1 ? p.bytes % 2 : 0), 0),
    items: pieces.length,
  }));
}

/** Every tag's bytes lie inside exactly one piece (no tag assembled from two reads). */
function wholeTags(plan: ReadPlan, tags: PlanTag[]): boolean {
  return tags.every((tag) => {
    const chunkIndex = plan.chunks.findIndex((c) => c.tags.includes(tag));
    const chunk = plan.chunks[chunkIndex];
    if (!chunk) return false;
    const at = tag.start - chunk.start;
    return plan.requests
      .flat()
      .some((p) => p.chunk === chunkIndex && p.offset <= at && at + tag.bytes <= p.offset + p.bytes);
  });
}

describe('S7 read planner', () => {
  it('joins neighbouring tags of one DB into one item and keeps DBs and areas apart', () => {
    const tags: PlanTag[] = [
      ...floats(1, [0, 4, 8, 28]), // a gap of 16 bytes is read through
      ...floats(2, [0], 4),
      { index: 5, area: 'M', db: 0, start: 0, bytes: 1 },
    ];
    const plan = planS7Reads(tags, limits(240));
    expect(plan.chunks.map((c) => [c.area, c.db, c.start, c.bytes])).toEqual([
      ['M', 0, 0, 1],
      ['DB', 1, 0, 32],
      ['DB', 2, 0, 4],
    ]);
    expect(plan.requests).toHaveLength(1);
  });

  it('does not read through a gap larger than an item costs', () => {
    const plan = planS7Reads(floats(1, [0, 4 + 17]), limits(240));
    expect(plan.chunks).toHaveLength(2);
  });

  it('packs 200 scattered tags into requests that fit the PDU: 11 at 240 bytes, 10 at 960', () => {
    // 200 float32 in 200 different places: 50 DBs, 4 far-apart tags each.
    const tags = Array.from({ length: 200 }, (_, i) => ({
      index: i,
      area: 'DB' as const,
      db: 1 + Math.floor(i / 4),
      start: (i % 4) * 100,
      bytes: 4,
    }));
    const small = planS7Reads(tags, limits(240));
    expect(small.requests.length).toBe(11); // (240 - 12) / 12 = 19 items per request
    for (const s of sizes(small)) {
      expect(s.request).toBeLessThanOrEqual(240);
      expect(s.answer).toBeLessThanOrEqual(240);
    }
    const large = planS7Reads(tags, limits(960));
    expect(large.requests.length).toBe(10); // 20 items per request
    expect(wholeTags(small, tags)).toBe(true);
  });

  it('fills answers up to the PDU and cuts a long range between tags, never through one', () => {
    const tags = floats(
      1,
      Array.from({ length: 1000 }, (_, i) => i * 4),
    );
    const plan = planS7Reads(tags, limits(240));
    for (const s of sizes(plan)) expect(s.answer).toBeLessThanOrEqual(240);
    // 222 bytes of data fit one answer; cut at a tag boundary: 220 bytes = 55 floats per request.
    expect(plan.requests.length).toBe(Math.ceil(1000 / 55));
    expect(wholeTags(plan, tags)).toBe(true);
  });

  it('reads a single tag larger than an answer in parts', () => {
    const tags: PlanTag[] = [{ index: 0, area: 'DB', db: 1, start: 0, bytes: 256 }];
    const plan = planS7Reads(tags, limits(240));
    expect(plan.requests.flat().reduce((n, p) => n + p.bytes, 0)).toBe(256);
    for (const s of sizes(plan)) expect(s.answer).toBeLessThanOrEqual(240);
  });
});
