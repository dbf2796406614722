import type { ErrorDeclaration } from '../../core/plugin.js';

/** What a Modbus exception code means, as a device manual would say it (Modbus spec §7). */
const MODBUS_EXCEPTIONS: Record<string, string> = {
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

export const MODBUS_EXCEPTION_PREFIX = 'modbus-exception-';

/** The stable code of Modbus exception `n`, e.g. `modbus-exception-2` (illegal data address). */
export function modbusExceptionCode(n: number): `modbus-exception-${number}` {
  return `${MODBUS_EXCEPTION_PREFIX}${n}`;
}

/** The Modbus drivers' own error codes: `modbus-exception-<n>`, the device's exception answer. */
export const MODBUS_ERRORS: readonly ErrorDeclaration[] = [
  {
    code: MODBUS_EXCEPTION_PREFIX,
    prefix: true,
    httpStatus: 502,
    explanation: 'the device answered with Modbus exception {rest}',
    known: MODBUS_EXCEPTIONS,
    advice: 'The device refused the request. Check the address and that the register is writable on the PLC.',
  },
];
