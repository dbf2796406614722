/** Read planner: joins a group's tags into as few Modbus read requests as the limits allow. */
import type { Area } from './address.js';

export interface PlanItem {
  /** The tag's position in its group. */
  index: number;
  area: Area;
  offset: number;
  /** Registers (hr, ir) or bits (coil, di). */
  count: number;
}

export interface ReadBlock {
  area: Area;
  start: number;
  count: number;
  items: PlanItem[];
}

export interface PlanLimits {
  maxRegistersPerRead: number;
  maxBitsPerRead: number;
  /** Registers that may be read through to join two reads; bit areas allow 16 bits per register. */
  maxGap: number;
}

const AREA_ORDER: readonly Area[] = ['coil', 'di', 'hr', 'ir'];

function isBitArea(area: Area): boolean {
  return area === 'coil' || area === 'di';
}

/**
 * Split points learned from devices that refused a joined read (exception 2): no block may
 * hold both an item starting before a split point and one starting at or after it.
 */
export class SplitMemory {
  private readonly points = new Map<Area, Set<number>>();

  add(area: Area, offset: number): void {
    let set = this.points.get(area);
    if (!set) {
      set = new Set();
      this.points.set(area, set);
    }
    set.add(offset);
  }

  has(area: Area, offset: number): boolean {
    return this.points.get(area)?.has(offset) ?? false;
  }

  /** Whether a split point p lies in from < p ≤ to, i.e. items at `from` and `to` must not share a read. */
  separates(area: Area, from: number, to: number): boolean {
    for (const p of this.points.get(area) ?? []) if (p > from && p <= to) return true;
    return false;
  }

  get size(): number {
    let n = 0;
    for (const set of this.points.values()) n += set.size;
    return n;
  }
}

function byOffset(a: PlanItem, b: PlanItem): number {
  return a.offset - b.offset || b.count - a.count || a.index - b.index;
}

function end(item: { offset: number; count: number }): number {
  return item.offset + item.count;
}

/** Groups items by area into blocks, areas in order coil, di, hr, ir, each by start. */
export function planReads(items: PlanItem[], limits: PlanLimits, splits?: SplitMemory): ReadBlock[] {
  const blocks: ReadBlock[] = [];
  for (const area of AREA_ORDER) {
    const bits = isBitArea(area);
    const limit = bits ? limits.maxBitsPerRead : limits.maxRegistersPerRead;
    const maxGap = bits ? limits.maxGap * 16 : limits.maxGap;
    let current: ReadBlock | undefined;
    for (const item of items.filter((i) => i.area === area).sort(byOffset)) {
      if (current && fits(current, item, limit, maxGap, splits)) {
        current.count = Math.max(current.start + current.count, end(item)) - current.start;
        current.items.push(item);
        continue;
      }
      // An item wider than the limit still gets a block of its own; nothing joins it.
      current = { area, start: item.offset, count: item.count, items: [item] };
      blocks.push(current);
    }
  }
  return blocks;
}

function fits(block: ReadBlock, item: PlanItem, limit: number, maxGap: number, splits?: SplitMemory): boolean {
  const blockEnd = block.start + block.count;
  if (item.offset - blockEnd > maxGap) return false;
  if (Math.max(blockEnd, end(item)) - block.start > limit) return false;
  return !splits?.separates(block.area, block.start, item.offset);
}

/**
 * The offset at which splitBlock cuts: the item start that divides the items most evenly.
 * null when all items start at one offset and the block cannot be split.
 */
export function splitOffset(block: ReadBlock): number | null {
  const items = [...block.items].sort(byOffset);
  const half = items.length / 2;
  let best: number | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (let i = 1; i < items.length; i++) {
    const offset = items[i]?.offset ?? 0;
    if (offset === items[i - 1]?.offset) continue; // not a boundary between distinct starts
    const distance = Math.abs(i - half);
    if (distance < bestDistance) {
      best = offset;
      bestDistance = distance;
    }
  }
  return best;
}

/** Bisects a block at splitOffset; each half covers only its own items. */
export function splitBlock(block: ReadBlock): [ReadBlock, ReadBlock] | null {
  const at = splitOffset(block);
  if (at === null) return null;
  const sorted = [...block.items].sort(byOffset);
  return [
    cover(
      block.area,
      sorted.filter((i) => i.offset < at),
    ),
    cover(
      block.area,
      sorted.filter((i) => i.offset >= at),
    ),
  ];
}

function cover(area: Area, items: PlanItem[]): ReadBlock {
  const start = Math.min(...items.map((i) => i.offset));
  const stop = Math.max(...items.map(end));
  return { area, start, count: stop - start, items };
}
