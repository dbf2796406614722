/**
 * Turns the plain values tests and the CLI hand to the OPC UA simulator into node-opcua Variants
 * of a node's built-in type.
 */
import { coerceInt64, coerceUInt64, DataType, Variant, VariantArrayType } from 'node-opcua';

export type SimpleValue = number | boolean | string;

/**
 * 64-bit integers: node-opcua carries them as `[high, low]` 32-bit words; a decimal string
 * (or a bigint) keeps every digit, a number is exact only up to 2^53.
 */
function int64Words(dataType: DataType.Int64 | DataType.UInt64, value: SimpleValue | bigint): number[] {
  const text = typeof value === 'bigint' ? value.toString() : value;
  if (typeof text === 'boolean') throw new Error(`cannot store a boolean in ${DataType[dataType]}`);
  if (typeof text === 'string' && !/^-?\d+$/.test(text)) throw new Error(`"${text}" is not an integer`);
  const big = BigInt(text);
  const [min, max] = dataType === DataType.Int64 ? [-(2n ** 63n), 2n ** 63n - 1n] : [0n, 2n ** 64n - 1n];
  if (big < min || big > max) throw new Error(`${text} does not fit ${DataType[dataType]}`);
  // coerce* splits a decimal string with BigInt, so no digit is lost on the way.
  return dataType === DataType.Int64 ? coerceInt64(big.toString()) : coerceUInt64(big.toString());
}

/** A scalar Variant of `dataType`; throws when the value cannot be one. */
export function toVariant(dataType: DataType, value: SimpleValue | bigint): Variant {
  // Explicit: node-opcua cannot tell a scalar Int64 ([high, low]) from an array.
  return new Variant({ dataType, arrayType: VariantArrayType.Scalar, value: convert(dataType, value) });
}

function convert(dataType: DataType, value: SimpleValue | bigint): unknown {
  switch (dataType) {
    case DataType.Boolean:
      if (typeof value !== 'boolean') throw new Error('Boolean needs true or false');
      return value;
    case DataType.Int64:
    case DataType.UInt64:
      return int64Words(dataType, value);
    case DataType.String:
      return String(value);
    case DataType.DateTime: {
      const date = new Date(typeof value === 'bigint' ? Number(value) : (value as number | string));
      if (typeof value === 'boolean' || Number.isNaN(date.getTime())) throw new Error(`"${value}" is not a date`);
      return date;
    }
    case DataType.ByteString:
      // Base64, the way JSON usually carries bytes.
      if (typeof value !== 'string') throw new Error('ByteString needs a base64 string');
      return Buffer.from(value, 'base64');
    default:
      return integerOrFloat(dataType, value);
  }
}

const INTEGER_RANGES: Partial<Record<DataType, [number, number]>> = {
  [DataType.SByte]: [-128, 127],
  [DataType.Byte]: [0, 255],
  [DataType.Int16]: [-32768, 32767],
  [DataType.UInt16]: [0, 65535],
  [DataType.Int32]: [-2147483648, 2147483647],
  [DataType.UInt32]: [0, 4294967295],
};

function integerOrFloat(dataType: DataType, value: SimpleValue | bigint): number {
  const n = typeof value === 'string' ? Number(value) : Number(value as number | bigint);
  // NaN and ±Infinity are floats a device may really send: given as numbers or as text ("NaN").
  const isFloat = dataType === DataType.Float || dataType === DataType.Double;
  const nanAsked = typeof value === 'number' || value === 'NaN';
  if (typeof value === 'boolean' || (Number.isNaN(n) && !(isFloat && nanAsked))) {
    throw new Error(`"${value}" is not a number`);
  }
  if (isFloat) return n;
  const range = INTEGER_RANGES[dataType];
  if (!range) throw new Error(`the simulator cannot set values of type ${DataType[dataType]}`);
  if (!Number.isInteger(n) || n < range[0] || n > range[1])
    throw new Error(`${value} does not fit ${DataType[dataType]}`);
  return n;
}
