import type { TagValue } from '../../core/values.js';
import { modbusExceptionCode } from './errors.js';

/**
 * Exceptions by which a Modbus gateway (TCP → RTU) says that the unit behind it did not
 * answer: 10 (gateway path unavailable) and 11 (gateway target device failed to respond).
 * For that unit they mean what a timeout means on a direct line.
 */
const GATEWAY_NO_ANSWER: ReadonlySet<string> = new Set([modbusExceptionCode(10), modbusExceptionCode(11)]);

export function isGatewayNoAnswer(code: string | undefined): boolean {
  return code !== undefined && GATEWAY_NO_ANSWER.has(code);
}

/**
 * Why a whole read got nothing from the unit itself, or undefined when the unit answered
 * at least one tag: a gateway's no-answer exception (`modbus-exception-11` …) if any tag
 * got one, else `timeout`.
 */
export function unitSilence(values: readonly TagValue[]): string | undefined {
  let silence: string | undefined;
  for (const v of values) {
    if (isGatewayNoAnswer(v.error)) silence = v.error;
    else if (v.error === 'timeout') silence ??= 'timeout';
    else return undefined;
  }
  return silence;
}
