/**
 * Sparkplug B payloads through Eclipse Tahu's encoder (`sparkplug-payload`). Its typings
 * collapse metric values to `any` (they name a `long` type that does not resolve), so
 * this file is the one place that talks to it: typed objects in, plain values out.
 */
import type sparkplugModule from 'sparkplug-payload';
import { lazyModule } from '../../core/lazy-module.js';
import type { Value } from '../../core/values.js';

type SpbCodec = NonNullable<ReturnType<(typeof sparkplugModule)['get']>>;
const sparkplugPayload = lazyModule<typeof sparkplugModule>('sparkplug-payload');
let codec: SpbCodec | undefined;
/**
 * The encoder, loaded (synchronously) at the first payload: sparkplug-payload brings
 * protobufjs, which a gateway without a Sparkplug B app does not need in memory.
 */
function spb(): SpbCodec {
  if (codec) return codec;
  const loaded = sparkplugPayload().get('spBv1.0');
  if (!loaded) throw new Error('sparkplug-payload does not know namespace spBv1.0');
  codec = loaded;
  return loaded;
}

/** The Sparkplug datatypes this gateway sends (Sparkplug 3.0 §6.4.16). */
export type SpbType =
  | 'Int8'
  | 'Int16'
  | 'Int32'
  | 'Int64'
  | 'UInt8'
  | 'UInt16'
  | 'UInt32'
  | 'UInt64'
  | 'Float'
  | 'Double'
  | 'Boolean'
  | 'String';

/** A 64-bit integer as protobufjs writes it: two's-complement 32-bit halves. */
export interface LongBits {
  low: number;
  high: number;
  unsigned: boolean;
}

export type SpbValue = null | number | boolean | string | LongBits;

export interface SpbProperty {
  type: 'Int32' | 'String' | 'Boolean';
  value: number | string | boolean;
}

export interface SpbMetric {
  name?: string;
  alias?: number;
  type: SpbType;
  /** null is sent as is_null. */
  value: SpbValue;
  timestamp?: number;
  isHistorical?: boolean;
  properties?: Record<string, SpbProperty>;
}

export interface SpbPayload {
  timestamp: number;
  /** Absent only in NDEATH. */
  seq?: number;
  metrics: SpbMetric[];
}

export function encodePayload(payload: SpbPayload): Buffer {
  const bytes = spb().encodePayload(payload);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function longBits(value: bigint, unsigned: boolean): LongBits {
  const u = BigInt.asUintN(64, value);
  // `| 0`: protobufjs takes the halves as 32-bit integers and re-reads them unsigned.
  return { low: Number(u & 0xffffffffn) | 0, high: Number(u >> 32n) | 0, unsigned };
}

/** A received metric, with 64-bit integers as exact numbers or bigints. */
export interface ReceivedMetric {
  name?: string;
  alias?: number;
  type?: string;
  value: Value;
  timestamp?: number;
}

export interface ReceivedPayload {
  timestamp?: number;
  seq?: number;
  metrics: ReceivedMetric[];
}

/** Decodes a command (NCMD/DCMD); throws on bytes that are not a Sparkplug B payload. */
export function decodePayload(bytes: Uint8Array): ReceivedPayload {
  const raw: unknown = spb().decodePayload(bytes);
  const payload = record(raw);
  const metrics = Array.isArray(payload.metrics) ? payload.metrics : [];
  const out: ReceivedPayload = { metrics: metrics.map((m: unknown) => receivedMetric(record(m))) };
  const timestamp = toNumber(payload.timestamp);
  const seq = toNumber(payload.seq);
  if (timestamp !== undefined) out.timestamp = timestamp;
  if (seq !== undefined) out.seq = seq;
  return out;
}

function receivedMetric(m: Record<string, unknown>): ReceivedMetric {
  const type = typeof m.type === 'string' ? m.type : undefined;
  const metric: ReceivedMetric = { value: plainValue(type, m.value) };
  if (typeof m.name === 'string') metric.name = m.name;
  if (type) metric.type = type;
  const alias = toNumber(m.alias);
  if (alias !== undefined) metric.alias = alias;
  const timestamp = toNumber(m.timestamp);
  if (timestamp !== undefined) metric.timestamp = timestamp;
  return metric;
}

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Tahu hands 64-bit fields back as `Long` objects (and Int64 unsigned): reinterpret by datatype. */
function plainValue(type: string | undefined, raw: unknown): Value {
  if (raw === null || raw === undefined) return null;
  if (type === 'Int64' || type === 'UInt64') {
    const v = toBigInt(raw, type === 'Int64');
    if (v === undefined) return null;
    return v >= MIN_SAFE && v <= MAX_SAFE ? Number(v) : v;
  }
  if (type === 'UInt32' || type === 'DateTime') return toNumber(raw) ?? null;
  if (typeof raw === 'number' || typeof raw === 'boolean' || typeof raw === 'string') return raw;
  return null;
}

function toBigInt(raw: unknown, signed: boolean): bigint | undefined {
  let u: bigint;
  if (typeof raw === 'number' && Number.isInteger(raw)) u = BigInt.asUintN(64, BigInt(raw));
  else if (typeof raw === 'bigint') u = BigInt.asUintN(64, raw);
  else if (isLongLike(raw)) u = (BigInt(raw.high >>> 0) << 32n) | BigInt(raw.low >>> 0);
  else return undefined;
  return signed ? BigInt.asIntN(64, u) : u;
}

/** Unsigned integers (timestamps, seq, alias) as plain numbers. */
function toNumber(raw: unknown): number | undefined {
  if (typeof raw === 'number') return raw;
  const v = toBigInt(raw, false);
  return v === undefined ? undefined : Number(v);
}

function isLongLike(v: unknown): v is { low: number; high: number } {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as LongBits).low === 'number' &&
    typeof (v as LongBits).high === 'number'
  );
}

function record(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
}
