/** OPC UA StatusCode → SPEC §4 quality and stable error code (`opcua-<StatusCodeName>`). */
import { getStatusCodeFromCode, type StatusCode } from 'node-opcua';
import { GatewayError } from '../../core/errors.js';
import type { Quality } from '../../core/values.js';
import { opcuaCode } from './errors.js';

/** The symbolic name of a status code without its info bits (Overflow, …): `BadNodeIdUnknown`. */
export function statusName(status: StatusCode | number): string {
  const value = typeof status === 'number' ? status : status.value;
  const base = (value & 0xffff0000) >>> 0;
  const name = getStatusCodeFromCode(base).name;
  // Codes node-opcua does not know come back as plain "Bad"; keep them distinguishable.
  if ((name === 'Bad' && base !== 0x80000000) || (name === 'Good' && base !== 0)) {
    return `0x${base.toString(16).padStart(8, '0').toUpperCase()}`;
  }
  return name;
}

/** Severity is the top two bits: 00 good, 01 uncertain, 1x bad (OPC 10000-4 §7.39). */
export function statusQuality(status: StatusCode | number): Quality {
  const value = typeof status === 'number' ? status : status.value;
  const severity = value >>> 30;
  if (severity === 0) return 'good';
  if (severity === 1) return 'uncertain';
  return 'bad';
}

/** The stable error code for a bad status, e.g. `opcua-BadNodeIdUnknown`. */
export function statusError(status: StatusCode | number): `opcua-${string}` {
  return opcuaCode(statusName(status));
}

/** The stable code of a failed request (the whole service call, not one node's status). */
export function requestErrorCode(err: unknown): string {
  if (err instanceof GatewayError) return err.code;
  const text = err instanceof Error ? err.message : String(err);
  const status = /\b(Bad[A-Z][A-Za-z]+)\b/.exec(text)?.[1];
  if (status === 'BadTimeout' || /timeout|timed out/i.test(text)) return 'timeout';
  if (status) return opcuaCode(status);
  return 'disconnected';
}
