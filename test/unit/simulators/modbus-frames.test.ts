import { describe, expect, it } from 'vitest';
import {
  buildMbapFrame,
  buildRtuAdu,
  crc16,
  handlePdu,
  parseMbapFrames,
  parseRtuAdu,
  respond,
  rtuRequestLength,
  writeMbapHeader,
  writeRtuEnvelope,
} from '../../../simulators/modbus-frames.js';
import { ModbusDataModel } from '../../../simulators/modbus-model.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const toHex = (b: Buffer): string => b.toString('hex').replace(/(..)(?!$)/g, '$1 ');

function model(): ModbusDataModel {
  const m = new ModbusDataModel();
  m.addUnit(1);
  m.map(1, 'hr', 0, 10).map(1, 'hr', 20, 10);
  m.map(1, 'ir', 0, 200);
  m.map(1, 'coil', 0, 2000);
  m.map(1, 'di', 0, 16);
  return m;
}

describe('handlePdu reads', () => {
  it('FC3 returns registers big-endian', () => {
    const m = model();
    m.setRegisters(1, 'hr', 0, [0x1234, 0xabcd]);
    expect(toHex(handlePdu(m, 1, hex('03 0000 0002')))).toBe('03 04 12 34 ab cd');
  });

  it('FC4 reads input registers, up to 125', () => {
    const m = model();
    m.setRegister(1, 'ir', 124, 0xbeef);
    const res = handlePdu(m, 1, hex('04 0000 007d'));
    expect(res.length).toBe(2 + 250);
    expect(res[1]).toBe(250);
    expect(res.readUInt16BE(2 + 248)).toBe(0xbeef);
  });

  it('FC1/FC2 pack bits LSB first', () => {
    const m = model();
    for (const a of [0, 2, 8, 9]) m.setBit(1, 'coil', a, true);
    expect(toHex(handlePdu(m, 1, hex('01 0000 000a')))).toBe('01 02 05 03');
    m.setBit(1, 'di', 15, true);
    expect(toHex(handlePdu(m, 1, hex('02 0008 0008')))).toBe('02 01 80');
  });

  it('FC1 accepts 2000 bits', () => {
    const res = handlePdu(model(), 1, hex('01 0000 07d0'));
    expect(res[1]).toBe(250);
  });
});

describe('handlePdu writes', () => {
  it('FC5 sets and clears a coil and echoes the request', () => {
    const m = model();
    expect(toHex(handlePdu(m, 1, hex('05 0003 ff00')))).toBe('05 00 03 ff 00');
    expect(m.getBit(1, 'coil', 3)).toBe(true);
    handlePdu(m, 1, hex('05 0003 0000'));
    expect(m.getBit(1, 'coil', 3)).toBe(false);
  });

  it('FC6 writes one register and echoes', () => {
    const m = model();
    expect(toHex(handlePdu(m, 1, hex('06 0005 fffb')))).toBe('06 00 05 ff fb');
    expect(m.getInt16(1, 'hr', 5)).toBe(-5);
  });

  it('FC15 writes coils and answers address and quantity', () => {
    const m = model();
    expect(toHex(handlePdu(m, 1, hex('0f 0010 000a 02 cd 01')))).toBe('0f 00 10 00 0a');
    const bits = Array.from({ length: 10 }, (_, i) => m.getBit(1, 'coil', 16 + i));
    expect(bits).toEqual([true, false, true, true, false, false, true, true, true, false]);
  });

  it('FC16 writes registers and answers address and quantity', () => {
    const m = model();
    expect(toHex(handlePdu(m, 1, hex('10 0001 0002 04 000a 0102')))).toBe('10 00 01 00 02');
    expect(m.getRegisters(1, 'hr', 1, 2)).toEqual([0x000a, 0x0102]);
  });

  it('reports writes to listeners', () => {
    const m = model();
    const seen: string[] = [];
    m.onWrite((unit, area, address, count) => seen.push(`${unit}:${area}:${address}+${count}`));
    handlePdu(m, 1, hex('10 0001 0002 04 000a 0102'));
    handlePdu(m, 1, hex('05 0000 ff00'));
    handlePdu(m, 1, hex('03 0000 0001'));
    expect(seen).toEqual(['1:hr:1+2', '1:coil:0+1']);
  });
});

describe('handlePdu exceptions', () => {
  const cases: Array<[string, string, string]> = [
    ['unknown function code', '2b 0e01 00', 'ab 01'],
    ['FC8 diagnostics unsupported', '08 0000 1234', '88 01'],
    ['read quantity 0', '03 0000 0000', '83 03'],
    ['read of 126 registers', '04 0000 007e', '84 03'],
    ['read of 2001 bits', '01 0000 07d1', '81 03'],
    ['read entirely unmapped', '03 0010 0001', '83 02'],
    ['read straddling a hole', '03 0008 0004', '83 02'],
    ['read past 65535', '04 ffff 0002', '84 02'],
    ['bits unmapped', '02 000f 0002', '82 02'],
    ['FC5 bad value', '05 0000 1234', '85 03'],
    ['FC5 unmapped coil', '05 0fa0 ff00', '85 02'],
    ['FC6 unmapped', '06 0010 0001', '86 02'],
    ['FC16 byte count mismatch', '10 0000 0002 03 0001 00', '90 03'],
    ['FC16 data shorter than byte count', '10 0000 0002 04 0001', '90 03'],
    ['FC16 over 123 registers', `10 0000 007c f8 ${'00'.repeat(248)}`, '90 03'],
    ['FC16 into hole', '10 0009 0002 04 0001 0002', '90 02'],
    ['FC15 byte count mismatch', '0f 0000 0009 01 ff', '8f 03'],
    ['FC3 wrong PDU length', '03 0000 00', '83 03'],
  ];
  it.each(cases)('%s', (_name, request, expected) => {
    expect(toHex(handlePdu(model(), 1, hex(request)))).toBe(expected);
  });

  it('quantity is checked before address', () => {
    expect(toHex(handlePdu(model(), 1, hex('03 1000 0000')))).toBe('83 03');
  });

  it('a failed write changes nothing', () => {
    const m = model();
    handlePdu(m, 1, hex('10 0009 0002 04 0001 0002'));
    expect(m.getRegister(1, 'hr', 9)).toBe(0);
  });

  it('unknown unit answers gateway target failed (the TCP server stays silent instead)', () => {
    expect(toHex(handlePdu(model(), 7, hex('03 0000 0001')))).toBe('83 0b');
  });
});

describe('respond with head/tail room', () => {
  it('leaves room for an MBAP header', () => {
    const m = model();
    m.setRegister(1, 'hr', 0, 0x0102);
    const adu = writeMbapHeader(respond(m, 1, hex('03 0000 0001'), 7, 0), 0x1234, 1);
    expect(toHex(adu)).toBe('12 34 00 00 00 05 01 03 02 01 02');
  });

  it('leaves room for RTU unit id and CRC', () => {
    const m = model();
    m.setRegister(1, 'hr', 0, 0x0102);
    const adu = writeRtuEnvelope(respond(m, 1, hex('03 0000 0001'), 1, 2), 1);
    expect(parseRtuAdu(adu)).toEqual({ unitId: 1, pdu: hex('03 02 01 02') });
  });
});

describe('MBAP framing', () => {
  const frame1 = hex('0001 0000 0006 01 03 0000 0002');
  const frame2 = hex('0002 0000 0006 02 04 0010 0001');

  it('parses one frame', () => {
    const { frames, rest, error } = parseMbapFrames(frame1);
    expect(error).toBeUndefined();
    expect(rest.length).toBe(0);
    expect(frames).toEqual([{ transactionId: 1, unitId: 1, pdu: hex('03 0000 0002') }]);
  });

  it('parses several frames in one chunk, in order', () => {
    const { frames, rest } = parseMbapFrames(Buffer.concat([frame1, frame2, frame1]));
    expect(frames.map((f) => [f.transactionId, f.unitId])).toEqual([
      [1, 1],
      [2, 2],
      [1, 1],
    ]);
    expect(rest.length).toBe(0);
  });

  it('keeps a partial frame for the next chunk, at every split point', () => {
    const stream = Buffer.concat([frame1, frame2]);
    for (let cut = 1; cut < stream.length; cut++) {
      const first = parseMbapFrames(stream.subarray(0, cut));
      const second = parseMbapFrames(Buffer.concat([first.rest, stream.subarray(cut)]));
      const all = [...first.frames, ...second.frames].map((f) => f.transactionId);
      expect(all).toEqual([1, 2]);
      expect(second.rest.length).toBe(0);
    }
  });

  it.each([
    ['protocol id 1', '0001 0001 0006 01 03 0000 0001'],
    ['length 1', '0001 0000 0001 01'],
    ['length 255', '0001 0000 00ff 01'],
  ])('rejects %s', (_name, bytes) => {
    expect(parseMbapFrames(hex(bytes)).error).toMatch(/MBAP/);
  });

  it('detects a bad header before the body has arrived', () => {
    expect(parseMbapFrames(hex('0001 0007 0006')).error).toMatch(/protocol id 7/);
  });

  it('buildMbapFrame round-trips', () => {
    const built = buildMbapFrame(0xfffe, 9, hex('03 0000 0001'));
    expect(toHex(built)).toBe('ff fe 00 00 00 06 09 03 00 00 00 01');
    expect(parseMbapFrames(built).frames[0]).toEqual({ transactionId: 0xfffe, unitId: 9, pdu: hex('03 0000 0001') });
  });
});

describe('RTU framing', () => {
  it('CRC of 01 03 00 00 00 01 is 0x0A84, sent as 84 0A', () => {
    expect(crc16(hex('01 03 0000 0001'))).toBe(0x0a84);
    expect(toHex(buildRtuAdu(1, hex('03 0000 0001')))).toBe('01 03 00 00 00 01 84 0a');
  });

  it('parses a valid ADU and refuses a corrupt one', () => {
    const adu = buildRtuAdu(17, hex('06 0001 0003'));
    expect(parseRtuAdu(adu)).toEqual({ unitId: 17, pdu: hex('06 0001 0003') });
    const bad = Buffer.from(adu);
    bad[3] = (bad[3] ?? 0) ^ 0x01;
    expect(parseRtuAdu(bad)).toBeUndefined();
    expect(parseRtuAdu(hex('01 03 84'))).toBeUndefined();
  });

  it('knows request lengths from the function code', () => {
    expect(rtuRequestLength(hex('01'))).toBe(0);
    expect(rtuRequestLength(hex('01 03'))).toBe(8);
    expect(rtuRequestLength(hex('01 10 0000 0002'))).toBe(0);
    expect(rtuRequestLength(hex('01 10 0000 0002 04'))).toBe(13);
    expect(rtuRequestLength(hex('01 2b'))).toBe(-1);
  });
});

describe('ModbusDataModel', () => {
  it('merges mapped ranges and checks whole spans', () => {
    const m = new ModbusDataModel();
    const unit = m.addUnit(3);
    unit.map('hr', 10, 5).map('hr', 15, 5).map('hr', 30, 1);
    expect(unit.mappedRanges('hr')).toEqual([
      { start: 10, end: 20 },
      { start: 30, end: 31 },
    ]);
    expect(unit.isMapped('hr', 10, 10)).toBe(true);
    expect(unit.isMapped('hr', 19, 2)).toBe(false);
    expect(unit.isMapped('ir', 10, 1)).toBe(false);
    expect(m.units()).toEqual([3]);
  });

  it.each([
    ['ABCD', '4148 0000'],
    ['CDAB', '0000 4148'],
    ['BADC', '4841 0000'],
    ['DCBA', '0000 4841'],
  ] as const)('float32 12.5 in %s', (order, regs) => {
    const m = new ModbusDataModel();
    m.addUnit(1);
    m.setFloat32(1, 'hr', 0, 12.5, order);
    expect(m.getRegisters(1, 'hr', 0, 2)).toEqual(regs.split(' ').map((r) => Number.parseInt(r, 16)));
    expect(m.getFloat32(1, 'hr', 0, order)).toBe(12.5);
  });

  it('64-bit CDAB reverses words (GH EF CD AB)', () => {
    const m = new ModbusDataModel();
    m.addUnit(1);
    m.setUint64(1, 'hr', 0, 0x0102030405060708n, 'CDAB');
    expect(m.getRegisters(1, 'hr', 0, 4)).toEqual([0x0708, 0x0506, 0x0304, 0x0102]);
    m.setInt64(1, 'hr', 0, -2n, 'DCBA');
    expect(m.getInt64(1, 'hr', 0, 'DCBA')).toBe(-2n);
  });

  it('strings are NUL padded and never word-swapped', () => {
    const m = new ModbusDataModel();
    m.addUnit(1);
    m.setString(1, 'hr', 0, 'ABC', 6, 'CDAB');
    expect(m.getRegisters(1, 'hr', 0, 3)).toEqual([0x4142, 0x4300, 0]);
    expect(m.getString(1, 'hr', 0, 6)).toBe('ABC');
    m.setString(1, 'hr', 0, 'ABC', 6, 'BADC');
    expect(m.getRegisters(1, 'hr', 0, 2)).toEqual([0x4241, 0x0043]);
    expect(m.getString(1, 'hr', 0, 6, 'DCBA')).toBe('ABC');
  });

  it('refuses unknown units and out-of-range addresses', () => {
    const m = new ModbusDataModel();
    expect(() => m.getRegister(1, 'hr', 0)).toThrow(/unit 1/);
    m.addUnit(1);
    expect(() => m.setRegister(1, 'hr', 65536, 0)).toThrow(RangeError);
    expect(() => m.map(1, 'hr', 65535, 2)).toThrow(RangeError);
  });
});
