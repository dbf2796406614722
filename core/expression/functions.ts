import { ExpressionError } from './errors.js';
import { arithmetic, type ExpressionValue, toNumber, toNumeric } from './operations.js';

interface ExpressionFunction {
  readonly minArgs: number;
  readonly maxArgs: number;
  call(args: ExpressionValue[], position: number): ExpressionValue;
}

const oneNumber =
  (name: string, fn: (x: number) => number): ExpressionFunction['call'] =>
  (args, position) =>
    fn(toNumber(args[0]!, `${name}()`, position));

/** Integer inputs stay integers through the functions that cannot change them. */
const keepInteger =
  (name: string, fn: (x: number) => number): ExpressionFunction['call'] =>
  (args, position) => {
    const x = toNumeric(args[0]!, `${name}()`, position);
    return typeof x === 'bigint' ? x : fn(x);
  };

function pickExtreme(name: string, args: ExpressionValue[], position: number, wantLarger: boolean): ExpressionValue {
  let best = toNumeric(args[0]!, `${name}()`, position);
  for (const arg of args.slice(1)) {
    const x = toNumeric(arg, `${name}()`, position);
    if (Number.isNaN(x) || (wantLarger ? x > best : x < best)) best = x;
  }
  return best;
}

/** Rounds half away from zero in decimal, so round(1.005, 2) is 1.01 as a person expects, not 1.00. */
function roundDecimal(args: ExpressionValue[], position: number): ExpressionValue {
  const x = toNumeric(args[0]!, 'round()', position);
  const digits = args.length > 1 ? toNumber(args[1]!, 'round() digits', position) : 0;
  if (!Number.isInteger(digits) || digits < -20 || digits > 20) {
    throw new ExpressionError('round() digits must be an integer between -20 and 20', position);
  }
  if (typeof x === 'bigint' && digits >= 0) return x;
  const value = Number(x);
  if (!Number.isFinite(value)) return value;
  const shifted = Number(`${Math.abs(value)}e${digits}`);
  const scaled = Number.isFinite(shifted) ? shifted : Math.abs(value) * 10 ** digits;
  const rounded = Number(`${Math.round(scaled)}e${-digits}`);
  return Math.sign(value) * (Number.isNaN(rounded) ? Math.round(scaled) / 10 ** digits : rounded);
}

function bit(args: ExpressionValue[], position: number): boolean {
  const x = toNumeric(args[0]!, 'bit()', position);
  const n = toNumber(args[1]!, 'bit() index', position);
  if (!Number.isInteger(n) || n < 0 || n > 63)
    throw new ExpressionError('bit() index must be an integer 0..63', position);
  if (typeof x === 'number' && !Number.isInteger(x))
    throw new ExpressionError('bit() needs an integer value', position);
  const word = BigInt.asUintN(64, BigInt(x));
  return ((word >> BigInt(n)) & 1n) === 1n;
}

function clamp(args: ExpressionValue[], position: number): ExpressionValue {
  const x = toNumeric(args[0]!, 'clamp()', position);
  const lo = toNumeric(args[1]!, 'clamp() low', position);
  const hi = toNumeric(args[2]!, 'clamp() high', position);
  if (lo > hi) throw new ExpressionError('clamp() low is above high', position);
  if (x < lo) return lo;
  // biome-ignore lint/complexity/useMathMinMax: Math.min would turn a 64-bit integer into a double
  return x > hi ? hi : x;
}

/** The only functions an expression can call (SPEC §3.4). A Map, so no prototype member is ever a function. */
export const FUNCTIONS: ReadonlyMap<string, ExpressionFunction> = new Map<string, ExpressionFunction>([
  ['abs', { minArgs: 1, maxArgs: 1, call: (args, position) => absolute(toNumeric(args[0]!, 'abs()', position)) }],
  ['min', { minArgs: 1, maxArgs: 1000, call: (args, position) => pickExtreme('min', args, position, false) }],
  ['max', { minArgs: 1, maxArgs: 1000, call: (args, position) => pickExtreme('max', args, position, true) }],
  ['round', { minArgs: 1, maxArgs: 2, call: roundDecimal }],
  ['floor', { minArgs: 1, maxArgs: 1, call: keepInteger('floor', Math.floor) }],
  ['ceil', { minArgs: 1, maxArgs: 1, call: keepInteger('ceil', Math.ceil) }],
  ['sqrt', { minArgs: 1, maxArgs: 1, call: oneNumber('sqrt', Math.sqrt) }],
  ['pow', { minArgs: 2, maxArgs: 2, call: (args, position) => arithmetic('**', args[0]!, args[1]!, position) }],
  ['log', { minArgs: 1, maxArgs: 1, call: oneNumber('log', Math.log) }],
  ['log10', { minArgs: 1, maxArgs: 1, call: oneNumber('log10', Math.log10) }],
  ['exp', { minArgs: 1, maxArgs: 1, call: oneNumber('exp', Math.exp) }],
  ['clamp', { minArgs: 3, maxArgs: 3, call: clamp }],
  ['bit', { minArgs: 2, maxArgs: 2, call: bit }],
]);

function absolute(x: number | bigint): number | bigint {
  return x < 0 ? -x : x;
}

export const FUNCTION_NAMES: readonly string[] = [...FUNCTIONS.keys()];
