/** Modbus address syntax (SPEC §3.1): `hr:N`, `ir:N`, `coil:N`, `di:N`, `hr:N.B`, `ir:N.B`, Modicon numbers. */

export type Area = 'hr' | 'ir' | 'coil' | 'di';

export interface ModbusAddress {
  area: Area;
  /** Zero-based protocol offset, 0..65535. */
  offset: number;
  /** Bit of a register, 0 = least significant; only for hr and ir. */
  bit?: number;
}

const USAGE = 'use hr:N, ir:N, coil:N, di:N, hr:N.B or a Modicon number like 40001';
const MAX_OFFSET = 65535;

const NUMBER_NAME: Record<Area, string> = {
  hr: 'register number',
  ir: 'register number',
  coil: 'coil number',
  di: 'input number',
};

// The leading digit of a Modicon number selects the area.
const MODICON_AREA: Record<string, Area> = { '0': 'coil', '1': 'di', '3': 'ir', '4': 'hr' };

const AREAS: Record<Area, Area> = { hr: 'hr', ir: 'ir', coil: 'coil', di: 'di' };
const PREFIXED = /^(hr|ir|coil|di):([^.]*)(?:\.(.*))?$/;
const DIGITS = /^[0-9]+$/;
const MODICON = /^[0-9]{5,6}$/;

function fail(text: string, problem: string): never {
  throw new Error(`${text}: ${problem}`);
}

/** Parses an address; throws an Error whose message starts with the text and names the problem. */
export function parseAddress(text: string): ModbusAddress {
  if (text === '') throw new Error(`empty address; ${USAGE}`);
  // Strict on purpose: an address with stray spaces is more likely a typo than intent.
  if (text.trim() !== text) fail(JSON.stringify(text), 'address must not start or end with spaces');

  const m = PREFIXED.exec(text);
  // The area as the constant string, not the copy the match made: one fewer string per tag.
  if (m) return parsePrefixed(text, AREAS[m[1] as Area], m[2] ?? '', m[3]);
  if (MODICON.test(text)) return parseModicon(text);
  return fail(text, `unknown address; ${USAGE}`);
}

function parsePrefixed(text: string, area: Area, num: string, bitText: string | undefined): ModbusAddress {
  const offset = DIGITS.test(num) ? Number(num) : Number.NaN;
  if (!(offset <= MAX_OFFSET)) fail(text, `${NUMBER_NAME[area]} must be 0..${MAX_OFFSET}`);
  if (bitText === undefined) return { area, offset };
  if (area !== 'hr' && area !== 'ir') fail(text, 'bits can only be taken from hr or ir');
  const bit = DIGITS.test(bitText) ? Number(bitText) : Number.NaN;
  if (!(bit <= 15)) fail(text, 'bit must be 0..15');
  return { area, offset, bit };
}

function parseModicon(text: string): ModbusAddress {
  const area = MODICON_AREA[text[0] ?? ''];
  if (!area) return fail(text, `unknown address; ${USAGE}`);
  const number = Number(text.slice(1));
  if (number === 0) fail(text, `Modicon numbers are one-based; ${text[0]}${'0'.repeat(text.length - 2)}1 is ${area}:0`);
  // Only six digits can overshoot: they reach 99999, the protocol stops at 65536 (one-based).
  if (number > MAX_OFFSET + 1) fail(text, `${NUMBER_NAME[area]} must be 1..${MAX_OFFSET + 1} in a Modicon number`);
  return { area, offset: number - 1 };
}

/** The canonical text of an address: `hr:N` or `hr:N.B`. */
export function formatAddress(a: ModbusAddress): string {
  return a.bit === undefined ? `${a.area}:${a.offset}` : `${a.area}:${a.offset}.${a.bit}`;
}

/** Holding registers and coils can be written; input registers and discrete inputs cannot. */
export function isWritableArea(area: Area): boolean {
  return area === 'hr' || area === 'coil';
}
