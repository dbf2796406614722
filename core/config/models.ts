import type { DeviceConfig, DeviceEntry, GroupConfig, ModelConfig } from './schema.js';

/**
 * Models: one device definition many devices are built from. A device with `model` is
 * expanded into an ordinary device (the model's driver, settings under the device's own,
 * the model's groups before the device's own) with `${param}` replaced in settings, tag
 * addresses and the device's uns. The stored document keeps the compact form; the running
 * gateway only ever sees expanded devices.
 */

const PLACEHOLDER = /\$\{([^}]*)\}/g;

/** The parameter names used as `${name}` in `text`. */
export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
}

export function hasPlaceholder(value: unknown): boolean {
  return typeof value === 'string' && value.includes('${');
}

/** `text` with every `${name}` replaced by its value (unknown names are left as written). */
export function substitute(text: string, params: Readonly<Record<string, string>>): string {
  if (!text.includes('${')) return text;
  return text.replace(PLACEHOLDER, (whole, name: string) => params[name] ?? whole);
}

function substituteDeep(value: unknown, params: Readonly<Record<string, string>>): unknown {
  if (typeof value === 'string') return substitute(value, params);
  if (Array.isArray(value)) return value.map((v) => substituteDeep(v, params));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteDeep(v, params)]));
  }
  return value;
}

/** Every string in settings (however deep) with its dotted path. */
export function settingStrings(settings: unknown, prefix = ''): Array<{ path: string; text: string }> {
  if (typeof settings === 'string') return [{ path: prefix, text: settings }];
  if (!settings || typeof settings !== 'object') return [];
  return Object.entries(settings).flatMap(([k, v]) =>
    settingStrings(v, prefix ? `${prefix}${Array.isArray(settings) ? `[${k}]` : `.${k}`}` : k),
  );
}

function expandGroup(group: GroupConfig, params: Readonly<Record<string, string>>): GroupConfig {
  return {
    ...group,
    tags: group.tags.map((t) =>
      t.address !== undefined && hasPlaceholder(t.address) ? { ...t, address: substitute(t.address, params) } : t,
    ),
  };
}

/**
 * The device as the gateway runs it. Settings, groups and tags are fresh objects only where
 * something is replaced; everything else is shared with the model (the result is frozen).
 */
export function expandDevice(device: DeviceEntry, model: ModelConfig): DeviceConfig {
  const params = device.params ?? {};
  const settings = substituteDeep({ ...model.settings, ...device.settings }, params) as Record<string, unknown>;
  const expanded: DeviceConfig = {
    name: device.name,
    driver: model.driver,
    enabled: device.enabled,
    model: model.name,
    params,
    settings,
    groups: [...model.groups, ...device.groups].map((g) => expandGroup(g, params)),
  };
  if (device.uns !== undefined) expanded.uns = substitute(device.uns, params);
  if (device.reconnectMaxMs !== undefined) expanded.reconnectMaxMs = device.reconnectMaxMs;
  return expanded;
}

/** A device entry as an ordinary device: expanded when it names a model, else as written. */
export function deviceOf(device: DeviceEntry, models: ReadonlyMap<string, ModelConfig>): DeviceConfig | undefined {
  if (device.model === undefined) return device.driver === undefined ? undefined : (device as DeviceConfig);
  const model = models.get(device.model);
  return model ? expandDevice(device, model) : undefined;
}

/** Names of the devices built from each model. */
export function devicesByModel(devices: readonly DeviceEntry[]): Map<string, string[]> {
  const users = new Map<string, string[]>();
  for (const d of devices) {
    if (d.model === undefined) continue;
    const list = users.get(d.model) ?? [];
    list.push(d.name);
    users.set(d.model, list);
  }
  return users;
}

/** Settings of a model device that its own settings override (keys present in both). */
export function overriddenSettings(device: DeviceEntry, model: ModelConfig): string[] {
  return Object.keys(device.settings).filter((k) => k in model.settings);
}
