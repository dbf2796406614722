import type { DeviceConfig, TagConfig } from './schema.js';

export interface TagChange {
  group: string;
  tag: string;
  /** The fields that differ, e.g. `type: uint16 → float32`. */
  fields: string[];
}

export interface TagsDiff {
  added: Array<{ group: string; tag: string }>;
  removed: Array<{ group: string; tag: string }>;
  changed: TagChange[];
  unchanged: number;
  groupsAdded: string[];
  /** Groups that had tags and would have none (a group itself is never removed by an import). */
  groupsEmptied: string[];
}

const show = (v: unknown) => (v === undefined ? '(none)' : typeof v === 'string' ? v : JSON.stringify(v));

function tagsByKey(device: DeviceConfig): Map<string, { group: string; tag: TagConfig }> {
  const map = new Map<string, { group: string; tag: TagConfig }>();
  for (const group of device.groups) {
    for (const tag of group.tags) map.set(`${group.name}\u0000${tag.name}`, { group: group.name, tag });
  }
  return map;
}

/**
 * What replacing a device's tags would do, tag by tag (keyed by group and name), for a
 * preview before a CSV import. Both devices must be validated (defaults filled in), so
 * that an omitted default is not reported as a change.
 */
export function diffDeviceTags(before: DeviceConfig, after: DeviceConfig): TagsDiff {
  const old = tagsByKey(before);
  const next = tagsByKey(after);
  const diff: TagsDiff = { added: [], removed: [], changed: [], unchanged: 0, groupsAdded: [], groupsEmptied: [] };
  for (const [key, { group, tag }] of next) {
    const was = old.get(key);
    if (!was) {
      diff.added.push({ group, tag: tag.name });
      continue;
    }
    const fields = [...new Set([...Object.keys(was.tag), ...Object.keys(tag)])]
      .filter((f) => JSON.stringify(was.tag[f as keyof TagConfig]) !== JSON.stringify(tag[f as keyof TagConfig]))
      .map((f) => `${f}: ${show(was.tag[f as keyof TagConfig])} → ${show(tag[f as keyof TagConfig])}`);
    if (fields.length > 0) diff.changed.push({ group, tag: tag.name, fields });
    else diff.unchanged++;
  }
  for (const [key, { group, tag }] of old) if (!next.has(key)) diff.removed.push({ group, tag: tag.name });
  const oldGroups = new Set(before.groups.map((g) => g.name));
  diff.groupsAdded = after.groups.map((g) => g.name).filter((g) => !oldGroups.has(g));
  const hadTags = new Set(before.groups.filter((g) => g.tags.length > 0).map((g) => g.name));
  diff.groupsEmptied = after.groups.filter((g) => g.tags.length === 0 && hadTags.has(g.name)).map((g) => g.name);
  return diff;
}
