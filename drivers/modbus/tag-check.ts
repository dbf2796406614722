/** Validation of a Modbus tag's address, type and access against SPEC §3.1, as `field: message` strings. */
import type { TagConfig, TagType } from '../../core/config/schema.js';
import { MISSING_ADDRESS } from '../../core/plugin.js';
import { formatAddress, isWritableArea, type ModbusAddress, parseAddress } from './address.js';
import { registerCount } from './codec.js';
import { BYTE_ORDERS, type ByteOrder } from './tag-fields.js';

export interface TagCheck {
  errors: string[];
  defaults: Partial<TagConfig>;
}

/** Checks one tag; `defaults` holds what the driver fills in (the type when none was given). */
export function checkModbusTag(tag: TagConfig, defaultByteOrder: ByteOrder): TagCheck {
  const errors: string[] = [];
  const defaults: Partial<TagConfig> = {};

  let address: ModbusAddress | undefined;
  if (tag.address === undefined) errors.push(MISSING_ADDRESS);
  else {
    try {
      address = parseAddress(tag.address);
    } catch (err) {
      errors.push(`address: ${(err as Error).message}`);
    }
  }

  // Settings arrive untyped from the device, so the device default is checked here too.
  const order = tag.byteOrder ?? defaultByteOrder;
  if (!(BYTE_ORDERS as readonly unknown[]).includes(order)) {
    errors.push(`byteOrder: ${String(order)} is not one of ${BYTE_ORDERS.join(', ')}`);
  }

  const isBit =
    address !== undefined && (address.area === 'coil' || address.area === 'di' || address.bit !== undefined);
  const type: TagType | undefined = tag.type ?? (address ? (isBit ? 'bool' : 'uint16') : undefined);
  if (tag.type === undefined && type !== undefined) defaults.type = type;

  if (type === 'string' && tag.length === undefined) errors.push('length: required for type string');
  if (tag.length !== undefined && tag.length > MAX_STRING_BYTES) {
    errors.push(`length: at most ${MAX_STRING_BYTES} bytes (one Modbus read holds 123 registers)`);
  }
  if (type !== undefined && type !== 'string' && tag.length !== undefined) {
    errors.push('length: only used with type string');
  }
  if (!Number.isFinite(tag.scale) || tag.scale === 0) errors.push('scale: must be a non-zero number');
  if (!Number.isFinite(tag.offset)) errors.push('offset: must be a number');
  if (type === 'bool' || type === 'string') {
    if (tag.scale !== 1) errors.push(`scale: only numeric types are scaled; remove it for type ${type}`);
    if (tag.offset !== 0) errors.push(`offset: only numeric types are scaled; remove it for type ${type}`);
  }

  if (type === 'int8' || type === 'uint8') {
    errors.push(`type: ${type} is an S7 byte type; a Modbus register holds 16 bits (use int16 or uint16)`);
    return { errors, defaults };
  }
  if (address && type) errors.push(...checkAddress(address, type, tag));
  return { errors, defaults };
}

/** The bytes of the 123 registers one Modbus read may return. */
const MAX_STRING_BYTES = 246;

function checkAddress(address: ModbusAddress, type: TagType, tag: TagConfig): string[] {
  const errors: string[] = [];
  const text = formatAddress(address);
  if (address.bit !== undefined) {
    if (type !== 'bool') errors.push(`type: ${text} is a single bit; use type bool`);
    if (tag.access !== 'read') errors.push('access: a bit of a register cannot be written');
    return errors;
  }
  if (address.area === 'coil' || address.area === 'di') {
    if (type !== 'bool') errors.push(`type: ${text} is a single bit; use type bool`);
  } else if (type === 'bool') {
    errors.push(`type: use ${address.area}:N.B to read one bit of a register, e.g. ${text}.0`);
  } else if (type !== 'string' || tag.length !== undefined) {
    const count = registerCount(type, tag.length);
    if (address.offset + count - 1 > 65535) {
      errors.push(`address: ${type} at ${text} needs ${count} registers and runs past register 65535`);
    }
  }
  if (!isWritableArea(address.area) && tag.access !== 'read') errors.push(`access: ${text} is read-only`);
  return errors;
}
