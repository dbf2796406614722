/**
 * S7 absolute addresses as TIA Portal / STEP 7 write them (SPEC §3.3), with English and German
 * mnemonics: `DB5.DBX12.3`, `DB5.DBB12`, `DB5.DBW12`, `DB5.DBD12`, `M10.0`, `MB10`, `MW10`,
 * `MD10`, `I0.0`/`E0.0`, `IB0`, `IW0`, `ID0`, `Q0.0`/`A0.0`, `QB0`, `QW0`, `QD0`.
 */
import type { AreaLetter } from './protocol.js';

/** X = bit, B = byte, W = word (2 bytes), D = double word (4 bytes). */
export type SizeLetter = 'X' | 'B' | 'W' | 'D';

export interface S7Address {
  area: AreaLetter;
  /** Data block number (1..65535); 0 outside DB. */
  db: number;
  /** Byte offset in the area or data block. */
  start: number;
  size: SizeLetter;
  /** Bit 0..7 of the byte, for size X. */
  bit?: number;
}

export const MAX_DB = 65535;
export const MAX_BYTE = 65535;

const USAGE = 'use DB5.DBX12.3, DB5.DBB12, DB5.DBW12, DB5.DBD12, M10.0, MB10, MW10, MD10, I0.0 (E), Q0.0 (A)';
const DB_FORM = /^DB([0-9]+)\.DB([XBWD])([0-9]+)(?:\.([0-9]+))?$/;
const AREA_FORM = /^([MIEQA])([XBWD])?([0-9]+)(?:\.([0-9]+))?$/;
/** German mnemonics: E (Eingang) = I, A (Ausgang) = Q. */
const AREA_OF: Record<string, AreaLetter> = { M: 'M', I: 'I', E: 'I', Q: 'Q', A: 'Q' };

function fail(text: string, problem: string): never {
  throw new Error(`${text}: ${problem}`);
}

function byteOffset(text: string, digits: string): number {
  const n = Number(digits);
  if (digits.length > 6 || n > MAX_BYTE) fail(text, `byte offset must be 0..${MAX_BYTE}`);
  return n;
}

function bitIndex(text: string, size: SizeLetter, digits: string | undefined): number | undefined {
  if (size !== 'X') {
    if (digits !== undefined)
      fail(text, `a bit index belongs to a bit address (${size} is a whole ${SIZE_NAME[size]})`);
    return undefined;
  }
  if (digits === undefined) fail(text, 'a bit address needs a bit index, e.g. .0');
  const bit = Number(digits);
  if (digits.length > 1 || bit > 7) fail(text, 'bit index must be 0..7');
  return bit;
}

export const SIZE_NAME: Record<SizeLetter, string> = { X: 'bit', B: 'byte', W: 'word', D: 'double word' };

/** Parses an address (letters in any case); throws an Error whose message starts with the address. */
export function parseS7Address(text: string): S7Address {
  if (text === '') throw new Error(`empty address; ${USAGE}`);
  if (text.trim() !== text) fail(JSON.stringify(text), 'address must not start or end with spaces');
  const upper = text.toUpperCase();
  const db = DB_FORM.exec(upper);
  if (db) {
    const number = Number(db[1]);
    if ((db[1] as string).length > 5 || number < 1 || number > MAX_DB) fail(text, `DB number must be 1..${MAX_DB}`);
    const size = db[2] as SizeLetter;
    const start = byteOffset(text, db[3] as string);
    const bit = bitIndex(text, size, db[4]);
    return bit === undefined ? { area: 'DB', db: number, start, size } : { area: 'DB', db: number, start, size, bit };
  }
  const area = AREA_FORM.exec(upper);
  if (area) {
    const size = (area[2] ?? 'X') as SizeLetter;
    const start = byteOffset(text, area[3] as string);
    const bit = bitIndex(text, size, area[4]);
    const letter = AREA_OF[area[1] as string] as AreaLetter;
    return bit === undefined ? { area: letter, db: 0, start, size } : { area: letter, db: 0, start, size, bit };
  }
  if (/^DB[0-9]+\./.test(upper)) fail(text, `after DBn. comes DBX, DBB, DBW or DBD; ${USAGE}`);
  const letter = /^[A-Z]+/.exec(upper)?.[0];
  if (letter && !/^DB/.test(upper)) {
    fail(text, `unknown area "${letter[0]}"; areas are DB, M, I (E), Q (A) — ${USAGE}`);
  }
  return fail(text, `unknown address; ${USAGE}`);
}

/** The canonical (English) text of an address. */
export function formatS7Address(a: S7Address): string {
  const bit = a.bit === undefined ? '' : `.${a.bit}`;
  if (a.area === 'DB') return `DB${a.db}.DB${a.size}${a.start}${bit}`;
  return `${a.area}${a.size === 'X' ? '' : a.size}${a.start}${bit}`;
}
