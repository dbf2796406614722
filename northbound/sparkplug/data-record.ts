/**
 * What the disk spool holds for one DDATA: device, tag names and values, not the encoded
 * message. seq, aliases and is_historical are only known when the message is sent (after
 * an outage, a restart or a configuration change they differ), so it is encoded then.
 */
import { parseExact, stringifyExact } from '../../core/json.js';
import type { Quality, TagValue, Value } from '../../core/values.js';

export interface DataRecord {
  device: string;
  /**
   * The device's birth (epoch) the values were read under; '' when the device was not
   * born at the time (host offline, broker down). A record sent under another epoch is history.
   */
  epoch: string;
  values: Array<{ tag: string; value: TagValue }>;
}

type Row = [tag: string, value: Value, timestamp: number, quality: Quality, error?: string];

export function encodeRecord(record: DataRecord): string {
  const rows: Row[] = record.values.map(({ tag, value: v }) =>
    v.error ? [tag, v.value, v.timestamp, v.quality, v.error] : [tag, v.value, v.timestamp, v.quality],
  );
  // stringifyExact: 64-bit integers stay exact on disk.
  return stringifyExact({ d: record.device, e: record.epoch, m: rows });
}

/** The record in a spool row; undefined for anything else (a row this code did not write). */
export function decodeRecord(payload: string | Buffer): DataRecord | undefined {
  let parsed: unknown;
  try {
    parsed = parseExact(typeof payload === 'string' ? payload : payload.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { d, e, m } = parsed as { d?: unknown; e?: unknown; m?: unknown };
  if (typeof d !== 'string' || typeof e !== 'string' || !Array.isArray(m)) return undefined;
  const values: DataRecord['values'] = [];
  for (const row of m as unknown[]) {
    if (!Array.isArray(row)) continue;
    const [tag, value, timestamp, quality, error] = row as unknown[];
    if (typeof tag !== 'string' || typeof timestamp !== 'number' || !isQuality(quality)) continue;
    const v: TagValue = { value: value as Value, timestamp, quality };
    if (typeof error === 'string') v.error = error;
    values.push({ tag, value: v });
  }
  return { device: d, epoch: e, values };
}

function isQuality(q: unknown): q is Quality {
  return q === 'good' || q === 'uncertain' || q === 'bad';
}
