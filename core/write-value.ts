/** Checks shared by every driver's writes (SPEC §3.1: "a fractional one is refused, never rounded"). */
import { GatewayError } from './errors.js';

/** How far (value - offset) / scale may be from a whole number for an integer tag. */
export const WHOLE_NUMBER_TOLERANCE = 1e-9;

/** What a message about a written value names: the tag, its type, and how it is scaled. */
export interface WriteTarget {
  /** The tag's name; left out, the message names only the type. */
  name?: string;
  /** The type as the user knows it (`uint16`, or the server's `UInt16`). */
  type: string;
  scale: number;
  offset: number;
}

/**
 * The raw integer that a write of `value` to an integer tag becomes: (value - offset) / scale,
 * snapped to the whole number it lies within 1e-9 of (150.6 / 0.1 is 1505.9999999999998 in
 * floating point). Anything further away is refused with invalid-value, and nothing is written.
 */
export function wholeRaw(value: number, target: WriteTarget): number {
  const { scale, offset } = target;
  const raw = (value - offset) / scale;
  const whole = Math.round(raw) || 0; // no -0
  // Large operands carry more rounding error than 1e-9; allow the error of the arithmetic itself.
  const arithmeticError = (4 * Number.EPSILON * (Math.abs(value) + Math.abs(offset))) / Math.abs(scale);
  if (Math.abs(raw - whole) <= Math.max(WHOLE_NUMBER_TOLERANCE, arithmeticError)) return whole;
  const who = target.name ? `${target.name} is ${target.type}` : `the tag is ${target.type}`;
  if (scale === 1 && offset === 0) {
    throw new GatewayError('invalid-value', `${who}: ${value} is not a whole number`);
  }
  const scaling = `${scale === 1 ? '' : ` scale ${scale}`}${offset === 0 ? '' : ` offset ${offset}`}`;
  throw new GatewayError(
    'invalid-value',
    `${who} with${scaling}: ${value} gives raw ${raw}, not a whole number (raw = (value - offset) / scale)`,
  );
}
