/**
 * Checks of computed tags against the whole configuration (SPEC §3.4): every reference names a readable
 * tag, no cycle, and an aggregate's window is not shorter than its input's interval.
 */
import type { DeviceConfig, GroupConfig } from '../../core/config/schema.js';
import { compileExpression } from '../../core/expression/index.js';
import { findCycles, splitReference } from './graph.js';
import { type ComputedTagConfig, computeFields } from './tag-fields.js';

interface TagEntry {
  device: DeviceConfig;
  group: GroupConfig;
  tag: ComputedTagConfig;
  /** `devices[i].groups[j].tags[k]` */
  path: string;
}

/** The formula a computed tag is evaluated by: its expression, or its aggregate's input. */
export function formulaOf(tag: ComputedTagConfig): { field: string; source: string } | undefined {
  if (tag.expression !== undefined) return { field: 'expression', source: tag.expression };
  if (tag.aggregate !== undefined) return { field: 'aggregate.of', source: tag.aggregate.of };
  return undefined;
}

function indexTags(devices: readonly DeviceConfig[]): Map<string, TagEntry> {
  const index = new Map<string, TagEntry>();
  devices.forEach((device, i) => {
    device.groups.forEach((group, j) => {
      group.tags.forEach((tag, k) => {
        index.set(`${device.name}/${tag.name}`, {
          device,
          group,
          tag: computeFields(tag),
          path: `devices[${i}].groups[${j}].tags[${k}]`,
        });
      });
    });
  });
  return index;
}

function referencesOf(tag: ComputedTagConfig): string[] {
  const formula = formulaOf(tag);
  if (!formula) return [];
  try {
    return [...compileExpression(formula.source).references];
  } catch {
    return []; // reported by the tag's own check
  }
}

export function checkComputeDevice(
  device: DeviceConfig,
  at: string,
  config: { devices: readonly DeviceConfig[] },
): string[] {
  const errors: string[] = [];
  const index = indexTags(config.devices);
  const deviceNames = new Set(config.devices.map((d) => d.name));
  device.groups.forEach((group, j) => {
    group.tags.forEach((raw, k) => {
      const tag = computeFields(raw);
      const formula = formulaOf(tag);
      if (!formula) return;
      const path = `${at}.groups[${j}].tags[${k}].${formula.field}`;
      for (const reference of referencesOf(tag)) {
        const input = index.get(reference);
        if (!input) {
          const { device: name, tag: tagName } = splitReference(reference);
          const why = deviceNames.has(name) ? `device "${name}" has no tag "${tagName}"` : `no device named "${name}"`;
          errors.push(`${path}: unknown reference {${reference}}: ${why}`);
        } else if (input.tag.access === 'write') {
          errors.push(`${path}: {${reference}} is write-only (access: write) and has no value to compute with`);
        } else if (
          tag.aggregate &&
          input.group.trigger !== 'change' &&
          input.group.intervalMs > tag.aggregate.windowMs
        ) {
          errors.push(
            `${at}.groups[${j}].tags[${k}].aggregate.windowMs: ${tag.aggregate.windowMs} is below the interval of ` +
              `its input {${reference}} (${input.group.intervalMs} ms): a window would often hold no sample`,
          );
        }
      }
    });
  });
  errors.push(...cycleErrors(device, index));
  return errors;
}

/** Each cycle is reported once, at its first tag in configuration order, by the device that holds that tag. */
function cycleErrors(device: DeviceConfig, index: Map<string, TagEntry>): string[] {
  const inputs = new Map<string, string[]>();
  for (const [reference, entry] of index) {
    if (formulaOf(entry.tag)) inputs.set(reference, referencesOf(entry.tag));
  }
  const errors: string[] = [];
  for (const cycle of findCycles(inputs)) {
    const first = index.get(cycle[0] as string);
    if (!first || first.device.name !== device.name) continue;
    const field = formulaOf(first.tag)?.field ?? 'expression';
    const names = [...cycle, cycle[0]].map((r) => `{${r}}`).join(' → ');
    errors.push(`${first.path}.${field}: cycle: ${names} (a computed tag cannot depend on itself)`);
  }
  return errors;
}
