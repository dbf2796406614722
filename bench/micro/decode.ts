/**
 * The per-value decode path of drivers/modbus: a tag decoder (tag-decoder.ts, shared by tags
 * that decode alike, float32 tags remembering their last value in a memo slot each) reading
 * straight from the answer's bytes, beside the floor (reading the float alone) and the
 * float32 shortening with arithmetic and with toPrecision.
 */

import type { TagType } from '../../core/config/schema.js';
import { shortestFloat32, shortestFloat32Reference } from '../../core/float32.js';
import { goodValue, type TagValue } from '../../core/values.js';
import { parseAddress } from '../../drivers/modbus/address.js';
import { compileTagDecoder, Float32Memo, type TagDecoder } from '../../drivers/modbus/tag-decoder.js';
import type { ByteOrder } from '../../drivers/modbus/tag-fields.js';
import { type MicroResult, timeIt } from './time-it.js';

const REGISTERS = 124;
const FLOATS = REGISTERS / 2;

/** Answers whose every value differs from the one before (the decoders remember the last). */
function sampleAnswers(n: number): Buffer[] {
  return Array.from({ length: n }, (_, k) => {
    const bytes = Buffer.alloc(REGISTERS * 2);
    for (let i = 0; i < FLOATS; i++) bytes.writeFloatBE(20 + 5 * Math.sin(i * 0.37 + k), i * 4);
    return bytes;
  });
}

function decoders(types: Array<[TagType, ByteOrder, number]>): Array<{ decode: TagDecoder; at: number }> {
  return Array.from({ length: FLOATS }, (_, i) => {
    const [type, byteOrder, scale] = types[i % types.length] as [TagType, ByteOrder, number];
    const decode = compileTagDecoder({ address: parseAddress(`hr:${2 * i}`), type, byteOrder, scale, offset: 0 });
    return { decode, at: 2 * i };
  });
}

function decodeAll(
  tags: Array<{ decode: TagDecoder; at: number }>,
  memo: Float32Memo,
  data: Buffer,
  out: TagValue[],
): void {
  const now = Date.now();
  for (let i = 0; i < tags.length; i++) {
    const t = tags[i] as { decode: TagDecoder; at: number };
    out[i] = goodValue(t.decode(data, t.at, memo, i), now);
  }
}

export function decodeMicro(): MicroResult[] {
  const answers = sampleAnswers(8);
  const bytes = answers[0] as Buffer;
  let k = 0;
  const next = () => answers[k++ & 7] as Buffer;
  const out: TagValue[] = new Array(FLOATS);
  const memo = new Float32Memo(FLOATS);
  const mixedMemo = new Float32Memo(FLOATS);
  const floats = decoders([['float32', 'ABCD', 1]]);
  const mixed = decoders([
    ['float32', 'CDAB', 1],
    ['int32', 'ABCD', 0.1],
    ['uint16', 'ABCD', 1],
    ['float32', 'DCBA', 1],
    ['uint32', 'BADC', 1],
  ]);
  let sink = 0;
  const results = [
    timeIt(
      'float32 decode (driver.ts, shared decoder)',
      FLOATS,
      () => decodeAll(floats, memo, next(), out),
      'tag-decoder.ts: readFloatBE + shortestFloat32 + TagValue, every value new',
    ),
    timeIt(
      'float32 decode, values unchanged',
      FLOATS,
      () => decodeAll(floats, memo, bytes, out),
      'the same, each tag remembering its last shortened value in its memo slot',
    ),
    timeIt(
      'mixed types and byte orders, some scaled',
      FLOATS,
      () => decodeAll(mixed, mixedMemo, next(), out),
      'tag-decoder.ts: CDAB/BADC through a scratch buffer',
    ),
    timeIt(
      'shortestFloat32 alone',
      FLOATS,
      () => {
        for (let i = 0; i < FLOATS; i++) sink += shortestFloat32(bytes.readFloatBE(i * 4));
      },
      'core/float32.ts: arithmetic rounding, exact',
    ),
    timeIt(
      'shortestFloat32 via toPrecision',
      FLOATS,
      () => {
        for (let i = 0; i < FLOATS; i++) sink += shortestFloat32Reference(bytes.readFloatBE(i * 4));
      },
      'the definition (and the old code): up to 4 toPrecision + Number',
    ),
    timeIt(
      'floor: readFloatBE from the response',
      FLOATS,
      () => {
        const now = Date.now();
        for (let i = 0; i < FLOATS; i++) out[i] = goodValue(bytes.readFloatBE(i * 4), now);
      },
      'no shortening, no per-tag call',
    ),
  ];
  if (sink === Number.MIN_VALUE) process.stdout.write('');
  return results;
}
