/**
 * The S7 driver's stable error codes (`s7-…`): what a PLC's item return code or job error
 * means, in words a plant engineer can act on.
 */
import { GatewayError } from '../../core/errors.js';
import type { ErrorDeclaration } from '../../core/plugin.js';

export const S7_ERRORS = {
  's7-connection-refused':
    'the PLC accepted TCP but refused the S7 connection: check rack/slot (S7-1200/1500: 0/1, S7-300: 0/2) or the TSAPs',
  's7-hardware-fault': 'the PLC reported a hardware fault for this address',
  's7-access-denied':
    'the PLC refused access: enable "Permit access with PUT/GET" in the CPU properties (S7-1200/1500)',
  's7-address-out-of-range': 'the address lies beyond the end of the data block or memory area',
  's7-data-type-not-supported': 'the PLC does not support this transport size for the address',
  's7-data-type-inconsistent': 'the data sent does not fit the address',
  's7-object-does-not-exist':
    'the data block does not exist, or is "optimized": untick "Optimized block access" in its properties (S7-1200/1500)',
  's7-item-error': 'the PLC refused the item with a return code this driver does not know',
  's7-job-error': 'the PLC refused the whole request (S7 error class and code in the message)',
} as const;

export type S7ErrorCode = keyof typeof S7_ERRORS;

/** Read/Write Var item return codes (S7comm) and the stable code each becomes. */
const RETURN_CODES: Record<number, S7ErrorCode> = {
  1: 's7-hardware-fault',
  3: 's7-access-denied',
  5: 's7-address-out-of-range',
  6: 's7-data-type-not-supported',
  7: 's7-data-type-inconsistent',
  10: 's7-object-does-not-exist',
};

/** What to do about each code, shown under an API error in the UI. */
const ADVICE: Partial<Record<S7ErrorCode, string>> = {
  's7-connection-refused': 'Check rack and slot in the device settings (or localTSAP/remoteTSAP for LOGO! and S7-200).',
  's7-access-denied':
    'In TIA Portal: CPU properties → Protection & Security → tick "Permit access with PUT/GET communication".',
  's7-object-does-not-exist':
    'Check the DB number; in TIA Portal untick "Optimized block access" in the data block\'s properties and download it.',
  's7-address-out-of-range': "Check the byte offset against the data block's size (its offsets are in TIA Portal).",
};

/** The S7 driver's error codes for the registry: all are the PLC's answer, so 502 over HTTP. */
export const S7_ERROR_DECLARATIONS: readonly ErrorDeclaration[] = (Object.keys(S7_ERRORS) as S7ErrorCode[]).map(
  (code) => ({ code, httpStatus: 502, explanation: S7_ERRORS[code], advice: ADVICE[code] }),
);

export function s7Error(code: S7ErrorCode, message?: string): GatewayError {
  return new GatewayError(code, message ?? S7_ERRORS[code]);
}

/** The stable code for an item's return code; unknown ones keep the number in the message. */
export function itemError(returnCode: number, what: string): GatewayError {
  const code = RETURN_CODES[returnCode] ?? 's7-item-error';
  const detail = `${S7_ERRORS[code]} (return code 0x${returnCode.toString(16).padStart(2, '0')})`;
  return s7Error(code, `${what}: ${detail}`);
}

/** A job refused in the answer header (error class and code). */
export function jobError(errorClass: number, errorCode: number): GatewayError {
  const hex = ((errorClass << 8) | errorCode).toString(16).padStart(4, '0');
  if (errorClass === 0x85) return s7Error('s7-job-error', `the PLC refused the request as too large (0x${hex})`);
  if (errorClass === 0xd6 || errorClass === 0x81) {
    return s7Error('s7-access-denied', `the PLC refused the request (0x${hex}): ${S7_ERRORS['s7-access-denied']}`);
  }
  return s7Error('s7-job-error', `the PLC refused the request with S7 error 0x${hex}`);
}
