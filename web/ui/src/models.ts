import type { Config, DeviceConfig, ModelConfig } from './types';

/** Models in the UI: where a model is used, what a device built from one overrides, CSV rows of new devices. */

export function modelOf(config: Config, device: DeviceConfig): ModelConfig | undefined {
  return device.model === undefined ? undefined : config.models.find((m) => m.name === device.model);
}

export function usersOf(config: Config, model: string): DeviceConfig[] {
  return config.devices.filter((d) => d.model === model);
}

export const tagCount = (groups: ReadonlyArray<{ tags: readonly unknown[] }>) =>
  groups.reduce((n, g) => n + g.tags.length, 0);

/** A device's own tags plus, for a device built from a model, the model's. */
export function deviceTagCount(config: Config, device: DeviceConfig): number {
  return tagCount(device.groups) + tagCount(modelOf(config, device)?.groups ?? []);
}

/** Settings the device sets although its model has them too. */
export function overriddenSettings(device: DeviceConfig, model: ModelConfig): string[] {
  return Object.keys(device.settings).filter((k) => k in model.settings);
}

export interface CsvRows {
  headers: string[];
  rows: Array<Record<string, string | number>>;
  problems: string[];
}

/**
 * Rows of new devices pasted as CSV (comma, semicolon or tab; a header line first, e.g.
 * `name,uns,host,unitId,line`). Whole numbers become numbers (a unit id, a port), except
 * for a model's parameters, which are text.
 */
export function parseInstanceCsv(text: string, params: readonly string[]): CsvRows {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const problems: string[] = [];
  const first = lines[0] ?? '';
  const sep = first.includes('\t') ? '\t' : first.includes(';') ? ';' : ',';
  const split = (line: string) => line.split(sep).map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
  const headers = split(first).filter((h) => h.length > 0);
  if (lines.length > 0 && !headers.includes('name')) problems.push('line 1: the header needs a "name" column');
  const rows = lines.slice(1).map((line, i) => {
    const cells = split(line);
    if (cells.length > headers.length)
      problems.push(`line ${i + 2}: ${cells.length} cells, the header has ${headers.length}`);
    const row: Record<string, string | number> = {};
    headers.forEach((h, k) => {
      const cell = cells[k] ?? '';
      if (cell === '') return;
      row[h] = !params.includes(h) && h !== 'name' && h !== 'uns' && /^-?\d+$/.test(cell) ? Number(cell) : cell;
    });
    return row;
  });
  return { headers, rows, problems };
}

/** `${param}` replaced by the device's parameter value (as the gateway does). */
export const withParams = (text: string, params: Record<string, string> | undefined) =>
  text.replace(/\$\{([^}]*)\}/g, (whole, name: string) => params?.[name] ?? whole);

/** The device's topic path below gateway.uns, as the gateway publishes it. */
export const deviceUns = (device: DeviceConfig) => withParams(device.uns ?? device.name, device.params);

/** The groups a device reads: its model's, then its own. */
export function runningGroups(config: Config, device: DeviceConfig): DeviceConfig['groups'] {
  return [...(modelOf(config, device)?.groups ?? []), ...device.groups];
}
