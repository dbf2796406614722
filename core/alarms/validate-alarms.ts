import { type AlarmConfig, type DeviceConfig, TAG_TYPES, type TagConfig } from '../config/schema.js';
import { checkWhen, referenceNames } from './when-condition.js';

const CONDITIONS = ['above', 'below', 'equals', 'when'] as const;
const NUMERIC_TYPES = new Set<string>(TAG_TYPES.filter((t) => t !== 'bool' && t !== 'string'));

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What `equals` must be for a tag of this type, or undefined when any is fine. */
function equalsType(tag: TagConfig): 'number' | 'boolean' | 'string' | undefined {
  if (tag.type === undefined) return undefined;
  if (tag.type === 'bool') return 'boolean';
  if (tag.type === 'string') return 'string';
  return NUMERIC_TYPES.has(tag.type) ? 'number' : undefined;
}

function checkAlarm(tag: TagConfig, def: AlarmConfig, at: string, known: Set<string>, errors: string[]): void {
  const given = CONDITIONS.filter((c) => def[c] !== undefined);
  if (given.length === 0) errors.push(`${at}: give one of above, below, equals, when`);
  if (given.length > 1)
    errors.push(`${at}: give exactly one of above, below, equals, when (found ${given.join(', ')})`);
  for (const limit of ['above', 'below'] as const) {
    if (def[limit] === undefined) continue;
    if (tag.type === 'bool' || tag.type === 'string') {
      errors.push(`${at}.${limit}: a limit needs a numeric tag, and this tag is ${tag.type} (use equals)`);
    }
  }
  const wanted = equalsType(tag);
  if (def.equals !== undefined && wanted !== undefined && typeof def.equals !== wanted) {
    errors.push(`${at}.equals: must be a ${wanted} for a ${tag.type} tag`);
  }
  if (typeof def.deadband === 'number' && def.deadband > 0 && def.above === undefined && def.below === undefined) {
    errors.push(`${at}.deadband: applies to above and below only`);
  }
  for (const e of checkWhen(def, known)) errors.push(`${at}.${e}`);
}

/**
 * The alarms of every tag (SPEC §3.5): one condition each that fits the tag's type, names
 * unique on their tag, readable tags only. Problems are `path: message`.
 */
export function checkAlarms(devices: ReadonlyArray<DeviceConfig | undefined>, errors: string[]): void {
  const known = referenceNames(devices);
  devices.forEach((device, i) => {
    if (!isRecord(device) || !Array.isArray(device.groups)) return;
    device.groups.forEach((group, j) => {
      if (!isRecord(group) || !Array.isArray(group.tags)) return;
      group.tags.forEach((tag, k) => {
        if (!isRecord(tag) || !Array.isArray(tag.alarms)) return;
        const at = `devices[${i}].groups[${j}].tags[${k}].alarms`;
        if (tag.access === 'write' && tag.alarms.length > 0) {
          errors.push(`${at}: a write-only tag is never read, so it cannot have alarms`);
        }
        const seen = new Map<string, number>();
        tag.alarms.forEach((def, m) => {
          if (!isRecord(def)) return;
          if (typeof def.name === 'string') {
            const first = seen.get(def.name);
            if (first !== undefined) {
              errors.push(`${at}[${m}].name: duplicate alarm name "${def.name}" (also at ${at}[${first}].name)`);
            } else seen.set(def.name, m);
          }
          checkAlarm(tag, def, `${at}[${m}]`, known, errors);
        });
      });
    });
  });
}
