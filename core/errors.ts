import type { ErrorDeclaration } from './error-table.js';

/**
 * Stable error codes. They appear in published values (`error`), in `_set/result`,
 * in the API and in logs; users write alarms against them, so they never change meaning.
 */
export const ErrorCodes = {
  timeout: 'the device did not answer in time',
  disconnected: 'no connection to the device',
  'connection-refused': 'the device refused the connection',
  'bad-response': 'the device answered with a malformed or mismatched frame',
  'not-a-number': 'the device sent NaN or ±Infinity, which JSON cannot carry',
  'read-only': 'the tag cannot be written',
  'write-only': 'the tag cannot be read',
  'invalid-value': 'the value has the wrong JSON type for the tag, or is not a whole number for an integer tag',
  'out-of-range': 'the value does not fit the tag type',
  'unknown-device': 'no such device',
  'unknown-tag': 'no such tag',
  'not-found': 'no such thing',
  'device-disabled': 'the device is disabled',
  'not-connected': 'the device is not connected',
  'invalid-config': 'the configuration is invalid',
  'not-supported': 'the driver cannot do this',
  'invalid-address': 'the address is not one this driver understands, or is out of range',
  busy: 'too many requests are waiting for the device; nothing was done, try again later',
  internal: 'unexpected internal error',
} as const;

export type CoreErrorCode = keyof typeof ErrorCodes;
/**
 * A plugin's codes carry its own prefix and a dash (`modbus-exception-2`, `opcua-BadTimeout`,
 * `s7-…`) and are declared in its manifest (`DriverManifest.errors`).
 */
export type PluginErrorCode = `${string}-${string}`;
export type ErrorCode = CoreErrorCode | PluginErrorCode;

/** HTTP status of an API answer failing with each core code; a code without one is a 500. */
const CORE_HTTP_STATUS: Partial<Record<CoreErrorCode, number>> = {
  'invalid-config': 400,
  'not-supported': 400,
  'invalid-value': 400,
  'invalid-address': 400,
  'out-of-range': 400,
  'read-only': 400,
  'write-only': 400,
  'unknown-device': 404,
  'unknown-tag': 404,
  'not-found': 404,
  'device-disabled': 409,
  'not-connected': 409,
  busy: 503,
  timeout: 504,
  disconnected: 502,
  'bad-response': 502,
};

/** The core's own codes as declarations, first in every registry's error table. */
export const CORE_ERRORS: readonly ErrorDeclaration[] = Object.entries(ErrorCodes).map(([code, explanation]) => ({
  code,
  httpStatus: CORE_HTTP_STATUS[code as CoreErrorCode] ?? 500,
  explanation,
}));

/** An error with a stable code; `message` is for humans, `code` is for machines. */
export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly details: string[];

  constructor(code: ErrorCode, message?: string, details: string[] = []) {
    super(message ?? (ErrorCodes as Record<string, string>)[code] ?? code);
    this.name = 'GatewayError';
    this.code = code;
    this.details = details;
  }
}

/** The stable code of any thrown thing, `internal` when it carries none. */
export function errorCode(err: unknown): ErrorCode {
  if (err instanceof GatewayError) return err.code;
  return 'internal';
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
