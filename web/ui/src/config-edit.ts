import { api } from './api';
import type { Config } from './types';

/**
 * Configuration changes go through the one document: read the current configuration, change
 * a copy, PUT it whole. The gateway validates it and applies it as a diff (only what changed
 * restarts); a refused document changes nothing.
 */
export async function loadConfig(): Promise<Config> {
  const config = await api<Config>('GET', '/api/v1/config');
  // A device built from a model takes the model's driver; pages read it from the device.
  // Sent back, the server drops it again (equal to the model's).
  for (const d of config.devices) {
    const model = d.model === undefined ? undefined : config.models.find((m) => m.name === d.model);
    if (model) d.driver = model.driver;
  }
  return config;
}

export class EditError extends Error {}

/** Applies `mutate` to a fresh copy of the configuration and saves it; returns what was sent. */
export async function updateConfig(mutate: (config: Config) => void): Promise<Config> {
  const current = await loadConfig();
  const next = structuredClone(current);
  mutate(next);
  await api('PUT', '/api/v1/config', next);
  return next;
}

export interface Detail {
  path: string;
  message: string;
}

/** `"devices[1].settings.port: must be <= 65535"` → path and message. */
export function parseDetail(detail: string): Detail {
  const m = /^([\w$[\].-]+|\(root\)): (.*)$/s.exec(detail);
  return m ? { path: m[1] as string, message: m[2] as string } : { path: '', message: detail };
}

/**
 * Error messages under `prefix` (e.g. `devices[2].`) keyed by the rest of their path
 * (`settings.port`); messages elsewhere are keyed by their full path, with `''` for none.
 */
export function fieldErrors(details: string[], prefix: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const d of details) {
    const { path, message } = parseDetail(d);
    const key = path.startsWith(prefix) ? path.slice(prefix.length) : path === prefix.replace(/\.$/, '') ? '' : path;
    const list = map.get(key) ?? [];
    list.push(message);
    map.set(key, list);
  }
  return map;
}

/** Errors whose key starts with `prefix.` re-keyed without it (for a nested form). */
export function nestedErrors(errors: Map<string, string[]> | undefined, prefix: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!errors) return out;
  for (const [key, list] of errors) {
    if (key.startsWith(`${prefix}.`)) out.set(key.slice(prefix.length + 1), list);
  }
  return out;
}

/** Renames a device, keeping the north apps that list it by name pointing at it. */
export function renameDeviceInNorth(config: Config, from: string, to: string): void {
  if (from === to) return;
  for (const app of config.north) app.devices = app.devices.map((d) => (d === from ? to : d));
}

export function removeDeviceFromNorth(config: Config, name: string): void {
  for (const app of config.north) app.devices = app.devices.filter((d) => d !== name);
}
