/** Validation of an S7 tag's address, type and access against SPEC §3.3, as `field: message` strings. */
import type { TagConfig } from '../../core/config/schema.js';
import { MISSING_ADDRESS, type TagCheck } from '../../core/plugin.js';
import { formatS7Address, MAX_BYTE, parseS7Address, type S7Address, SIZE_NAME, type SizeLetter } from './address.js';
import { byteSize, isS7Type, S7_TYPES, type S7Type } from './codec.js';

/** Which types each size letter holds; B also starts the types longer than a double word. */
const TYPES_OF_SIZE: Record<SizeLetter, readonly S7Type[]> = {
  X: ['bool'],
  B: ['int8', 'uint8', 'string', 'int64', 'uint64', 'float64'],
  W: ['int16', 'uint16'],
  D: ['int32', 'uint32', 'float32'],
};

/** Longest S7 STRING: its length bytes hold 0..254. */
export const MAX_STRING_LENGTH = 254;

export function checkS7Tag(tag: TagConfig): TagCheck {
  const errors: string[] = [];
  const defaults: Partial<TagConfig> = {};
  let address: S7Address | undefined;
  if (tag.address === undefined) errors.push(MISSING_ADDRESS);
  else {
    try {
      address = parseS7Address(tag.address);
    } catch (err) {
      errors.push(`address: ${(err as Error).message}`);
    }
  }

  const given = tag.type as string | undefined;
  let type: S7Type | undefined;
  if (given !== undefined) {
    if (isS7Type(given)) type = given;
    else errors.push(`type: ${given} is not an S7 type; use one of ${S7_TYPES.join(', ')}`);
  } else if (address?.size === 'X') {
    type = 'bool';
    defaults.type = 'bool';
  } else if (address) {
    errors.push(`type: required for ${formatS7Address(address)} (only a bit address defaults to bool)`);
  }

  if (type === 'string') {
    if (tag.length === undefined) errors.push('length: required for type string (the STRING[n] declared in the PLC)');
    else if (tag.length > MAX_STRING_LENGTH) errors.push(`length: an S7 STRING holds at most ${MAX_STRING_LENGTH}`);
  } else if (type !== undefined && tag.length !== undefined) {
    errors.push('length: only used with type string');
  }
  if (!Number.isFinite(tag.scale) || tag.scale === 0) errors.push('scale: must be a non-zero number');
  if (!Number.isFinite(tag.offset)) errors.push('offset: must be a number');
  if (type === 'bool' || type === 'string') {
    if (tag.scale !== 1) errors.push(`scale: only numeric types are scaled; remove it for type ${type}`);
    if (tag.offset !== 0) errors.push(`offset: only numeric types are scaled; remove it for type ${type}`);
  }
  if (address && type) errors.push(...checkFit(address, type, tag));
  return { errors, defaults };
}

function checkFit(address: S7Address, type: S7Type, tag: TagConfig): string[] {
  const errors: string[] = [];
  const text = formatS7Address(address);
  if (!TYPES_OF_SIZE[address.size].includes(type)) {
    const fits = TYPES_OF_SIZE[address.size].join(', ');
    errors.push(`type: ${type} does not fit ${tag.address}, a ${SIZE_NAME[address.size]} address (it holds ${fits})`);
    return errors;
  }
  if (type !== 'string' || (tag.length !== undefined && tag.length <= MAX_STRING_LENGTH)) {
    const bytes = byteSize(type, tag.length);
    if (address.start + bytes - 1 > MAX_BYTE) {
      errors.push(`address: ${type} at ${text} needs ${bytes} bytes and runs past byte ${MAX_BYTE}`);
    }
  }
  if (address.area === 'I' && tag.access !== 'read') {
    errors.push(`access: ${tag.address} is a process input, read-only`);
  }
  return errors;
}
