/**
 * Reads what the subscriber needs from a tagwire payload without parsing all of it: a number
 * after a key, and the number of entries of a group message's "values" / "errors" objects
 * (bench tags hold numbers and booleans only, so every entry has exactly one ':').
 */
const NUMBER_CHARS = new Set('0123456789.eE+-'.split('').map((c) => c.charCodeAt(0)));
const VALUES = Buffer.from('"values":{');
const ERRORS = Buffer.from('},"errors":{');
const COLON = 0x3a;

/** The number right after `key` (e.g. `"timestamp":`), or NaN. */
export function numberAfter(payload: Buffer, key: Buffer, from = 0): number {
  const at = payload.indexOf(key, from);
  if (at < 0) return Number.NaN;
  const start = at + key.length;
  let end = start;
  while (end < payload.length && NUMBER_CHARS.has(payload[end] as number)) end++;
  return end > start ? Number(payload.toString('latin1', start, end)) : Number.NaN;
}

function colons(payload: Buffer, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) if (payload[i] === COLON) n++;
  return n;
}

/** Entries in a group payload's `values` and `errors`. */
export function groupCounts(payload: Buffer): { values: number; errors: number } {
  const v = payload.indexOf(VALUES);
  const e = payload.indexOf(ERRORS, v);
  if (v < 0 || e < 0) return { values: 0, errors: 0 };
  return { values: colons(payload, v + VALUES.length, e), errors: colons(payload, e + ERRORS.length, payload.length) };
}
