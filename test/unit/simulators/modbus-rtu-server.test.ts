import { Duplex, PassThrough } from 'node:stream';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { buildRtuAdu, parseRtuAdu } from '../../../simulators/modbus-frames.js';
import { ModbusDataModel } from '../../../simulators/modbus-model.js';
import { interFrameMsFor, serialSettingsLabel } from '../../../simulators/modbus-rtu-serial.js';
import { ModbusRtuSimulator, type ModbusRtuSimulatorOptions } from '../../../simulators/modbus-rtu-server.js';

/** Longer than the simulator's 4 ms silence, short enough to keep the suite quick. */
const QUIET_MS = 30;

function testModel(): ModbusDataModel {
  const model = new ModbusDataModel();
  for (const unitId of [1, 2]) {
    model.addUnit(unitId);
    model.map(unitId, 'hr', 0, 10);
    model.map(unitId, 'coil', 0, 16);
    model.setRegisters(unitId, 'hr', 0, [0x1234 * unitId, 0xabcd]);
    model.setBit(unitId, 'coil', 0, true);
    model.setBit(unitId, 'coil', 2, true);
  }
  return model;
}

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const rtu = (unitId: number, pduHex: string): Buffer => buildRtuAdu(unitId, hex(pduHex));

/** A master at the other end of an in-memory line: writes requests, collects what the slave sends. */
class Line {
  readonly sim: ModbusRtuSimulator;
  private readonly toSlave = new PassThrough();
  private readonly toMaster = new PassThrough();
  private received = Buffer.alloc(0);

  constructor(
    readonly model: ModbusDataModel,
    options?: ModbusRtuSimulatorOptions,
  ) {
    this.sim = new ModbusRtuSimulator(model, options);
    this.sim.attach(Duplex.from({ readable: this.toSlave, writable: this.toMaster }));
    this.toMaster.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
    });
  }

  send(bytes: Buffer | string): void {
    this.toSlave.write(typeof bytes === 'string' ? hex(bytes) : bytes);
  }

  /** Resolves with the next `length` bytes the slave sends. */
  async read(length: number, timeoutMs = 1000): Promise<Buffer> {
    const deadline = performance.now() + timeoutMs;
    while (this.received.length < length) {
      if (performance.now() > deadline) {
        throw new Error(`expected ${length} bytes, got ${this.received.toString('hex') || 'nothing'}`);
      }
      await sleep(1);
    }
    const out = this.received.subarray(0, length);
    this.received = this.received.subarray(length);
    return out;
  }

  /** Resolves with everything the slave sent within `ms` (expected: nothing). */
  async quiet(ms = QUIET_MS): Promise<Buffer> {
    await sleep(ms);
    const out = this.received;
    this.received = Buffer.alloc(0);
    return out;
  }

  /** In-memory streams hold no handles: detaching is enough (destroying them would error the wrapper). */
  close(): void {
    this.sim.detach();
  }
}

const lines: Line[] = [];
function line(options?: ModbusRtuSimulatorOptions): Line {
  const l = new Line(testModel(), options);
  lines.push(l);
  return l;
}

afterEach(() => {
  for (const l of lines.splice(0)) l.close();
});

describe('ModbusRtuSimulator answers', () => {
  it('FC3 with the unit id, data and a CRC sent low byte first', async () => {
    const l = line();
    l.send('01 03 0000 0001 840A'); // the classic example frame: unit 1, hr:0, one register
    const answer = await l.read(7);
    expect(answer).toEqual(rtu(1, '03 02 1234'));
    expect(parseRtuAdu(answer)).toBeDefined();
    expect(l.sim.requests).toBe(1);
  });

  it('each unit from its own data', async () => {
    const l = line();
    l.send(rtu(2, '03 0000 0002'));
    expect(await l.read(9)).toEqual(rtu(2, '03 04 2468 abcd'));
  });

  it('FC6 with an echo, after writing', async () => {
    const l = line();
    const request = rtu(1, '06 0005 beef');
    l.send(request);
    expect(await l.read(8)).toEqual(request);
    expect(l.model.getRegister(1, 'hr', 5)).toBe(0xbeef);
    expect(l.model.getRegister(2, 'hr', 5)).toBe(0);
  });

  it('FC16 with address and quantity, after writing', async () => {
    const l = line();
    l.send(rtu(2, '10 0003 0002 04 0102 0304'));
    expect(await l.read(8)).toEqual(rtu(2, '10 0003 0002'));
    expect(l.model.getRegisters(2, 'hr', 3, 2)).toEqual([0x0102, 0x0304]);
  });

  it('FC1 with bits packed least significant first', async () => {
    const l = line();
    l.send(rtu(1, '01 0000 000a'));
    expect(await l.read(7)).toEqual(rtu(1, '01 02 05 00'));
  });

  it('FC5 with an echo, after switching the coil', async () => {
    const l = line();
    const request = rtu(1, '05 0007 ff00');
    l.send(request);
    expect(await l.read(8)).toEqual(request);
    expect(l.model.getBit(1, 'coil', 7)).toBe(true);
  });

  it('exception 2 for an unmapped register', async () => {
    const l = line();
    l.send(rtu(1, '03 0064 0001'));
    expect(await l.read(5)).toEqual(rtu(1, '83 02'));
  });

  it('exception 1 for a function code it cannot size, once the line is quiet', async () => {
    const l = line();
    l.send(rtu(1, '2b 0e 01 00')); // read device identification: not supported
    expect(await l.read(5)).toEqual(rtu(1, 'ab 01'));
  });

  it('a request split over several chunks', async () => {
    // A generous silence: this is about joining chunks, and a loaded machine may pause between them.
    const l = line({ interFrameMs: 500 });
    const request = rtu(1, '10 0000 0001 02 0042');
    const cuts = [0, 1, 2, 7, 10, request.length];
    for (let i = 1; i < cuts.length; i++) {
      l.send(request.subarray(cuts[i - 1], cuts[i]));
      await nextTurn();
    }
    expect(await l.read(8)).toEqual(rtu(1, '10 0000 0001'));
    expect(l.model.getRegister(1, 'hr', 0)).toBe(0x42);
  });

  it('two requests back to back, in order', async () => {
    const l = line();
    l.send(Buffer.concat([rtu(1, '03 0001 0001'), rtu(2, '03 0000 0001')]));
    expect(await l.read(14)).toEqual(Buffer.concat([rtu(1, '03 02 abcd'), rtu(2, '03 02 2468')]));
    expect(l.sim.requests).toBe(2);
  });
});

describe('ModbusRtuSimulator stays silent', () => {
  it('on a bad CRC, and counts it', async () => {
    const l = line();
    const request = rtu(1, '03 0000 0001');
    request[7] = (request[7] ?? 0) ^ 1;
    l.send(request);
    expect(await l.quiet()).toHaveLength(0);
    expect(l.sim.crcErrors).toBe(1);
    expect(l.sim.requests).toBe(0);
    l.send(rtu(1, '03 0000 0001'));
    expect(await l.read(7)).toEqual(rtu(1, '03 02 1234'));
  });

  it('for a unit id it does not have (another slave on the bus would answer)', async () => {
    const l = line();
    l.send(rtu(7, '03 0000 0001'));
    expect(await l.quiet()).toHaveLength(0);
    expect(l.sim.requests).toBe(1);
  });

  it('for a silent unit, while the others answer', async () => {
    const l = line();
    l.sim.silentUnits.add(2);
    l.send(rtu(2, '06 0000 0001'));
    expect(await l.quiet()).toHaveLength(0);
    expect(l.model.getRegister(2, 'hr', 0)).toBe(0x2468);
    l.send(rtu(1, '03 0000 0001'));
    expect(await l.read(7)).toEqual(rtu(1, '03 02 1234'));
  });

  it('on a broadcast write, which every unit but a silent one executes', async () => {
    const l = line();
    l.sim.silentUnits.add(2);
    l.send(rtu(0, '06 0009 0063'));
    l.send(rtu(0, '03 0000 0001')); // a broadcast read makes no sense: ignored
    expect(await l.quiet()).toHaveLength(0);
    expect(l.model.getRegister(1, 'hr', 9)).toBe(0x63);
    expect(l.model.getRegister(2, 'hr', 9)).toBe(0);
    expect(l.sim.requests).toBe(2);
  });
});

describe('ModbusRtuSimulator resynchronises', () => {
  it('after garbage, once the line was quiet', async () => {
    const l = line();
    l.send('ff 03 00'); // looks like the start of a request that never ends
    expect(await l.quiet()).toHaveLength(0);
    l.send(rtu(1, '03 0000 0001'));
    expect(await l.read(7)).toEqual(rtu(1, '03 02 1234'));
    expect(l.sim.crcErrors).toBe(1);
  });

  it('not when noise is glued to a request (one spoilt frame, as on a real line)', async () => {
    const l = line();
    l.send(Buffer.concat([hex('00'), rtu(1, '03 0000 0001')]));
    expect(await l.quiet()).toHaveLength(0);
    l.send(rtu(1, '03 0000 0001'));
    expect(await l.read(7)).toEqual(rtu(1, '03 02 1234'));
  });

  it('after a burst longer than any frame', async () => {
    const l = line();
    l.send(Buffer.alloc(300, 0x55));
    l.send(rtu(1, '03 0000 0001'));
    await l.quiet();
    l.send(rtu(1, '03 0000 0001'));
    expect(await l.read(7)).toEqual(rtu(1, '03 02 1234'));
    expect(l.sim.crcErrors).toBeGreaterThanOrEqual(1);
  });

  it('with the silence it is given', async () => {
    const l = line({ interFrameMs: 500 });
    l.send('01 03 00');
    await sleep(QUIET_MS);
    l.send('00 00 01 84 0a'); // the rest, well within the 500 ms: one frame
    expect(await l.read(7)).toEqual(rtu(1, '03 02 1234'));
  });
});

describe('ModbusRtuSimulator fault injection', () => {
  const request = rtu(1, '03 0000 0001');
  const answer = rtu(1, '03 02 1234');

  it('responseDelayMs holds answers back, in order', async () => {
    const l = line();
    l.sim.responseDelayMs = 60;
    const start = performance.now();
    l.send(request);
    await nextTurn();
    l.sim.responseDelayMs = 0;
    l.send(rtu(2, '03 0000 0001'));
    expect(await l.read(14)).toEqual(Buffer.concat([answer, rtu(2, '03 02 2468')]));
    expect(performance.now() - start).toBeGreaterThanOrEqual(55);
  });

  it('corruptNextResponses flips a CRC byte', async () => {
    const l = line();
    l.sim.corruptNextResponses(1);
    l.send(request);
    const bad = await l.read(7);
    expect(bad.subarray(0, 6)).toEqual(answer.subarray(0, 6));
    expect(bad[6]).toBe((answer[6] ?? 0) ^ 0xff);
    expect(parseRtuAdu(bad)).toBeUndefined();
    l.send(request);
    expect(await l.read(7)).toEqual(answer);
  });

  it('truncateNextResponses sends only the first half', async () => {
    const l = line();
    l.sim.truncateNextResponses(1);
    l.send(request);
    expect(await l.quiet()).toEqual(answer.subarray(0, 4));
    l.send(request);
    expect(await l.read(7)).toEqual(answer);
  });

  it('strayBytesBeforeNext writes junk right before one answer', async () => {
    const l = line();
    l.sim.strayBytesBeforeNext(5);
    l.sim.strayBytesBeforeNext(Uint8Array.of(0x01, 0x03));
    l.send(request);
    const first = await l.read(12);
    expect(first.subarray(5)).toEqual(answer);
    l.send(request);
    expect(await l.read(9)).toEqual(Buffer.concat([hex('0103'), answer]));
    l.send(request);
    expect(await l.read(7)).toEqual(answer);
    expect(await l.quiet()).toHaveLength(0);
  });

  it('wrongUnitNext answers as another unit, with a matching CRC', async () => {
    const l = line();
    l.sim.wrongUnitNext(1);
    l.send(request);
    expect(await l.read(7)).toEqual(rtu(2, '03 02 1234'));
    l.send(request);
    expect(await l.read(7)).toEqual(answer);
  });

  it('dropNextResponses executes the request but sends nothing', async () => {
    const l = line();
    l.sim.dropNextResponses(1);
    l.send(rtu(1, '06 0004 0007'));
    expect(await l.quiet()).toHaveLength(0);
    expect(l.model.getRegister(1, 'hr', 4)).toBe(7);
    l.send(request);
    expect(await l.read(7)).toEqual(answer);
  });

  it('refuses a negative count', () => {
    expect(() => line().sim.corruptNextResponses(-1)).toThrow(RangeError);
  });

  it('detach stops answering', async () => {
    const l = line();
    l.sim.detach();
    l.send(request);
    expect(await l.quiet()).toHaveLength(0);
    expect(l.sim.requests).toBe(0);
  });
});

describe('serial settings', () => {
  it('inter-frame silence: 3.5 characters, never below 4 ms', () => {
    expect(interFrameMsFor({ baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 })).toBe(4);
    expect(interFrameMsFor({ baudRate: 115200, dataBits: 8, parity: 'none', stopBits: 1 })).toBe(4);
    // 11 bits per character at 1200 baud: 32.1 ms.
    expect(interFrameMsFor({ baudRate: 1200, dataBits: 8, parity: 'even', stopBits: 1 })).toBe(33);
  });

  it('labels settings the way device plates do', () => {
    expect(serialSettingsLabel({ baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 })).toBe('9600 8N1');
    expect(serialSettingsLabel({ baudRate: 19200, dataBits: 7, parity: 'even', stopBits: 2 })).toBe('19200 7E2');
  });
});
