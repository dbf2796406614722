/**
 * The S7 driver against Snap7's S7Server (node-snap7): a real S7 stack we did not write,
 * serving the documented image of test/helpers/snap7-server.ts.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { builtinRegistry } from '../../app/builtin-plugins.js';
import type { DeviceConfig, GroupConfig, TagConfig } from '../../core/config/schema.js';
import { validateConfig } from '../../core/config/validate.js';
import { GatewayError } from '../../core/errors.js';
import { silentLogger } from '../../core/log.js';
import type { Driver } from '../../core/plugin.js';
import { s7Driver } from '../../drivers/s7/index.js';
import { type Snap7Server, startSnap7 } from '../helpers/snap7-server.js';

let server: Snap7Server;
const drivers: Driver[] = [];
const lost: string[] = [];

/** A device validated as a configuration file would be (defaults filled, tags checked). */
function device(tags: Array<Record<string, unknown>>, settings: Record<string, unknown> = {}): DeviceConfig {
  const result = validateConfig(
    {
      devices: [
        {
          name: 'plc',
          driver: 's7',
          settings: { host: '127.0.0.1', port: server.port, timeoutMs: 500, ...settings },
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
  const driver = s7Driver.create({
    device: config,
    settings: config.settings,
    log: silentLogger(),
    dataDir: '/nonexistent',
    connectionLost: (e) => lost.push(e),
  });
  drivers.push(driver);
  await driver.connect();
  return driver;
}

/** The driver's counters (stats() of the S7 driver). */
function stats(driver: Driver): { requestsPerRead: number; link: { requests: number; pduSize: number } } {
  return driver.stats?.() as unknown as ReturnType<typeof stats>;
}

function group(config: DeviceConfig): GroupConfig {
  return config.groups[0] as GroupConfig;
}

async function readAll(tags: Array<Record<string, unknown>>, settings: Record<string, unknown> = {}) {
  const config = device(tags, settings);
  const driver = await open(config);
  const values = await driver.read(group(config));
  return Object.fromEntries(group(config).tags.map((t, i) => [t.name, values[i]]));
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (err) {
    return err instanceof GatewayError ? err.code : String(err);
  }
  return undefined;
}

beforeAll(async () => {
  // 50 more data blocks for the packing measurement.
  const extra: Record<number, Buffer> = {};
  for (let db = 100; db < 150; db++) {
    const data = Buffer.alloc(400);
    for (let k = 0; k < 4; k++) data.writeFloatBE(db + k / 4, k * 100);
    extra[db] = data;
  }
  server = await startSnap7(extra);
});

afterEach(async () => {
  for (const d of drivers.splice(0)) await d.close();
  lost.length = 0;
});

afterAll(() => server.close());

describe('S7 driver against Snap7', () => {
  it('decodes every type and address form of SPEC §3.3 exactly', async () => {
    const v = await readAll([
      { name: 'x0', address: 'DB1.DBX0.0' },
      { name: 'x1', address: 'DB1.DBX0.1' },
      { name: 'x3', address: 'DB1.DBX0.3', type: 'bool' },
      { name: 'i16', address: 'DB1.DBW4', type: 'int16' },
      { name: 'u16', address: 'DB1.DBW6', type: 'uint16' },
      { name: 'i32', address: 'DB1.DBD8', type: 'int32' },
      { name: 'u32', address: 'DB1.DBD12', type: 'uint32' },
      { name: 'f32', address: 'DB1.DBD16', type: 'float32' },
      { name: 'i64', address: 'DB1.DBB20', type: 'int64' },
      { name: 'u64', address: 'DB1.DBB28', type: 'uint64' },
      { name: 'f64', address: 'DB1.DBB36', type: 'float64' },
      { name: 'str', address: 'DB1.DBB44', type: 'string', length: 10 },
      { name: 'scaled', address: 'DB1.DBW56', type: 'int16', scale: 0.1, offset: 1 },
      { name: 'm0', address: 'M0.0' },
      { name: 'm7', address: 'M0.7' },
      { name: 'mw', address: 'MW2', type: 'uint16' },
      { name: 'md', address: 'MD4', type: 'float32' },
      { name: 'i0', address: 'I0.0' },
      { name: 'e2', address: 'E0.2' },
      { name: 'iw', address: 'IW2', type: 'int16' },
      { name: 'ew', address: 'EW2', type: 'uint16' },
      { name: 'q1', address: 'Q0.1' },
      { name: 'a1', address: 'A0.1' },
      { name: 'qw', address: 'QW2', type: 'int16' },
      { name: 'aw', address: 'AW2', type: 'uint16' },
      { name: 'qd', address: 'QD0', type: 'uint32' },
    ]);
    const values = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x?.quality === 'good' ? x.value : x]));
    expect(values).toEqual({
      x0: true,
      x1: false,
      x3: true,
      i16: -12345,
      u16: 54321,
      i32: -123456789,
      u32: 3000000000,
      f32: 21.5,
      i64: -9007199254740993n,
      u64: 18446744073709551615n,
      f64: Math.PI,
      str: 'Hello',
      scaled: 124.4,
      m0: true,
      m7: true,
      mw: 4660,
      md: 1.5,
      i0: true,
      e2: true,
      iw: 1000,
      ew: 1000,
      q1: true,
      a1: true,
      qw: 77,
      aw: 77,
      qd: 0x0200004d, // QB0 0x02, QB1 0, QW2 77
    });
  });

  it('writes every type into the server memory, bits without touching their neighbours', async () => {
    const config = device([
      { name: 'sp', address: 'DB1.DBD60', type: 'float32', access: 'readwrite' },
      { name: 'w', address: 'DB1.DBW64', type: 'int16', access: 'readwrite', scale: 0.1 },
      { name: 'bit', address: 'DB1.DBX66.2', access: 'readwrite' },
      { name: 'text', address: 'DB1.DBB68', type: 'string', length: 8, access: 'readwrite' },
      { name: 'big', address: 'DB1.DBB20', type: 'int64', access: 'readwrite' },
      { name: 'f64', address: 'DB1.DBB36', type: 'float64', access: 'readwrite' },
      { name: 'mw', address: 'MW10', type: 'uint16', access: 'readwrite' },
      { name: 'q', address: 'A0.5', access: 'readwrite' },
    ]);
    const driver = await open(config);
    const tag = (name: string) => group(config).tags.find((t) => t.name === name) as TagConfig;
    const image = Buffer.from(server.area('DB', 1));
    image[66] = 0x81;
    server.setArea('DB', 1, image);
    await driver.write(tag('sp'), 42.25);
    await driver.write(tag('w'), -150.6);
    await driver.write(tag('bit'), true);
    await driver.write(tag('text'), 'Grüße');
    await driver.write(tag('big'), '-9223372036854775808');
    await driver.write(tag('f64'), 0.1);
    await driver.write(tag('mw'), 65535);
    await driver.write(tag('q'), true);

    const db1 = server.area('DB', 1);
    expect(db1.readFloatBE(60)).toBe(42.25);
    expect(db1.readInt16BE(64)).toBe(-1506);
    expect(db1[66]).toBe(0x85); // bit 2 set, bits 0 and 7 kept
    expect(db1[68]).toBe(8); // the PLC's maximum length byte is left alone
    expect(db1[69]).toBe(5);
    expect(db1.toString('latin1', 70, 75)).toBe('Grüße');
    expect(db1.readBigInt64BE(20)).toBe(-9223372036854775808n);
    expect(db1.readDoubleBE(36)).toBe(0.1);
    expect(server.area('M').readUInt16BE(10)).toBe(65535);
    expect(server.area('Q')[0]).toBe(0x22); // Q0.5 set, Q0.1 kept

    const back = await driver.read(group(config));
    expect(back.map((x) => x.value)).toEqual([42.25, -150.6, true, 'Grüße', -9223372036854775808n, 0.1, 65535, true]);
  });

  it('refuses a bad write before anything reaches the PLC', async () => {
    const config = device([
      { name: 'w', address: 'DB1.DBW64', type: 'int16', access: 'readwrite' },
      { name: 'text', address: 'DB1.DBB68', type: 'string', length: 8, access: 'readwrite' },
    ]);
    const driver = await open(config);
    const before = Buffer.from(server.area('DB', 1));
    const [w, text] = group(config).tags as [TagConfig, TagConfig];
    expect(await codeOf(driver.write(w, 1.5))).toBe('invalid-value');
    expect(await codeOf(driver.write(w, 40000))).toBe('out-of-range');
    expect(await codeOf(driver.write(w, 'x'))).toBe('invalid-value');
    expect(await codeOf(driver.write(text, 'far too long'))).toBe('out-of-range');
    expect(server.area('DB', 1).equals(before)).toBe(true);
  });

  it('reports a data block that does not exist and an address past the end with their own codes', async () => {
    const v = await readAll([
      { name: 'missing', address: 'DB9.DBW0', type: 'int16' },
      { name: 'past', address: 'DB1.DBD98', type: 'float32' },
      { name: 'fine', address: 'DB1.DBW6', type: 'uint16' },
    ]);
    expect(v.missing).toMatchObject({ quality: 'bad', error: 's7-object-does-not-exist' });
    expect(v.past).toMatchObject({ quality: 'bad', error: 's7-address-out-of-range' });
    expect(v.fine).toMatchObject({ quality: 'good', value: 54321 });

    const config = device([{ name: 'missing', address: 'DB9.DBW0', type: 'int16', access: 'readwrite' }]);
    const driver = await open(config);
    expect(await codeOf(driver.write(group(config).tags[0] as TagConfig, 1))).toBe('s7-object-does-not-exist');
  });

  it('packs 200 scattered tags into the fewest requests the negotiated PDU allows', async () => {
    // 50 data blocks, 4 float32 each, 100 bytes apart: 200 items that cannot be joined.
    const tags = [];
    for (let db = 100; db < 150; db++) {
      for (let k = 0; k < 4; k++)
        tags.push({ name: `db${db}_${k}`, address: `DB${db}.DBD${k * 100}`, type: 'float32' });
    }
    const perCycle: Record<number, number> = {};
    for (const pduSize of [240, 480, 960]) {
      const config = device(tags, { pduSize });
      const driver = await open(config);
      const link = () => stats(driver).link;
      const before = link().requests;
      const values = await driver.read(group(config));
      perCycle[pduSize] = link().requests - before;
      expect(link().pduSize).toBe(pduSize);
      expect(values.map((x) => x.value)).toEqual(tags.map((_, i) => 100 + Math.floor(i / 4) + (i % 4) / 4));
    }
    // 240: (240 - 12) / 12 = 19 items a request; 480 and 960: the 20 items S7 CPUs take.
    expect(perCycle).toEqual({ 240: 11, 480: 10, 960: 10 });
    console.log(`S7 requests per cycle for 200 scattered tags: ${JSON.stringify(perCycle)} (by PDU size)`);
  });

  it('reads 1,000 neighbouring float32 in full answers, no value split across two', async () => {
    const data = Buffer.alloc(4000);
    for (let i = 0; i < 1000; i++) data.writeFloatBE(i + 0.5, 4 * i);
    server.addDb(200, data);
    const tags = Array.from({ length: 1000 }, (_, i) => ({
      name: `f${i}`,
      address: `DB200.DBD${4 * i}`,
      type: 'float32',
    }));
    const config = device(tags, { pduSize: 240 });
    const driver = await open(config);
    const values = await driver.read(group(config));
    expect(values.map((x) => x.value)).toEqual(tags.map((_, i) => i + 0.5));
    // 222 bytes of data fit an answer at PDU 240; cut between tags: 55 floats per request.
    expect(stats(driver).requestsPerRead).toBe(Math.ceil(1000 / 55));
  });

  it('reports a lost server and reads again after it comes back', async () => {
    const config = device([{ name: 'f', address: 'DB1.DBD16', type: 'float32' }]);
    const driver = await open(config);
    expect((await driver.read(group(config)))[0]?.value).toBe(21.5);
    server.stop();
    await expect.poll(() => lost, { timeout: 5000 }).toEqual(['disconnected']);
    expect((await driver.read(group(config)))[0]).toMatchObject({ quality: 'bad', error: 'disconnected' });
    expect(await codeOf(driver.connect())).toBe('connection-refused');
    server.start();
    await driver.connect();
    expect((await driver.read(group(config)))[0]?.value).toBe(21.5);
  });
});

/**
 * A relay between the driver and Snap7 that damages answers after the handshake, to show
 * that a damaged answer never becomes a value and never crashes the gateway.
 */
class DamagingRelay {
  damage: ((frame: Buffer) => Buffer) | undefined;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly upstreamPort: number) {
    this.server = createServer((client) => {
      const upstream = connect(this.upstreamPort, '127.0.0.1');
      this.sockets.add(client).add(upstream);
      let frames = 0;
      client.on('data', (d) => upstream.write(d));
      upstream.on('data', (d) => {
        frames++;
        // The first two answers are the handshake (connection confirm, setup communication).
        client.write(frames > 2 && this.damage ? this.damage(d) : d);
      });
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('close', end).on('error', end);
      upstream.on('close', end).on('error', end);
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe('S7 driver and damaged answers', () => {
  /** Keeps the TPKT length right so the damage reaches the S7 parser. */
  function retpkt(frame: Buffer): Buffer {
    const copy = Buffer.from(frame);
    copy.writeUInt16BE(copy.length, 2);
    return copy;
  }
  const damages: Record<string, (f: Buffer) => Buffer> = {
    'truncated data': (f) => retpkt(f.subarray(0, f.length - 3)),
    'lying data length': (f) => {
      const c = Buffer.from(f);
      c.writeUInt16BE(c.readUInt16BE(7 + 8) + 2, 7 + 8);
      return c;
    },
    'lying item length': (f) => {
      const c = Buffer.from(f);
      c.writeUInt16BE(8 * 2, 7 + 12 + 2 + 2);
      return c;
    },
    'wrong item count': (f) => {
      const c = Buffer.from(f);
      c[7 + 12 + 1] = 3;
      return c;
    },
    'not a TPKT frame': (f) => {
      const c = Buffer.from(f);
      c[0] = 0x45;
      return c;
    },
    'extra bytes': (f) => retpkt(Buffer.concat([f, Buffer.from([1, 2, 3])])),
  };

  const frameBreaking = new Set(['truncated data', 'lying data length', 'not a TPKT frame', 'extra bytes']);

  it.each(Object.keys(damages))('%s: bad-response for the tags, never a value, then values again', async (name) => {
    const relay = new DamagingRelay(server.port);
    const port = await relay.listen();
    try {
      const config = device(
        [
          { name: 'f', address: 'DB1.DBD16', type: 'float32' },
          { name: 'w', address: 'DB1.DBW6', type: 'uint16' },
        ],
        { port },
      );
      const driver = await open(config);
      expect((await driver.read(group(config))).map((x) => x.value)).toEqual([21.5, 54321]);
      relay.damage = damages[name];
      const values = await driver.read(group(config));
      expect(values.map((x) => [x.quality, x.value])).toEqual([
        ['bad', null],
        ['bad', null],
      ]);
      expect(values[0]?.error).toBe('bad-response');
      // A frame out of step ends the connection; a well-framed answer with bad content only its read.
      if (frameBreaking.has(name)) await expect.poll(() => lost).toEqual(['bad-response']);
      else expect(lost).toEqual([]);
      relay.damage = undefined;
      if (lost.length > 0) await driver.connect();
      expect((await driver.read(group(config))).map((x) => x.value)).toEqual([21.5, 54321]);
    } finally {
      await relay.close();
    }
  });
});

describe('S7 configuration errors name the field', () => {
  it('refuses bad settings and tags with path: message', () => {
    const result = validateConfig(
      {
        devices: [
          {
            name: 'plc',
            driver: 's7',
            settings: { host: '10.0.0.300', localTSAP: '0100' },
            groups: [
              {
                name: 'g',
                tags: [
                  { name: 'a', address: 'DB1.DBW0', type: 'float32' },
                  { name: 'b', address: 'DB1.DBB0', type: 'string' },
                  { name: 'c', address: 'DB0.DBW0', type: 'int16' },
                  { name: 'd', address: 'DB1.DBW70000', type: 'int16' },
                  { name: 'e', address: 'Z1.0' },
                  { name: 'f', address: 'I0.0', access: 'readwrite' },
                  { name: 'g', address: 'DB1.DBX0.9' },
                ],
              },
            ],
          },
        ],
      },
      builtinRegistry(),
    );
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    const expected = [
      'devices[0].settings.host: "10.0.0.300" is not a valid IP address',
      'devices[0].settings.remoteTSAP: give both localTSAP and remoteTSAP, or neither (rack/slot)',
      'devices[0].groups[0].tags[0].type: float32 does not fit DB1.DBW0, a word address',
      'devices[0].groups[0].tags[1].length: required for type string',
      'devices[0].groups[0].tags[2].address: DB0.DBW0: DB number must be 1..65535',
      'devices[0].groups[0].tags[3].address: DB1.DBW70000: byte offset must be 0..65535',
      'devices[0].groups[0].tags[4].address: Z1.0: unknown area "Z"',
      'devices[0].groups[0].tags[5].access: I0.0 is a process input, read-only',
      'devices[0].groups[0].tags[6].address: DB1.DBX0.9: bit index must be 0..7',
    ];
    for (const e of expected)
      expect(
        errors.some((x) => x.startsWith(e)),
        `${e}\n in ${errors.join('\n')}`,
      ).toBe(true);
  });
});
