import type { Value } from './values.js';

/**
 * JSON text for a tag value. 64-bit integers (bigint) are written as exact JSON
 * integers, which JSON.stringify cannot do; non-finite floats become null.
 */
export function valueToJson(value: Value): string {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    default:
      return stringifyExact(value);
  }
}

const BIGINT_MARK = '\u0000bigint:';

/** JSON.stringify that keeps bigints exact (as JSON integers). */
export function stringifyExact(data: unknown, space?: number): string {
  let sawBigint = false;
  const text = JSON.stringify(
    data,
    (_key, v: unknown) => {
      if (typeof v === 'bigint') {
        sawBigint = true;
        return BIGINT_MARK + v.toString();
      }
      return v;
    },
    space,
  );
  if (text === undefined) return 'null';
  return sawBigint ? text.replace(/"\\u0000bigint:(-?\d+)"/g, '$1') : text;
}

/**
 * JSON.parse that keeps integers beyond 2^53 exact as bigint (so a `_set` of a
 * uint64 value is not rounded through a double).
 */
export function parseExact(text: string): unknown {
  const quoted = text.replace(
    /("(?:[^"\\]|\\.)*")|(?<![\w.+-])(-?\d{16,})(?![\d.eE])/g,
    (_match, str: string | undefined, big: string) =>
      str ? str : Number.isSafeInteger(Number(big)) ? big : `"\\u0000bigint:${big}"`,
  );
  return JSON.parse(quoted, (_key, v: unknown) =>
    typeof v === 'string' && v.startsWith(BIGINT_MARK) ? BigInt(v.slice(BIGINT_MARK.length)) : v,
  );
}
