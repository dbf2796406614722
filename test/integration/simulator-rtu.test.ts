import ModbusRTU from 'modbus-serial';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDemoModel, DEMO_INITIAL, type DemoPlc } from '../../simulators/demo-plc.js';
import { type RtuSerialServer, serveRtuOnSerial } from '../../simulators/modbus-rtu-serial.js';
import { ModbusRtuTcpSimulator } from '../../simulators/modbus-rtu-tcp-server.js';
import { runModbusSimulator } from '../../simulators/run-modbus.js';
import { type PtyPair, ptyPair } from '../helpers/pty.js';

// Under NodeNext the CJS typings make the default import the module object; modbus-serial also
// sets exports.default to the client class, so `.default` is right at run time and in the types.
const ModbusClient = ModbusRTU.default;
type ModbusClient = InstanceType<typeof ModbusClient>;

const BAUD = 38400;
const TIMEOUT_MS = 300;

let demo: DemoPlc;
let pair: PtyPair | undefined;
let closers: Array<() => Promise<void>> = [];

function closeClient(c: ModbusClient): Promise<void> {
  return new Promise((resolve) => c.close(() => resolve()));
}

/** modbus-serial's buffered RTU client on the master end of the pty pair. */
async function serialClient(path: string): Promise<ModbusClient> {
  const c = new ModbusClient();
  await c.connectRTUBuffered(path, { baudRate: BAUD });
  closers.push(() => closeClient(c));
  c.setTimeout(TIMEOUT_MS);
  return c;
}

async function servePty(): Promise<{ server: RtuSerialServer; client: ModbusClient }> {
  pair = await ptyPair();
  const server = await serveRtuOnSerial(demo.model, { path: pair.a, baudRate: BAUD });
  closers.push(() => server.close());
  return { server, client: await serialClient(pair.b) };
}

async function readError(read: Promise<unknown>): Promise<Error & { modbusCode?: number }> {
  try {
    await read;
  } catch (err) {
    return err as Error & { modbusCode?: number };
  }
  throw new Error('the read succeeded');
}

beforeEach(() => {
  demo = createDemoModel();
});

afterEach(async () => {
  // Clients first, then servers: each closer waits for its own port.
  for (const close of closers.reverse()) await close();
  closers = [];
  await pair?.close();
  pair = undefined;
  demo.stop();
});

describe('Modbus RTU simulator on a pty pair', () => {
  it('serves units 1 and 2, each with its own data', async () => {
    const { client, server } = await servePty();
    client.setID(1);
    const { buffer } = await client.readHoldingRegisters(0, 3);
    expect(buffer.readFloatBE(0)).toBe(DEMO_INITIAL.setpoint);
    expect(buffer.readUInt16BE(4)).toBe(DEMO_INITIAL.speed);
    await client.writeRegister(2, 1234);
    await client.writeRegisters(100, [1, 2, 3]);
    await client.writeCoil(5, true);

    client.setID(2);
    await client.writeRegister(2, 42);
    expect((await client.readHoldingRegisters(100, 3)).data).toEqual([0, 0, 0]);
    expect((await client.readCoils(0, 8)).data.slice(0, 6)).toEqual([true, false, false, false, false, false]);

    expect(demo.model.getRegister(1, 'hr', 2)).toBe(1234);
    expect(demo.model.getRegister(2, 'hr', 2)).toBe(42);
    expect(demo.model.getRegisters(1, 'hr', 100, 3)).toEqual([1, 2, 3]);
    expect(demo.model.getBit(1, 'coil', 5)).toBe(true);
    expect(demo.model.getBit(2, 'coil', 5)).toBe(false);
    expect(server.sim.requests).toBe(7);
    expect(server.sim.crcErrors).toBe(0);
  });

  it('answers exception 2 for the unmapped hr:1100', async () => {
    const { client } = await servePty();
    client.setID(1);
    expect((await readError(client.readHoldingRegisters(1100, 1))).modbusCode).toBe(2);
  });

  it('a silent unit times out; the other unit keeps answering', async () => {
    const { client, server } = await servePty();
    server.sim.silentUnits.add(2);
    client.setID(2);
    expect((await readError(client.readHoldingRegisters(0, 1))).message).toMatch(/timed out/i);
    client.setID(1);
    expect((await client.readHoldingRegisters(2, 1)).data).toEqual([DEMO_INITIAL.speed]);
  });

  it('runModbusSimulator({ rtu }) serves the demo PLC on a serial port', async () => {
    pair = await ptyPair();
    const lines: string[] = [];
    const running = await runModbusSimulator({ rtu: { path: pair.a, baudRate: BAUD }, log: (m) => lines.push(m) });
    closers.push(() => running.close());
    expect(lines).toEqual([`Modbus RTU simulator on ${pair.a} at ${BAUD} 8N1, unit ids 1, 2`]);
    expect(running.path).toBe(pair.a);
    const client = await serialClient(pair.b);
    client.setID(2);
    expect((await client.readHoldingRegisters(2, 1)).data).toEqual([DEMO_INITIAL.speed]);
  });

  it('a port that cannot be opened is named in the error', async () => {
    await expect(serveRtuOnSerial(demo.model, { path: '/dev/tagwire-no-such-port' })).rejects.toThrow(
      /cannot open serial port \/dev\/tagwire-no-such-port/,
    );
  });
});

describe('Modbus RTU-over-TCP simulator', () => {
  let sim: ModbusRtuTcpSimulator;
  let port: number;

  beforeEach(async () => {
    sim = new ModbusRtuTcpSimulator(demo.model);
    ({ port } = await sim.listen());
    closers.push(() => sim.close());
  });

  /** connectTelnet is modbus-serial's client for raw RTU frames on a socket. */
  async function telnetClient(): Promise<ModbusClient> {
    const c = new ModbusClient();
    await c.connectTelnet('127.0.0.1', { port });
    closers.push(() => closeClient(c));
    c.setTimeout(TIMEOUT_MS);
    return c;
  }

  it('serves units 1 and 2 to several clients, with shared faults', async () => {
    const a = await telnetClient();
    const b = await telnetClient();
    expect(sim.connections).toBe(2);
    a.setID(1);
    b.setID(2);
    await a.writeRegister(100, 11);
    await b.writeRegister(100, 22);
    expect((await a.readHoldingRegisters(100, 1)).data).toEqual([11]);
    expect((await b.readHoldingRegisters(100, 1)).data).toEqual([22]);
    expect((await readError(a.readHoldingRegisters(1100, 1))).modbusCode).toBe(2);
    sim.silentUnits.add(2);
    expect((await readError(b.readHoldingRegisters(100, 1))).message).toMatch(/timed out/i);
    expect(sim.requests).toBe(6);
  });

  it('does not understand connectTcpRTUBuffered, which sends MBAP headers, not RTU frames', async () => {
    const c = new ModbusClient();
    await c.connectTcpRTUBuffered('127.0.0.1', { port });
    closers.push(() => closeClient(c));
    c.setTimeout(TIMEOUT_MS);
    c.setID(1);
    expect((await readError(c.readHoldingRegisters(0, 1))).message).toMatch(/timed out/i);
    expect(sim.requests).toBe(0);
    expect(sim.crcErrors).toBeGreaterThan(0);
  });
});

/** Pins down behaviour of modbus-serial's buffered RTU client that the gateway must guard against. */
describe('modbus-serial RTU client against a faulty slave', () => {
  it('recovers after a corrupted CRC and after stray bytes', async () => {
    const { client, server } = await servePty();
    client.setID(1);
    server.sim.corruptNextResponses(1);
    expect((await readError(client.readHoldingRegisters(2, 1))).message).toBe('CRC error');
    server.sim.strayBytesBeforeNext(Uint8Array.of(0xaa, 0x55, 0x00));
    expect((await client.readHoldingRegisters(2, 1)).data).toEqual([DEMO_INITIAL.speed]);
    expect((await client.readHoldingRegisters(2, 1)).data).toEqual([DEMO_INITIAL.speed]);
  });

  it('stray bytes holding the unit id and function code spoil one answer', async () => {
    const { client, server } = await servePty();
    client.setID(1);
    server.sim.strayBytesBeforeNext(Uint8Array.of(0x01, 0x03, 0xff));
    expect((await readError(client.readHoldingRegisters(2, 1))).message).toBe('CRC error');
    expect((await client.readHoldingRegisters(2, 1)).data).toEqual([DEMO_INITIAL.speed]);
  });

  it('a truncated answer costs a timeout and then a CRC error, then it recovers', async () => {
    const { client, server } = await servePty();
    client.setID(1);
    server.sim.truncateNextResponses(1);
    expect((await readError(client.readHoldingRegisters(2, 1))).message).toMatch(/timed out/i);
    // The half frame is still in the client's buffer and is glued to the next answer.
    expect((await readError(client.readHoldingRegisters(2, 1))).message).toBe('CRC error');
    expect((await client.readHoldingRegisters(2, 1)).data).toEqual([DEMO_INITIAL.speed]);
  });

  it('an answer arriving after the timeout is taken as the answer to the next request', async () => {
    const { client, server } = await servePty();
    client.setID(1);
    demo.model.setRegister(1, 'hr', 100, 1111);
    demo.model.setRegister(1, 'hr', 150, 2222);
    // Late by half a timeout: it lands while the next request (sent at the timeout) waits.
    server.sim.responseDelayMs = 1.5 * TIMEOUT_MS;
    expect((await readError(client.readHoldingRegisters(100, 1))).message).toMatch(/timed out/i);
    server.sim.responseDelayMs = 0;
    // Same unit, function and length: the late hr:100 answer passes every check, for hr:150.
    expect((await client.readHoldingRegisters(150, 1)).data).toEqual([1111]);
  });

  it('an answer with another unit id stays buffered and is taken by the next request to that unit', async () => {
    const { client, server } = await servePty();
    demo.model.setRegister(1, 'hr', 100, 1111);
    demo.model.setRegister(2, 'hr', 100, 2222);
    client.setID(1);
    server.sim.wrongUnitNext(1);
    expect((await readError(client.readHoldingRegisters(100, 1))).message).toMatch(/timed out/i);
    client.setID(2);
    expect((await client.readHoldingRegisters(100, 1)).data).toEqual([1111]);
  });
});
