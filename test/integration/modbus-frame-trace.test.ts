import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinRegistry } from '../../app/builtin-plugins.js';
import type { DeviceConfig, GroupConfig } from '../../core/config/schema.js';
import { validateConfig } from '../../core/config/validate.js';
import type { Driver } from '../../core/plugin.js';
import { modbusTcpDriver } from '../../drivers/modbus/index.js';
import { createDemoModel } from '../../simulators/demo-plc.js';
import { ModbusTcpSimulator } from '../../simulators/modbus-tcp-server.js';

let sim: ModbusTcpSimulator;
let port: number;
const drivers: Driver[] = [];

function device(name: string, unitId: number): DeviceConfig {
  const result = validateConfig(
    {
      devices: [
        {
          name,
          driver: 'modbus-tcp',
          settings: { host: '127.0.0.1', port, unitId, timeoutMs: 500, retries: 0 },
          groups: [{ name: 'g', tags: [{ name: 'speed', address: 'hr:2' }] }],
        },
      ],
    },
    builtinRegistry(),
  );
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.config.devices[0] as DeviceConfig;
}

/** A device whose log lines are kept, at the given level. */
async function open(config: DeviceConfig, level: string) {
  const lines: Array<{ msg: string; frame?: string; hex?: string }> = [];
  const log = pino({ level }, { write: (line: string) => lines.push(JSON.parse(line)) });
  const driver = modbusTcpDriver.create({
    device: config,
    settings: config.settings,
    log,
    dataDir: '/nonexistent',
    connectionLost: () => {},
  });
  drivers.push(driver);
  await driver.connect();
  const frames = () => lines.filter((l) => l.msg === 'modbus frame').map((l) => `${l.frame} ${l.hex}`);
  return { driver, log, frames, group: config.groups[0] as GroupConfig };
}

beforeAll(async () => {
  sim = new ModbusTcpSimulator(createDemoModel().model, { host: '127.0.0.1', port: 0 });
  ({ port } = await sim.listen());
});

afterAll(async () => {
  for (const d of drivers) await d.close();
  await sim.close();
});

describe('raw Modbus frames at trace level', () => {
  it('logs each request and answer in hex under the unit they belong to, and nothing below trace', async () => {
    const traced = await open(device('traced', 1), 'trace');
    const quiet = await open(device('quiet', 2), 'debug');
    await traced.driver.read(traced.group);
    await quiet.driver.read(quiet.group);

    // MBAP (transaction, protocol 0, length 6), unit 1, FC3 from register 2, one register.
    const [tx, rx, ...more] = traced.frames();
    expect(tx).toMatch(/^tx [0-9a-f]{4}00000006010300020001$/);
    expect(rx).toMatch(/^rx [0-9a-f]{4}00000005010302[0-9a-f]{4}$/);
    expect(more).toEqual([]);
    // Unit 2 shares the connection; its frames are not in unit 1's log, and its own log is below trace.
    expect(quiet.frames()).toEqual([]);

    traced.log.level = 'debug';
    await traced.driver.read(traced.group);
    expect(traced.frames()).toHaveLength(2);
  });
});
