import type { DeviceConfig, GroupConfig, NorthConfig, TagConfig } from '../../../core/config/schema.js';
import { ApiRefusal, type EditableConfig } from './config-edit.js';

// Finds configured things by name, or refuses with 404 and a code that says what was not found.

export function deviceIndex(doc: EditableConfig, name: string): number {
  const index = doc.devices.findIndex((d) => d.name === name);
  if (index < 0) throw new ApiRefusal(404, 'unknown-device', `no device named "${name}"`);
  return index;
}

export function deviceIn(doc: EditableConfig, name: string): DeviceConfig {
  return doc.devices[deviceIndex(doc, name)] as DeviceConfig;
}

export function groupIndex(device: DeviceConfig, name: string): number {
  const index = device.groups.findIndex((g) => g.name === name);
  if (index < 0) throw new ApiRefusal(404, 'unknown-group', `device "${device.name}" has no group "${name}"`);
  return index;
}

export function groupIn(device: DeviceConfig, name: string): GroupConfig {
  return device.groups[groupIndex(device, name)] as GroupConfig;
}

export function tagIndex(group: GroupConfig, name: string): number {
  const index = group.tags.findIndex((t) => t.name === name);
  if (index < 0) throw new ApiRefusal(404, 'unknown-tag', `group "${group.name}" has no tag "${name}"`);
  return index;
}

export function tagIn(group: GroupConfig, name: string): TagConfig {
  return group.tags[tagIndex(group, name)] as TagConfig;
}

export function northIndex(doc: EditableConfig, name: string): number {
  const index = doc.north.findIndex((n) => n.name === name);
  if (index < 0) throw new ApiRefusal(404, 'unknown-north', `no north app named "${name}"`);
  return index;
}

export function northIn(doc: EditableConfig, name: string): NorthConfig {
  return doc.north[northIndex(doc, name)] as NorthConfig;
}

/** 409 when the name is taken by another item than the one being changed. */
export function refuseTaken(taken: boolean, message: string): void {
  if (taken) throw new ApiRefusal(409, 'conflict', message);
}

/** The request body as a JSON object, or a 400 that says what to send (also for a YAML or CSV upload). */
export function bodyObject(body: unknown, whatToSend: string): Record<string, unknown> {
  const plain = typeof body === 'object' && body !== null && Object.getPrototypeOf(body) === Object.prototype;
  if (plain) return body as Record<string, unknown>;
  throw new ApiRefusal(400, 'invalid-request', `send ${whatToSend}`);
}

/** The name a body gives, or `fallback` when it gives none (a non-string is left for the schema to report). */
export function nameIn(body: unknown, fallback: string): string {
  const name = (body as { name?: unknown } | null | undefined)?.name;
  return typeof name === 'string' ? name : fallback;
}
