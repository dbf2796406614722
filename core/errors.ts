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
  busy: 'too many requests are waiting for the device; nothing was done, try again later',
  internal: 'unexpected internal error',
} as const;

export type ErrorCode = keyof typeof ErrorCodes | `modbus-exception-${number}` | `opcua-${string}`;

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
