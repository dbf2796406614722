import { describe, expect, it } from 'vitest';
import {
  FrameReader,
  type ItemSpec,
  parseAck,
  parseReadResponse,
  readRequest,
  S7FrameError,
} from '../../../../drivers/s7/protocol.js';

const items: ItemSpec[] = [
  { area: 'DB', db: 1, start: 0, bytes: 3 },
  { area: 'M', db: 0, start: 4, bytes: 2 },
];

/** An ack-data answer to `items` as a PLC sends it. */
function answer(data: number[], itemCount = 2): Buffer {
  const param = [0x04, itemCount];
  const header = [0x32, 0x03, 0, 0, 0, 7, 0, param.length, data.length >> 8, data.length & 0xff, 0, 0];
  return Buffer.from([...header, ...param, ...data]);
}

const GOOD = [0xff, 0x04, 0, 24, 1, 2, 3, 0, 0xff, 0x04, 0, 16, 9, 8];

describe('S7 frames', () => {
  it('builds a Read Var request with S7ANY item specifications', () => {
    const pdu = readRequest(7, items);
    expect(pdu.toString('hex')).toBe(
      '320100000007001a0000' + '0402' + '120a10020003000184000000' + '120a10020002000083000020',
    );
  });

  it('splits a good answer into items, skipping the fill byte after an odd length', () => {
    const results = parseReadResponse(parseAck(answer(GOOD)), items);
    expect(results).toEqual([
      { ok: true, data: Buffer.from([1, 2, 3]) },
      { ok: true, data: Buffer.from([9, 8]) },
    ]);
  });

  it('keeps a failed item as its return code', () => {
    const results = parseReadResponse(parseAck(answer([0x0a, 0, 0, 0, 0xff, 0x04, 0, 16, 9, 8])), items);
    expect(results[0]).toEqual({ ok: false, returnCode: 0x0a });
    expect(results[1]).toEqual({ ok: true, data: Buffer.from([9, 8]) });
  });

  it('refuses every truncated or inconsistent answer instead of reading values from it', () => {
    const good = answer(GOOD);
    // Every truncation of a good answer, with its header lengths left as they were.
    for (let cut = 0; cut < good.length; cut++) {
      expect(() => parseReadResponse(parseAck(good.subarray(0, cut)), items), `cut at ${cut}`).toThrow(S7FrameError);
    }
    const wrongLength = [...GOOD];
    wrongLength[3] = 32; // says 4 bytes for an item of 3
    expect(() => parseReadResponse(parseAck(answer(wrongLength)), items)).toThrow('asked for 3 bytes, got 4');
    expect(() => parseReadResponse(parseAck(answer(GOOD, 3)), items)).toThrow('asked for 2 items, the answer has 3');
    const notS7 = Buffer.from(good);
    notS7[0] = 0x33;
    expect(() => parseAck(notS7)).toThrow('not an S7 PDU');
    const badTransport = [...GOOD];
    badTransport[1] = 0x42;
    expect(() => parseReadResponse(parseAck(answer(badTransport)), items)).toThrow('unknown transport size');
  });

  it('cuts a byte stream into TPKT frames and refuses a stream out of step', () => {
    const reader = new FrameReader();
    const frame = Buffer.from([3, 0, 0, 9, 2, 0xf0, 0x80, 1, 2]);
    expect(reader.push(frame.subarray(0, 5))).toEqual([]);
    expect(reader.push(Buffer.concat([frame.subarray(5), frame]))).toEqual([frame, frame]);
    expect(() => new FrameReader().push(Buffer.from([4, 0, 0, 9]))).toThrow('not a TPKT frame');
    expect(() => new FrameReader().push(Buffer.from([3, 0, 0xff, 0xff]))).toThrow('out of bounds');
  });
});
