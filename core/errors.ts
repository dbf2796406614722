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
  'input-bad': 'a computed tag has an input whose quality is bad (or that has no value yet)',
  'expression-error': 'a computed tag’s expression failed or gave a number that is not finite',
  'no-data': 'an aggregate window ended without a good sample of its input',
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

/** What a Modbus exception code means, as a device manual would say it (Modbus spec §7). */
const MODBUS_EXCEPTIONS: Record<number, string> = {
  1: 'illegal function: the device does not support this kind of request (e.g. coils on a register-only device)',
  2: 'illegal data address: the device has no register there',
  3: 'illegal data value: the device refused the quantity or value (e.g. too many registers in one read)',
  4: 'device failure: the device hit an internal error while answering',
  5: 'acknowledge: the device accepted the request but needs more time',
  6: 'device busy: the device is busy with a long command; it is retried later',
  8: 'memory parity error: the device found a fault in its memory',
  10: 'gateway path unavailable: the Modbus gateway has no route to this unit id',
  11: 'gateway target did not respond: no device answered behind the Modbus gateway (check unit id and cabling)',
};

/** The OPC UA status codes people meet most, in words. */
const OPCUA_STATUS: Record<string, string> = {
  BadCertificateUntrusted: 'the server’s certificate is not trusted yet: trust it on the Certificates page',
  BadSecurityChecksFailed: 'the server does not trust the gateway’s certificate, or a security check failed',
  BadSecurityPolicyRejected: 'the server does not offer this security policy and mode',
  BadIdentityTokenRejected: 'the server refused the user name and password (or anonymous login)',
  BadUserAccessDenied: 'the user has no right to do this on the server',
  BadNodeIdUnknown: 'the server has no node with this id',
  BadNotReadable: 'the node cannot be read',
  BadNotWritable: 'the node cannot be written',
  BadTypeMismatch: 'the value has the wrong data type for the node',
  BadTimeout: 'the server did not answer in time',
  BadConnectionRejected: 'the server refused the connection',
  BadTooManySessions: 'the server has no room for another session',
  BadCommunicationError: 'the connection to the server failed',
};

/**
 * A one-line explanation of an error code for people (UI, `tagwire` output): the stable
 * codes' meanings, Modbus exceptions and common OPC UA status codes; undefined if unknown.
 */
export function explainError(code: string): string | undefined {
  const known = (ErrorCodes as Record<string, string>)[code];
  if (known) return known;
  const modbus = /^modbus-exception-(\d+)$/.exec(code);
  if (modbus) return MODBUS_EXCEPTIONS[Number(modbus[1])] ?? `the device answered with Modbus exception ${modbus[1]}`;
  if (code.startsWith('opcua-')) return OPCUA_STATUS[code.slice('opcua-'.length)];
  return undefined;
}
