import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { builtinRegistry } from '../../app/builtin-plugins.js';
import type { DeviceConfig, GroupConfig } from '../../core/config/schema.js';
import { validateConfig } from '../../core/config/validate.js';
import { GatewayError } from '../../core/errors.js';
import { silentLogger } from '../../core/log.js';
import type { Driver } from '../../core/plugin.js';
import { modbusTcpDriver } from '../../drivers/modbus/index.js';
import { createDemoModel, type DemoPlc } from '../../simulators/demo-plc.js';
import { ModbusTcpSimulator } from '../../simulators/modbus-tcp-server.js';

let demo: DemoPlc;
let sim: ModbusTcpSimulator;
let port: number;
const drivers: Driver[] = [];
const lost: string[] = [];

function device(name: string, settings: Record<string, unknown>, tags: Array<Record<string, unknown>>): DeviceConfig {
  const result = validateConfig(
    {
      devices: [
        {
          name,
          driver: 'modbus-tcp',
          settings: { host: '127.0.0.1', port, timeoutMs: 300, retries: 0, ...settings },
          groups: [{ name: 'g', tags }],
        },
      ],
    },
    builtinRegistry(),
  );
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.config.devices[0] as DeviceConfig;
}

async function open(config: DeviceConfig): Promise<Driver> {
  const driver = modbusTcpDriver.create({
    device: config,
    settings: config.settings,
    log: silentLogger(),
    dataDir: '/nonexistent',
    connectionLost: (error) => lost.push(error),
  });
  drivers.push(driver);
  await driver.connect();
  return driver;
}

const group = (config: DeviceConfig): GroupConfig => config.groups[0] as GroupConfig;

beforeAll(async () => {
  demo = createDemoModel();
  sim = new ModbusTcpSimulator(demo.model, { host: '127.0.0.1', port: 0 });
  ({ port } = await sim.listen());
});

afterAll(async () => {
  await sim.close();
});

beforeEach(() => {
  lost.length = 0;
  sim.silentUnits.clear();
  sim.maxRegistersPerRead = 125;
});

afterEach(async () => {
  await Promise.all(drivers.splice(0).map((d) => d.close()));
});

describe('modbus-tcp driver against the simulated PLC', () => {
  it('reads every type, byte order, bit and string of the demo map', async () => {
    const config = device('types', {}, [
      { name: 'setpoint', address: 'hr:0', type: 'float32' },
      { name: 'speed', address: '40003' },
      { name: 'int16', address: 'hr:3', type: 'int16' },
      { name: 'int32', address: 'hr:4', type: 'int32' },
      { name: 'int64', address: 'hr:6', type: 'int64' },
      { name: 'name', address: 'hr:10', type: 'string', length: 20 },
      { name: 'running', address: 'hr:20.0' },
      { name: 'pump', address: 'coil:0' },
      { name: 'temp-abcd', address: 'ir:0', type: 'float32' },
      { name: 'temp-cdab', address: 'ir:20', type: 'float32', byteOrder: 'CDAB' },
      { name: 'scaled', address: 'hr:2', type: 'uint16', scale: 0.1, offset: -100 },
    ]);
    const driver = await open(config);
    const values = await driver.read(group(config));
    const byName = Object.fromEntries(config.groups[0]!.tags.map((t, i) => [t.name, values[i]]));
    expect(values.every((v) => v.quality === 'good')).toBe(true);
    expect(byName.setpoint!.value).toBe(22.5);
    expect(byName.speed!.value).toBe(1500);
    expect(byName.int16!.value).toBe(-5);
    expect(byName.int32!.value).toBe(-123456);
    expect(byName.int64!.value).toBe(1234567890123456789n);
    expect(byName.name!.value).toBe('TAGWIRE-SIM');
    expect(byName.running!.value).toBe(true);
    expect(byName.pump!.value).toBe(true);
    expect(byName.scaled!.value).toBeCloseTo(50, 6);
    // The same temperature stored in two byte orders decodes to the same value.
    expect(byName['temp-cdab']!.value).toBeCloseTo(byName['temp-abcd']!.value as number, 1);
    expect(byName.setpoint!.timestamp).toBeGreaterThan(Date.now() - 5000);
  });

  it('keeps each float32 tag its own last value across reads, scaled after shortening', async () => {
    const config = device('floats', {}, [
      { name: 'a', address: 'hr:1250', type: 'float32' },
      { name: 'b', address: 'hr:1252', type: 'float32' },
      { name: 'a-scaled', address: 'hr:1250', type: 'float32', scale: 10, offset: 1 },
      { name: 'c', address: 'hr:1254', type: 'float32' },
      { name: 'count', address: 'hr:1256' },
    ]);
    const set = (a: number, b: number, c: number) => {
      demo.model.setFloat32(1, 'hr', 1250, a);
      demo.model.setFloat32(1, 'hr', 1252, b);
      demo.model.setFloat32(1, 'hr', 1254, c);
    };
    demo.model.setRegister(1, 'hr', 1256, 7);
    const driver = await open(config);
    const read = async () => (await driver.read(group(config))).map((v) => v.value);

    set(1.1, 2.2, -0);
    expect(await read()).toEqual([1.1, 2.2, 1.1 * 10 + 1, 0, 7]);
    expect(Object.is((await read())[3], 0)).toBe(true); // -0 is published as 0
    set(2.2, 1.1, Number.NaN);
    expect(await read()).toEqual([2.2, 1.1, 2.2 * 10 + 1, Number.NaN, 7]);
    set(1.1, 1.1, 0.3);
    expect(await read()).toEqual([1.1, 1.1, 1.1 * 10 + 1, 0.3, 7]);
    expect(await read()).toEqual([1.1, 1.1, 1.1 * 10 + 1, 0.3, 7]);
  });

  it('splits a joined read refused with exception 2, keeps the good tags and remembers the split', async () => {
    const config = device('learn', { maxGap: 125 }, [
      { name: 'a', address: 'hr:1090' },
      { name: 'b', address: 'hr:1095' },
      { name: 'hole', address: 'hr:1150' },
      { name: 'c', address: 'hr:1205' },
    ]);
    demo.model.setRegister(1, 'hr', 1090, 11);
    demo.model.setRegister(1, 'hr', 1095, 22);
    demo.model.setRegister(1, 'hr', 1205, 33);
    const driver = await open(config);
    const first = await driver.read(group(config));
    expect(first.map((v) => v.value)).toEqual([11, 22, null, 33]);
    expect(first[2]).toMatchObject({ quality: 'bad', error: 'modbus-exception-2' });
    expect(driver.stats!().learnedSplits).toBeGreaterThan(0);

    // The next cycle uses the learned plan: no request is refused any more but the one for the hole.
    const before = sim.requests;
    const second = await driver.read(group(config));
    const requests = sim.requests - before;
    expect(second.map((v) => v.value)).toEqual([11, 22, null, 33]);
    expect(requests).toBeLessThanOrEqual(3);
    const third = sim.requests;
    await driver.read(group(config));
    expect(sim.requests - third).toBe(requests);
  });

  it('splits a joined read refused with exception 3 (a read limit below 125) and remembers the split', async () => {
    // 25 tags over 91 registers, read as one request; the device takes at most 60 per read.
    sim.maxRegistersPerRead = 60;
    const offsets = Array.from({ length: 25 }, (_, i) => 1200 + Math.round((i * 90) / 24));
    for (const [i, offset] of offsets.entries()) demo.model.setRegister(1, 'hr', offset, 100 + i);
    const config = device(
      'limit',
      {},
      offsets.map((offset, i) => ({ name: `r${i}`, address: `hr:${offset}` })),
    );
    const expected = offsets.map((_, i) => 100 + i);
    const driver = await open(config);
    const first = await driver.read(group(config));
    expect(first.map((v) => v.value)).toEqual(expected);
    expect(driver.stats!().learnedSplits).toBeGreaterThan(0);

    // Every later cycle goes straight to the learned plan: two reads, none refused.
    for (let cycle = 0; cycle < 3; cycle++) {
      const before = sim.requests;
      const values = await driver.read(group(config));
      expect(values.map((v) => v.value)).toEqual(expected);
      expect(sim.requests - before).toBe(2);
    }
  });

  it('reports timeout for a unit that does not answer, as a bad value and not a throw', async () => {
    const config = device('silent', { unitId: 2 }, [{ name: 'speed', address: 'hr:2' }]);
    const driver = await open(config);
    sim.silentUnits.add(2);
    const [value] = await driver.read(group(config));
    expect(value).toMatchObject({ value: null, quality: 'bad', error: 'timeout' });
    sim.silentUnits.clear();
    const [again] = await driver.read(group(config));
    expect(again).toMatchObject({ value: 1500, quality: 'good' });
  });

  it('writes with FC5/FC6/FC16 and refuses bad writes before anything is sent', async () => {
    const config = device('writes', {}, [
      { name: 'speed', address: 'hr:100', access: 'readwrite' },
      { name: 'float', address: 'hr:102', type: 'float32', access: 'readwrite' },
      { name: 'big', address: 'hr:104', type: 'uint64', access: 'readwrite' },
      { name: 'text', address: 'hr:110', type: 'string', length: 6, access: 'readwrite' },
      { name: 'scaled', address: 'hr:120', type: 'int16', scale: 0.1, access: 'readwrite' },
      { name: 'coil', address: 'coil:5', access: 'readwrite' },
      { name: 'input', address: 'ir:4' },
    ]);
    const driver = await open(config);
    const tag = (name: string) => config.groups[0]!.tags.find((t) => t.name === name)!;
    await driver.write(tag('speed'), 4321);
    await driver.write(tag('float'), -1.25);
    await driver.write(tag('big'), 18446744073709551615n);
    await driver.write(tag('text'), 'AB');
    await driver.write(tag('scaled'), -12.3); // raw -123
    await driver.write(tag('coil'), true);
    expect(demo.model.getRegister(1, 'hr', 100)).toBe(4321);
    expect(demo.model.getRegisters(1, 'hr', 102, 2)).toEqual([0xbfa0, 0x0000]);
    expect(demo.model.getRegisters(1, 'hr', 104, 4)).toEqual([0xffff, 0xffff, 0xffff, 0xffff]);
    expect(demo.model.getRegisters(1, 'hr', 110, 3)).toEqual([0x4142, 0, 0]);
    expect(demo.model.getRegister(1, 'hr', 120)).toBe(0x10000 - 123);
    expect(demo.model.getBit(1, 'coil', 5)).toBe(true);

    const values = await driver.read(group(config));
    expect(values.slice(0, 6).map((v) => v.value)).toEqual([4321, -1.25, 18446744073709551615n, 'AB', -12.3, true]);

    const requestsBefore = sim.requests;
    const refused: Array<[string, unknown, string]> = [
      ['speed', 70000, 'out-of-range'],
      ['speed', -1, 'out-of-range'],
      ['speed', 'abc', 'invalid-value'],
      ['speed', true, 'invalid-value'],
      ['speed', 1.5, 'invalid-value'],
      ['scaled', -12.34, 'invalid-value'], // raw -123.4: never rounded
      ['coil', 1, 'invalid-value'],
      ['text', 'too long!', 'out-of-range'],
      ['input', 5, 'read-only'],
    ];
    for (const [name, value, code] of refused) {
      const err = await driver.write(tag(name), value).catch((e: unknown) => e);
      expect(err, `${name} = ${String(value)}`).toBeInstanceOf(GatewayError);
      expect((err as GatewayError).code, `${name} = ${String(value)}`).toBe(code);
    }
    expect(sim.requests).toBe(requestsBefore);
    expect(demo.model.getRegister(1, 'hr', 100)).toBe(4321);
  });

  it('shares one TCP connection between units on the same host:port', async () => {
    // Counted as accepted: an earlier test's connection may still be closing on the server's side.
    const acceptedBefore = sim.accepted;
    const one = device('unit1', { unitId: 1 }, [{ name: 'speed', address: 'hr:2' }]);
    const two = device('unit2', { unitId: 2 }, [{ name: 'speed', address: 'hr:2' }]);
    demo.model.setRegister(2, 'hr', 2, 777);
    const d1 = await open(one);
    const d2 = await open(two);
    expect(sim.accepted - acceptedBefore).toBe(1);
    const [v1, v2] = await Promise.all([d1.read(group(one)), d2.read(group(two))]);
    expect(v1[0]!.value).toBe(1500);
    expect(v2[0]!.value).toBe(777);
  });

  it('refuses to connect to a closed port with connection-refused', async () => {
    const closed = new ModbusTcpSimulator(demo.model, { host: '127.0.0.1', port: 0 });
    const { port: closedPort } = await closed.listen();
    await closed.close();
    const config = device('refused', { port: closedPort }, [{ name: 'x', address: 'hr:0' }]);
    const driver = modbusTcpDriver.create({
      device: config,
      settings: config.settings,
      log: silentLogger(),
      dataDir: '/nonexistent',
      connectionLost: () => undefined,
    });
    drivers.push(driver);
    const err = await driver.connect().catch((e: unknown) => e);
    expect((err as GatewayError).code).toBe('connection-refused');
  });
});
