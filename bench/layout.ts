/**
 * Where a bench group's tags sit in the simulated device's holding registers. Every group is
 * laid out the same way: its tags back to back from `base`, then its clock (float64, 4 registers)
 * that the simulated server sets to its own time whenever it answers.
 */
import type { TagType } from '../core/config/schema.js';

export type Variant = 'float32' | 'mixed';

export interface TagSpec {
  name: string;
  address: string;
  type: TagType;
  scale?: number;
}

export interface GroupLayout {
  name: string;
  tags: TagSpec[];
  /** Holding register of the group's clock. */
  clockAt: number;
  /** First register after the group. */
  end: number;
}

interface Shape {
  type: TagType;
  registers: number;
  bit?: number;
  scale?: number;
}

/** One of each kind a PLC typically has, in a fixed cycle. */
const MIXED: Shape[] = [
  { type: 'float32', registers: 2 },
  { type: 'int16', registers: 1, scale: 0.1 },
  { type: 'uint16', registers: 1 },
  { type: 'int32', registers: 2 },
  { type: 'uint32', registers: 2 },
  { type: 'float64', registers: 4 },
  { type: 'bool', registers: 1, bit: 3 },
  { type: 'int64', registers: 4 },
];
const FLOAT32: Shape[] = [{ type: 'float32', registers: 2 }];

export const CLOCK_TAG = 'clk';

/** The `index`-th group of a device: `tags` value tags plus the clock tag. */
export function groupLayout(variant: Variant, index: number, tags: number, base: number): GroupLayout {
  const shapes = variant === 'mixed' ? MIXED : FLOAT32;
  const specs: TagSpec[] = [];
  let at = base;
  for (let i = 0; i < tags; i++) {
    const shape = shapes[i % shapes.length] as Shape;
    const spec: TagSpec = {
      name: `g${index}/t${i}`,
      address: shape.bit === undefined ? `hr:${at}` : `hr:${at}.${shape.bit}`,
      type: shape.type,
    };
    if (shape.scale !== undefined) spec.scale = shape.scale;
    specs.push(spec);
    at += shape.registers;
  }
  specs.push({ name: `g${index}/${CLOCK_TAG}`, address: `hr:${at}`, type: 'float64' });
  return { name: `g${index}`, tags: specs, clockAt: at, end: at + 4 };
}

/** A device's groups, back to back from register 0. */
export function deviceLayout(variant: Variant, groups: number, tagsPerGroup: number): GroupLayout[] {
  const out: GroupLayout[] = [];
  let base = 0;
  for (let g = 0; g < groups; g++) {
    const group = groupLayout(variant, g, tagsPerGroup, base);
    out.push(group);
    base = group.end;
  }
  if (base > 0x10000) throw new Error(`layout needs ${base} registers, more than a device has`);
  return out;
}
