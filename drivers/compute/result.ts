/** A computed result as the tag's declared type (SPEC §3.4: without a type, numbers are float64). */
import type { TagType } from '../../core/config/schema.js';
import { ExpressionError, type ExpressionValue } from '../../core/expression/index.js';
import { shortestFloat32 } from '../../core/float32.js';
import type { Value } from '../../core/values.js';

const INTEGER_RANGES: Partial<Record<TagType, [bigint, bigint]>> = {
  int16: [-(2n ** 15n), 2n ** 15n - 1n],
  uint16: [0n, 2n ** 16n - 1n],
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
};

export function asTagType(value: ExpressionValue, type: TagType | undefined): Value {
  if (type === undefined) return value;
  switch (type) {
    case 'bool':
      if (typeof value === 'string') throw new ExpressionError(`result "${value}" is not a boolean (type bool)`);
      return typeof value === 'boolean' ? value : Number(value) !== 0;
    case 'string':
      return String(value);
    case 'float32':
      return shortestFloat32(Math.fround(numeric(value, type)));
    case 'float64':
      return numeric(value, type);
    default:
      return integer(value, type);
  }
}

function numeric(value: ExpressionValue, type: TagType): number {
  if (typeof value === 'string') throw new ExpressionError(`result "${value}" is not a number (type ${type})`);
  return Number(value);
}

/** Integer types take whole results only (as writes do): a fraction is an error, never rounded silently. */
function integer(value: ExpressionValue, type: TagType): number | bigint {
  if (typeof value === 'string') throw new ExpressionError(`result "${value}" is not a number (type ${type})`);
  let whole: bigint;
  if (typeof value === 'bigint') whole = value;
  else {
    const n = Number(value);
    if (!Number.isInteger(n))
      throw new ExpressionError(`result ${n} is not a whole number (type ${type}); use round()`);
    whole = BigInt(n);
  }
  const range = INTEGER_RANGES[type];
  if (range && (whole < range[0] || whole > range[1])) {
    throw new ExpressionError(`result ${whole} does not fit type ${type}`);
  }
  return type === 'int64' || type === 'uint64' ? whole : Number(whole);
}
