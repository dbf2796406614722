/**
 * `tagwire simulate s7`: the simulated S7 PLC checked by Snap7's own client (a stack we did
 * not write), and the S7 driver against it: the documented image, writable setpoints, a wrong
 * rack/slot refused with its own code.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { builtinRegistry } from '../../app/builtin-plugins.js';
import type { DeviceConfig, GroupConfig, TagConfig } from '../../core/config/schema.js';
import { validateConfig } from '../../core/config/validate.js';
import { GatewayError } from '../../core/errors.js';
import { silentLogger } from '../../core/log.js';
import type { Driver } from '../../core/plugin.js';
import { s7Driver } from '../../drivers/s7/index.js';
import { type RunningS7Simulator, runS7Simulator } from '../../simulators/s7/run-s7.js';
import { connectSnap7 } from '../helpers/snap7-client.js';

let sim: RunningS7Simulator;
const drivers: Driver[] = [];

function device(tags: Array<Record<string, unknown>>, settings: Record<string, unknown> = {}): DeviceConfig {
  const result = validateConfig(
    {
      devices: [
        {
          name: 'sim',
          driver: 's7',
          settings: { host: '127.0.0.1', port: sim.port, ...settings },
          groups: [{ name: 'g', tags }],
        },
      ],
    },
    builtinRegistry(),
  );
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.config.devices[0] as DeviceConfig;
}

function create(config: DeviceConfig): Driver {
  const driver = s7Driver.create({
    device: config,
    settings: config.settings,
    log: silentLogger(),
    dataDir: '/x',
    connectionLost: () => {},
  });
  drivers.push(driver);
  return driver;
}

beforeAll(async () => {
  sim = await runS7Simulator({ port: 0 });
});
afterEach(async () => {
  for (const d of drivers.splice(0)) await d.close();
});
afterAll(async () => {
  await sim.close();
});

describe('S7 simulator', () => {
  it('answers Snap7’s client with the documented image, and takes its writes', async () => {
    const client = await connectSnap7(sim.port);
    try {
      expect(client.pduLength).toBe(480);
      const db1 = await client.dbRead(1, 0, 64);
      const temperature = db1.readFloatBE(0);
      expect(temperature).toBeGreaterThanOrEqual(20 - 1e-3);
      expect(temperature).toBeLessThanOrEqual(25 + 1e-3);
      expect(Math.abs(Number(db1.readBigUInt64BE(16)) - Date.now())).toBeLessThan(5000);
      expect(db1.toString('latin1', 34, 34 + (db1[33] as number))).toBe('TAGWIRE-S7-SIM');
      const db2 = await client.dbRead(2, 0, 34);
      expect([db2.readFloatBE(0), db2.readInt16BE(4), db2.readInt32BE(30)]).toEqual([22.5, 1500, -123456]);
      const many = await client.readMany([
        { db: 2, start: 4, size: 2 },
        { db: 7, start: 0, size: 2 },
        { db: 2, start: 62, size: 4 },
        { db: 2, start: 0, size: 1 },
      ]);
      expect(many).toEqual([Buffer.from([0x05, 0xdc]), null, null, Buffer.from([0x41])]);
      await client.dbWrite(2, 4, Buffer.from([0x03, 0xe8]));
      expect((await client.dbRead(2, 4, 2)).readInt16BE(0)).toBe(1000);
      await client.dbWrite(2, 4, Buffer.from([0x05, 0xdc]));
    } finally {
      client.close();
    }
  });

  it('serves the driver: values move, a setpoint written moves the temperature with it', async () => {
    const config = device([
      { name: 'temperature', address: 'DB1.DBD0', type: 'float32' },
      { name: 'counter', address: 'DB1.DBW10', type: 'uint16' },
      { name: 'name', address: 'DB1.DBB32', type: 'string', length: 16 },
      { name: 'setpoint', address: 'DB2.DBD0', type: 'float32', access: 'readwrite' },
      { name: 'start', address: 'DB2.DBX6.0', access: 'readwrite' },
      { name: 'running', address: 'Q0.0' },
    ]);
    const driver = create(config);
    await driver.connect();
    const group = config.groups[0] as GroupConfig;
    const tag = (name: string) => group.tags.find((t) => t.name === name) as TagConfig;
    const first = await driver.read(group);
    expect(first[2]?.value).toBe('TAGWIRE-S7-SIM');
    expect(first[3]?.value).toBe(22.5);
    await driver.write(tag('setpoint'), 80);
    await driver.write(tag('start'), true);
    await expect
      .poll(async () => (await driver.read(group)).map((v) => v.value), { timeout: 3000 })
      .toEqual([
        expect.toSatisfy((t: number) => t >= 77.5 && t <= 82.5),
        expect.any(Number),
        'TAGWIRE-S7-SIM',
        80,
        true,
        true,
      ]);
    await driver.write(tag('setpoint'), 22.5);
    await driver.write(tag('start'), false);
  });

  it('refuses a wrong rack/slot with s7-connection-refused; TSAPs reach the same CPU', async () => {
    const wrong = create(device([{ name: 'x', address: 'M0.0' }], { slot: 2 }));
    const error = await wrong.connect().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe('s7-connection-refused');
    expect((error as GatewayError).message).toContain('rack/slot');

    const config = device([{ name: 'x', address: 'DB2.DBW4', type: 'int16' }], {
      localTSAP: '0100',
      remoteTSAP: '0x0301',
    });
    const byTsap = create(config);
    await byTsap.connect();
    expect((await byTsap.read(config.groups[0] as GroupConfig))[0]?.value).toBe(1500);
  });
});
