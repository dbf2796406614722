import type { DriverManifest, NorthManifest } from './plugin.js';

/** The drivers and north plugins available to this gateway, by name. */
export interface PluginRegistry {
  drivers: ReadonlyMap<string, DriverManifest>;
  north: ReadonlyMap<string, NorthManifest>;
}

export function createRegistry(drivers: DriverManifest[], north: NorthManifest[]): PluginRegistry {
  return {
    drivers: new Map(drivers.map((d) => [d.name, d])),
    north: new Map(north.map((n) => [n.name, n])),
  };
}
