import type { DriverManifest, NorthManifest } from '../core/plugin.js';
import { createRegistry, type PluginRegistry } from '../core/registry.js';
import { computeDriver } from '../drivers/compute/index.js';
import { modbusRtuDriver, modbusRtuTcpDriver, modbusTcpDriver } from '../drivers/modbus/index.js';
import { opcuaDriver } from '../drivers/opcua/index.js';
import { s7Driver } from '../drivers/s7/index.js';
import { mqttPlugin } from '../northbound/mqtt/index.js';
import { sparkplugPlugin } from '../northbound/sparkplug/index.js';

/** The drivers shipped with tagwire: a new driver is one line here. */
export function builtinDrivers(): DriverManifest[] {
  return [modbusTcpDriver, modbusRtuDriver, modbusRtuTcpDriver, opcuaDriver, s7Driver, computeDriver];
}

/** The north plugins shipped with tagwire: a new plugin is one line here. */
export function builtinNorthPlugins(): NorthManifest[] {
  return [mqttPlugin, sparkplugPlugin];
}

let builtin: PluginRegistry | undefined;

/**
 * The drivers and north plugins shipped with tagwire, built once per process: a registry's
 * configuration schema compiles to a validator of some hundred kilobytes that the validator
 * library keeps for the life of the process, so a second registry would be a second copy.
 */
export function builtinRegistry(): PluginRegistry {
  builtin ??= createRegistry(builtinDrivers(), builtinNorthPlugins());
  return builtin;
}
