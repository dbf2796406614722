/** Validation of an OPC UA tag against SPEC §3.2, as `field: message` strings. */
import type { TagConfig } from '../../core/config/schema.js';
import { MISSING_ADDRESS, type TagCheck } from '../../core/plugin.js';
import { parseNodeId } from './nodeid.js';

/** `type` may be left out: the server's data type is used, so no defaults are filled in. */
export function checkOpcuaTag(tag: TagConfig): TagCheck {
  const errors: string[] = [];
  if (tag.address === undefined) errors.push(MISSING_ADDRESS);
  else {
    try {
      parseNodeId(tag.address);
    } catch (err) {
      errors.push(`address: ${(err as Error).message}`);
    }
  }
  if (tag.length !== undefined && tag.type !== 'string') errors.push('length: only used with type string');
  if (!(tag.deadband >= 0)) errors.push('deadband: must be 0 or more');
  if (!Number.isFinite(tag.scale) || tag.scale === 0) errors.push('scale: must be a non-zero number');
  if (!Number.isFinite(tag.offset)) errors.push('offset: must be a number');
  if (tag.type === 'bool' || tag.type === 'string') {
    if (tag.scale !== 1) errors.push(`scale: only numeric types are scaled; remove it for type ${tag.type}`);
    if (tag.offset !== 0) errors.push(`offset: only numeric types are scaled; remove it for type ${tag.type}`);
  }
  return { errors };
}
