import { createRegistry, type PluginRegistry } from '../core/registry.js';
import { computeDriver } from '../drivers/compute/index.js';
import { modbusRtuDriver, modbusRtuTcpDriver, modbusTcpDriver } from '../drivers/modbus/index.js';
import { opcuaDriver } from '../drivers/opcua/index.js';
import { mqttPlugin } from '../northbound/mqtt/index.js';
import { sparkplugPlugin } from '../northbound/sparkplug/index.js';

/** The drivers and north plugins shipped with tagwire. */
export function builtinRegistry(): PluginRegistry {
  return createRegistry(
    [modbusTcpDriver, modbusRtuDriver, modbusRtuTcpDriver, opcuaDriver, computeDriver],
    [mqttPlugin, sparkplugPlugin],
  );
}
