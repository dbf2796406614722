/** What one gateway load run polls and how it publishes. */
import type { Variant } from './layout.js';

export interface LoadSpec {
  /** Unique per run: also the topic prefix, so retained messages of other runs never mix in. */
  id: string;
  variant: Variant;
  devices: number;
  groupsPerDevice: number;
  /** Tags per group, its clock tag included. */
  tagsPerGroup: number;
  intervalMs: number;
  /** `none`: no north app, the read path alone. */
  format: 'uns' | 'group' | 'none';
  qos: 0 | 1;
  /** Environment of the gateway process beyond the bench's own (e.g. `TAGWIRE_MODBUS_THREAD`). */
  env?: Record<string, string>;
}

export function totalTags(s: LoadSpec): number {
  return s.devices * s.groupsPerDevice * s.tagsPerGroup;
}

/** Tag values per second the schedule asks for. */
export function offeredPerSecond(s: LoadSpec): number {
  return (totalTags(s) * 1000) / s.intervalMs;
}

/** `tags` spread over `devices` × `groups`, e.g. 10k on 10 devices with 4 groups each. */
export function loadSpec(
  id: string,
  tags: number,
  devices: number,
  groupsPerDevice: number,
  intervalMs: number,
  options: Pick<LoadSpec, 'variant' | 'format' | 'qos' | 'env'>,
): LoadSpec {
  const tagsPerGroup = Math.round(tags / (devices * groupsPerDevice));
  return { id, devices, groupsPerDevice, tagsPerGroup, intervalMs, ...options };
}
