import { ExpressionError } from './errors.js';

export type ExpressionValue = number | boolean | string | bigint;
type Numeric = number | bigint;

/** Exponents above this fall back to doubles: an exact 64-bit result never needs more. */
const MAX_BIGINT_EXPONENT = 128n;

export function describe(value: ExpressionValue): string {
  return typeof value === 'bigint' ? 'integer' : typeof value;
}

/** Numbers and 64-bit integers as they are; booleans count as 0/1 (so bits can be summed); strings are refused. */
export function toNumeric(value: ExpressionValue, what: string, position: number): Numeric {
  if (typeof value === 'number' || typeof value === 'bigint') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  throw new ExpressionError(`${what} needs a number, got a string`, position);
}

export function toNumber(value: ExpressionValue, what: string, position: number): number {
  return Number(toNumeric(value, what, position));
}

export function toBoolean(value: ExpressionValue, what: string, position: number): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value);
  if (typeof value === 'bigint') return value !== 0n;
  throw new ExpressionError(`${what} needs a boolean, got a string`, position);
}

/**
 * Both sides 64-bit integers (or one an integer-valued double): exact bigint arithmetic. Otherwise doubles.
 * Division stays exact only when it divides evenly; a remainder makes it a double.
 */
export function arithmetic(
  operator: string,
  left: ExpressionValue,
  right: ExpressionValue,
  position: number,
): ExpressionValue {
  if (typeof left === 'number' && typeof right === 'number') return numberOp(operator, left, right, position);
  if (operator === '+' && typeof left === 'string' && typeof right === 'string') return left + right;
  const a = toNumeric(left, operator, position);
  const b = toNumeric(right, operator, position);
  const pair = exactPair(a, b);
  if (pair) return bigintOp(operator, pair[0], pair[1], position);
  return numberOp(operator, Number(a), Number(b), position);
}

function exactPair(a: Numeric, b: Numeric): [bigint, bigint] | undefined {
  if (typeof a === 'number' && typeof b === 'number') return undefined;
  const x = typeof a === 'bigint' ? a : Number.isSafeInteger(a) ? BigInt(a) : undefined;
  const y = typeof b === 'bigint' ? b : Number.isSafeInteger(b) ? BigInt(b) : undefined;
  return x === undefined || y === undefined ? undefined : [x, y];
}

function numberOp(operator: string, a: number, b: number, position: number): number {
  switch (operator) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      if (b === 0) throw new ExpressionError('division by zero', position);
      return a / b;
    case '%':
      if (b === 0) throw new ExpressionError('division by zero', position);
      return a % b;
    case '**':
      return a ** b;
    default:
      throw new ExpressionError(`unknown operator ${operator}`, position);
  }
}

function bigintOp(operator: string, a: bigint, b: bigint, position: number): Numeric {
  switch (operator) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      if (b === 0n) throw new ExpressionError('division by zero', position);
      return a % b === 0n ? a / b : Number(a) / Number(b);
    case '%':
      if (b === 0n) throw new ExpressionError('division by zero', position);
      return a % b;
    case '**':
      return b >= 0n && b <= MAX_BIGINT_EXPONENT ? a ** b : Number(a) ** Number(b);
    default:
      throw new ExpressionError(`unknown operator ${operator}`, position);
  }
}

export function negate(value: ExpressionValue, position: number): Numeric {
  const numeric = toNumeric(value, '-', position);
  return -numeric;
}

export function equals(left: ExpressionValue, right: ExpressionValue): boolean {
  if (typeof left === typeof right) return left === right;
  const numericLeft = typeof left === 'number' || typeof left === 'bigint';
  const numericRight = typeof right === 'number' || typeof right === 'bigint';
  // biome-ignore lint/suspicious/noDoubleEquals: loose equality compares a bigint with a double by value
  return numericLeft && numericRight && left == right;
}

/** Ordering: numbers with numbers (64-bit integers included), strings with strings; anything else is a mistake. */
export function compare(operator: string, left: ExpressionValue, right: ExpressionValue, position: number): boolean {
  const bothStrings = typeof left === 'string' && typeof right === 'string';
  const bothNumeric = isNumeric(left) && isNumeric(right);
  if (!bothStrings && !bothNumeric) {
    throw new ExpressionError(`cannot compare ${describe(left)} ${operator} ${describe(right)}`, position);
  }
  switch (operator) {
    case '<':
      return left < right;
    case '<=':
      return left <= right;
    case '>':
      return left > right;
    case '>=':
      return left >= right;
    default:
      throw new ExpressionError(`unknown operator ${operator}`, position);
  }
}

function isNumeric(value: ExpressionValue): value is Numeric {
  return typeof value === 'number' || typeof value === 'bigint';
}
