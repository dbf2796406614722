import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import ModbusRTU from 'modbus-serial';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDemoModel, type DemoPlc } from '../../simulators/demo-plc.js';
import { buildMbapFrame, type MbapFrame, parseMbapFrames } from '../../simulators/modbus-frames.js';
import { ModbusTcpSimulator } from '../../simulators/modbus-tcp-server.js';
import { runModbusSimulator } from '../../simulators/run-modbus.js';

// Under NodeNext the CJS typings make the default import the module object; its `default`
// is the client class both in the typings and at run time (modbus-serial sets exports.default).
const ModbusClient = ModbusRTU.default;
type ModbusClient = InstanceType<typeof ModbusClient>;

let demo: DemoPlc;
let sim: ModbusTcpSimulator;
let port: number;
const clients: ModbusClient[] = [];
const sockets: Socket[] = [];

async function client(unitId = 1): Promise<ModbusClient> {
  const c = new ModbusClient();
  clients.push(c);
  await c.connectTCP('127.0.0.1', { port });
  c.setID(unitId);
  c.setTimeout(500);
  return c;
}

async function rawSocket(): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  await once(socket, 'connect');
  return socket;
}

/** Resolves with the first `n` MBAP frames the server sends on `socket`. */
function receiveFrames(socket: Socket, n: number): Promise<MbapFrame[]> {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      const { frames } = parseMbapFrames(received);
      if (frames.length >= n) {
        socket.off('data', onData);
        resolve(frames);
      }
    };
    socket.on('data', onData);
  });
}

const readRequest = (tid: number, unit: number, fc: number, address: number, qty: number): Buffer => {
  const pdu = Buffer.alloc(5);
  pdu[0] = fc;
  pdu.writeUInt16BE(address, 1);
  pdu.writeUInt16BE(qty, 3);
  return buildMbapFrame(tid, unit, pdu);
};

beforeEach(async () => {
  demo = createDemoModel();
  demo.start();
  sim = new ModbusTcpSimulator(demo.model, { host: '127.0.0.1', port: 0 });
  ({ port } = await sim.listen());
});

afterEach(async () => {
  for (const c of clients.splice(0)) await new Promise<void>((resolve) => c.destroy(() => resolve()));
  for (const s of sockets.splice(0)) s.destroy();
  await sim.close();
  demo.stop();
});

describe('demo map over Modbus TCP', () => {
  it('holds the documented holding registers', async () => {
    const c = await client();
    const { buffer } = await c.readHoldingRegisters(0, 21);
    expect(buffer.readFloatBE(0)).toBe(22.5);
    expect(buffer.readUInt16BE(4)).toBe(1500);
    expect(buffer.readInt16BE(6)).toBe(-5);
    expect(buffer.readInt32BE(8)).toBe(-123456);
    expect(buffer.readBigInt64BE(12)).toBe(1234567890123456789n);
    expect(buffer.subarray(20, 40).toString('latin1')).toBe('TAGWIRE-SIM'.padEnd(20, '\0'));
    expect(buffer.readUInt16BE(40) & 1).toBe(1);
  });

  it('serves live input registers in both word orders', async () => {
    const c = await client();
    const before = Date.now();
    const values = (await c.readInputRegisters(0, 6)).buffer;
    const time = (await c.readInputRegisters(10, 4)).buffer.readBigUInt64BE(0);
    const cdab = (await c.readInputRegisters(20, 2)).buffer;
    const temperature = values.readFloatBE(0);
    expect(temperature).toBeGreaterThanOrEqual(20);
    expect(temperature).toBeLessThanOrEqual(25);
    expect(values.readFloatBE(4)).toBeGreaterThanOrEqual(1);
    expect(values.readFloatBE(4)).toBeLessThanOrEqual(1.5);
    expect(values.readInt16BE(10)).toBeGreaterThanOrEqual(-100);
    expect(Number(time)).toBeGreaterThanOrEqual(before - 1000);
    expect(Number(time)).toBeLessThanOrEqual(Date.now());
    const swapped = Buffer.from([cdab[2] ?? 0, cdab[3] ?? 0, cdab[0] ?? 0, cdab[1] ?? 0]).readFloatBE(0);
    expect(Math.abs(swapped - temperature)).toBeLessThan(0.1);
  });

  it('animates values', async () => {
    const c = await client();
    const ramp = async (): Promise<number> => (await c.readInputRegisters(5, 1)).buffer.readInt16BE(0);
    const first = await ramp();
    await vi.waitFor(async () => expect(await ramp()).not.toBe(first), { timeout: 2000, interval: 50 });
  });

  it('writes registers and reads them back; units keep separate data', async () => {
    const c = await client();
    await c.writeRegisters(100, [1, 2, 0xffff]);
    await c.writeRegister(2, 1800);
    const setpoint = Buffer.alloc(4);
    setpoint.writeFloatBE(30.25);
    await c.writeRegisters(0, setpoint);
    expect((await c.readHoldingRegisters(100, 3)).data).toEqual([1, 2, 0xffff]);
    expect((await c.readHoldingRegisters(2, 1)).data).toEqual([1800]);
    expect((await c.readHoldingRegisters(0, 2)).buffer.readFloatBE(0)).toBe(30.25);
    expect(demo.model.getFloat32(1, 'hr', 0)).toBe(30.25);
    c.setID(2);
    expect((await c.readHoldingRegisters(2, 1)).data).toEqual([1500]);
  });

  it('writes coils; di:1 mirrors coil:0 at once', async () => {
    const c = await client();
    expect((await c.readCoils(0, 1)).data[0]).toBe(true);
    expect((await c.readDiscreteInputs(1, 1)).data[0]).toBe(true);
    await c.writeCoil(0, false);
    expect((await c.readDiscreteInputs(1, 1)).data[0]).toBe(false);
    await c.writeCoils(2, [true, false, true]);
    expect((await c.readCoils(0, 8)).data).toEqual([false, false, true, false, true, false, false, false]);
  });

  it('answers exception 2 for anything touching an unmapped address', async () => {
    const c = await client();
    await expect(c.readHoldingRegisters(1100, 1)).rejects.toMatchObject({ modbusCode: 2 });
    await expect(c.readHoldingRegisters(1090, 20)).rejects.toMatchObject({ modbusCode: 2 });
    await expect(c.writeRegister(1150, 1)).rejects.toMatchObject({ modbusCode: 2 });
    await expect(c.readInputRegisters(0, 14)).rejects.toMatchObject({ modbusCode: 2 });
    await expect(c.readCoils(16, 1)).rejects.toMatchObject({ modbusCode: 2 });
    expect((await c.readHoldingRegisters(1000, 100)).data).toHaveLength(100);
    expect((await c.readHoldingRegisters(1200, 100)).data).toHaveLength(100);
  });

  it('answers exception 3 for a too large read', async () => {
    const c = await client();
    await expect(c.readHoldingRegisters(0, 126)).rejects.toMatchObject({ modbusCode: 3 });
  });
});

describe('fault injection', () => {
  it('never answers a silent unit; other units keep working on the same connection', async () => {
    sim.silentUnits.add(2);
    const c = await client(2);
    await expect(c.readHoldingRegisters(0, 1)).rejects.toMatchObject({ errno: 'ETIMEDOUT' });
    c.setID(1);
    expect((await c.readHoldingRegisters(2, 1)).data).toEqual([1500]);
  });

  it('never answers a unit id the model does not have', async () => {
    const c = await client(9);
    await expect(c.readHoldingRegisters(0, 1)).rejects.toMatchObject({ errno: 'ETIMEDOUT' });
    expect(sim.requests).toBe(1);
  });

  it('drops the next n answers', async () => {
    const c = await client();
    sim.dropNextResponses(1);
    await expect(c.readHoldingRegisters(2, 1)).rejects.toMatchObject({ errno: 'ETIMEDOUT' });
    expect((await c.readHoldingRegisters(2, 1)).data).toEqual([1500]);
  });

  it('delays answers but keeps them in order', async () => {
    sim.responseDelayMs = 150;
    const socket = await rawSocket();
    const started = performance.now();
    const answers = receiveFrames(socket, 2);
    socket.write(readRequest(1, 1, 3, 2, 1));
    await vi.waitFor(() => expect(sim.requests).toBe(1));
    // With the delay gone, the second answer still must not overtake the first.
    sim.responseDelayMs = 0;
    socket.write(readRequest(2, 1, 3, 3, 1));
    const frames = await answers;
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(frames.map((f) => f.transactionId)).toEqual([1, 2]);
  });
});

describe('connections', () => {
  it('answers pipelined requests in order, echoing transaction and unit ids', async () => {
    const socket = await rawSocket();
    const answers = receiveFrames(socket, 4);
    const requests = Buffer.concat([
      readRequest(10, 1, 3, 2, 1),
      readRequest(11, 2, 3, 3, 1),
      readRequest(12, 1, 3, 1100, 1),
      readRequest(13, 1, 4, 4, 2),
    ]);
    // Split inside the second frame, so the server must also reassemble a partial one.
    await new Promise<void>((resolve) => socket.write(requests.subarray(0, 16), () => resolve()));
    socket.write(requests.subarray(16));
    const frames = await answers;
    expect(frames.map((f) => [f.transactionId, f.unitId])).toEqual([
      [10, 1],
      [11, 2],
      [12, 1],
      [13, 1],
    ]);
    expect(frames[0]?.pdu.toString('hex')).toBe('030205dc');
    expect(frames[1]?.pdu.toString('hex')).toBe('0302fffb');
    expect(frames[2]?.pdu.toString('hex')).toBe('8302');
    expect(frames[3]?.pdu.length).toBe(6);
    expect(sim.requests).toBe(4);
  });

  it('closes a connection that is not Modbus TCP', async () => {
    const socket = await rawSocket();
    const closed = once(socket, 'close');
    socket.write(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    await closed;
    await vi.waitFor(() => expect(sim.connections).toBe(0));
  });

  it('serves two concurrent clients', async () => {
    const a = await client();
    const b = await client();
    await vi.waitFor(() => expect(sim.connections).toBe(2));
    const reads = (c: ModbusClient) =>
      Promise.all(Array.from({ length: 20 }, () => c.readHoldingRegisters(10, 10).then((r) => r.buffer.toString())));
    const [ra, rb] = await Promise.all([reads(a), reads(b)]);
    expect(new Set([...ra, ...rb])).toEqual(new Set(['TAGWIRE-SIM'.padEnd(20, '\0')]));
    await a.writeRegister(150, 4242);
    expect((await b.readHoldingRegisters(150, 1)).data).toEqual([4242]);
  });

  it('close() drops every client', async () => {
    const socket = await rawSocket();
    await vi.waitFor(() => expect(sim.connections).toBe(1));
    const closed = once(socket, 'close');
    await sim.close();
    await closed;
    expect(sim.connections).toBe(0);
  });

  it('names the port when it is already in use', async () => {
    const second = new ModbusTcpSimulator(demo.model, { host: '127.0.0.1', port });
    await expect(second.listen()).rejects.toThrow(`port ${port} is already in use`);
    await second.close();
  });
});

describe('runModbusSimulator', () => {
  it('starts the animated demo PLC and stops it', async () => {
    const lines: string[] = [];
    const running = await runModbusSimulator({ host: '127.0.0.1', port: 0, log: (m) => lines.push(m) });
    try {
      expect(lines.join('\n')).toContain(`127.0.0.1:${running.port}`);
      const c = new ModbusClient();
      clients.push(c);
      await c.connectTCP('127.0.0.1', { port: running.port });
      c.setID(2);
      c.setTimeout(500);
      expect((await c.readHoldingRegisters(0, 2)).buffer.readFloatBE(0)).toBe(22.5);
    } finally {
      await running.close();
    }
  });

  it('rejects, naming the port, when it is taken', async () => {
    await expect(runModbusSimulator({ host: '127.0.0.1', port })).rejects.toThrow(String(port));
  });
});
