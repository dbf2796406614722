import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../../core/errors.js';
import { MbapClient } from '../../drivers/modbus/mbap-client.js';

/** One request as a scripted device sees it. */
interface Request {
  tid: number;
  unit: number;
  fc: number;
  /** The PDU after the function code. */
  body: Buffer;
  socket: Socket;
}

/** A Modbus TCP device whose every answer the test writes by hand. */
async function scriptedDevice(onRequest: (req: Request) => void): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 6 && pending.length >= 6 + pending.readUInt16BE(4)) {
        const end = 6 + pending.readUInt16BE(4);
        onRequest({
          tid: pending.readUInt16BE(0),
          unit: pending[6] as number,
          fc: pending[7] as number,
          body: Buffer.from(pending.subarray(8, end)),
          socket,
        });
        pending = pending.subarray(end);
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { server, port: (server.address() as { port: number }).port };
}

/** An MBAP frame: transaction id, protocol 0, length, then unit id and PDU. */
function mbap(tid: number, unit: number, pdu: number[] | Buffer): Buffer {
  const body = Buffer.from(pdu);
  const frame = Buffer.alloc(7 + body.length);
  frame.writeUInt16BE(tid, 0);
  frame.writeUInt16BE(body.length + 1, 4);
  frame[6] = unit;
  body.copy(frame, 7);
  return frame;
}

/** A register-read answer whose registers hold start, start + 1, … (so each answer shows what it answers). */
function registersAnswer(req: Request, count = req.body.readUInt16BE(2)): Buffer {
  const start = req.body.readUInt16BE(0);
  const data = Buffer.alloc(2 * count);
  for (let i = 0; i < count; i++) data.writeUInt16BE(start + i, 2 * i);
  return mbap(req.tid, req.unit, Buffer.concat([Buffer.from([req.fc, data.length]), data]));
}

function registers(data: Buffer): number[] {
  return Array.from({ length: data.length / 2 }, (_, i) => data.readUInt16BE(2 * i));
}

async function failure(p: Promise<unknown>): Promise<GatewayError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    return err as GatewayError;
  }
  throw new Error('expected the request to fail');
}

const servers: Server[] = [];
const clients: MbapClient[] = [];

async function client(port: number): Promise<MbapClient> {
  const c = await MbapClient.connect('127.0.0.1', port, 1000);
  clients.push(c);
  return c;
}

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

describe('Modbus TCP client (MBAP)', () => {
  it('matches answers to requests by transaction id, whatever order they come in', async () => {
    const held: Request[] = [];
    const { port } = await scriptedDevice((req) => {
      held.push(req);
      if (held.length === 3) for (const r of held.reverse()) r.socket.write(registersAnswer(r));
    });
    const c = await client(port);
    const answers = await Promise.all([
      c.read(3, 1, 100, 2, 1000),
      c.read(3, 1, 200, 3, 1000),
      c.read(4, 1, 300, 1, 1000),
    ]);
    expect(answers.map(registers)).toEqual([[100, 101], [200, 201, 202], [300]]);
  });

  it('reassembles an answer that arrives byte by byte and splits answers that arrive together', async () => {
    const held: Request[] = [];
    const { port } = await scriptedDevice((req) => {
      held.push(req);
      if (held.length === 1) {
        const bytes = registersAnswer(req);
        for (let i = 0; i < bytes.length; i++) setTimeout(() => req.socket.write(bytes.subarray(i, i + 1)), i);
      }
      if (held.length === 3)
        req.socket.write(Buffer.concat([registersAnswer(held[1] as Request), registersAnswer(req)]));
    });
    const c = await client(port);
    expect(registers(await c.read(3, 1, 10, 4, 1000))).toEqual([10, 11, 12, 13]);
    const [a, b] = await Promise.all([c.read(3, 1, 20, 1, 1000), c.read(3, 1, 30, 2, 1000)]);
    expect([registers(a), registers(b)]).toEqual([[20], [30, 31]]);
  });

  it('drops an answer that comes after its timeout; the next request gets its own answer', async () => {
    let first: Request | undefined;
    const { port } = await scriptedDevice((req) => {
      if (!first) {
        first = req;
        return;
      }
      // The late answer to the first request, then the answer to this one.
      req.socket.write(Buffer.concat([registersAnswer(first), registersAnswer(req)]));
    });
    const c = await client(port);
    expect((await failure(c.read(3, 1, 1, 1, 50))).code).toBe('timeout');
    expect(registers(await c.read(3, 1, 7, 1, 1000))).toEqual([7]);
  });

  it('turns an exception answer into its code, and a cut exception into bad-response', async () => {
    const { port } = await scriptedDevice((req) => {
      const start = req.body.readUInt16BE(0);
      req.socket.write(mbap(req.tid, req.unit, start === 0 ? [req.fc | 0x80, 2] : [req.fc | 0x80]));
    });
    const c = await client(port);
    expect((await failure(c.read(3, 1, 0, 1, 1000))).code).toBe('modbus-exception-2');
    expect((await failure(c.read(3, 1, 5, 1, 1000))).code).toBe('bad-response');
  });

  it('refuses answers with the wrong size, unit or function code, and never hands their data on', async () => {
    const { port } = await scriptedDevice((req) => {
      const start = req.body.readUInt16BE(0);
      if (start === 1) req.socket.write(registersAnswer(req, 1)); // one register short
      if (start === 2) req.socket.write(registersAnswer(req, 3)); // one register too many
      if (start === 3) req.socket.write(mbap(req.tid, req.unit, [req.fc, 4, 0, 1])); // byte count says 4, carries 2
      if (start === 4) req.socket.write(mbap(req.tid, req.unit + 1, [req.fc, 4, 0, 4, 0, 5])); // another unit
      if (start === 5) req.socket.write(mbap(req.tid, req.unit, [4, 4, 0, 5, 0, 6])); // FC4 to an FC3 request
      if (start === 6) req.socket.write(mbap(req.tid, req.unit, [req.fc, 1, 0b101])); // coils: 1 byte for 9 bits
    });
    const c = await client(port);
    for (const start of [1, 2, 3, 4, 5]) {
      const err = await failure(c.read(3, 1, start, 2, 1000));
      expect(err.code, `answer ${start}`).toBe('bad-response');
    }
    expect((await failure(c.read(1, 1, 6, 9, 1000))).code).toBe('bad-response');
    expect(c.isOpen).toBe(true);
  });

  it('writes FC 5, 6, 15 and 16 as the specification lays them out and checks the echo', async () => {
    const seen: string[] = [];
    const { port } = await scriptedDevice((req) => {
      seen.push(`${req.fc} ${req.body.toString('hex')}`);
      const address = req.body.readUInt16BE(0);
      // A device that echoes another address (or quantity) for writes to 900 and up.
      const echo = Buffer.from(req.body.subarray(0, 4));
      if (address >= 900) echo.writeUInt16BE(address === 900 ? 901 : address, 0);
      if (address === 902) echo.writeUInt16BE(1, 2);
      req.socket.write(mbap(req.tid, req.unit, Buffer.concat([Buffer.from([req.fc]), echo])));
    });
    const c = await client(port);
    await c.writeRegisters(1, 10, [0xbeef], 1000);
    await c.writeRegisters(1, 11, [1, 0xffff], 1000);
    await c.writeCoils(1, 12, [true], 1000);
    await c.writeCoils(1, 13, [false], 1000);
    await c.writeCoils(1, 14, [true, false, true, true, false, false, false, false, false, true], 1000);
    expect(seen).toEqual(['6 000abeef', '16 000b0002040001ffff', '5 000cff00', '5 000d0000', '15 000e000a020d02']);
    expect((await failure(c.writeRegisters(1, 900, [1], 1000))).code).toBe('bad-response');
    expect((await failure(c.writeRegisters(1, 902, [1, 2], 1000))).code).toBe('bad-response');
  });

  it('closes a stream whose header cannot be Modbus and fails what is outstanding at once', async () => {
    const { port } = await scriptedDevice((req) => {
      const bad = registersAnswer(req);
      bad.writeUInt16BE(req.body.readUInt16BE(0) === 0 ? 1 : 0, 2); // protocol id 1
      if (req.body.readUInt16BE(0) !== 0) bad.writeUInt16BE(300, 4); // length beyond 254
      req.socket.write(bad);
    });
    for (const start of [0, 1]) {
      const c = await client(port);
      const lost: string[] = [];
      c.onLost((reason) => lost.push(reason));
      const startedAt = performance.now();
      const err = await failure(c.read(3, 1, start, 1, 5000));
      expect(performance.now() - startedAt).toBeLessThan(1000);
      expect(err.code).toBe('bad-response');
      expect(lost).toEqual(['bad-response']);
      expect(c.isOpen).toBe(false);
    }
  });

  it('fails outstanding requests at once when the device closes the connection, and reports it once', async () => {
    const { port } = await scriptedDevice((req) => req.socket.end());
    const c = await client(port);
    const lost: string[] = [];
    c.onLost((reason) => lost.push(reason));
    const err = await failure(c.read(3, 1, 0, 1, 5000));
    expect(err.code).toBe('disconnected');
    expect(lost).toEqual(['disconnected']);
    expect((await failure(c.read(3, 1, 0, 1, 5000))).code).toBe('disconnected');

    const quiet = await client(port);
    const lostQuiet: string[] = [];
    quiet.onLost((reason) => lostQuiet.push(reason));
    await quiet.close();
    expect(lostQuiet).toEqual([]);
  });

  it('refuses a closed port with ECONNREFUSED', async () => {
    const { server, port } = await scriptedDevice(() => {});
    await new Promise((r) => server.close(r));
    servers.splice(servers.indexOf(server), 1);
    await expect(MbapClient.connect('127.0.0.1', port, 1000)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('wraps transaction ids within 16 bits (…, 65535, 1, …) and keeps matching answers', {
    timeout: 30_000,
  }, async () => {
    const tids: number[] = [];
    const { port } = await scriptedDevice((req) => {
      tids.push(req.tid);
      req.socket.write(registersAnswer(req));
    });
    const c = await client(port);
    const total = 65_540;
    const misplaced: number[] = [];
    for (let sent = 0; sent < total; sent += 64) {
      const batch = Array.from({ length: Math.min(64, total - sent) }, (_, i) =>
        c.read(3, 1, (sent + i) % 1000, 1, 5000),
      );
      const answers = await Promise.all(batch);
      answers.forEach((a, i) => {
        if (a.readUInt16BE(0) !== (sent + i) % 1000) misplaced.push(sent + i);
      });
    }
    expect(misplaced).toEqual([]);
    expect(tids.slice(65_533, 65_537)).toEqual([65_534, 65_535, 1, 2]);
    expect(Math.max(...tids)).toBe(65_535);
    expect(tids.includes(0)).toBe(false);
  });
});
