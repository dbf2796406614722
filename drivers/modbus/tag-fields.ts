import { Type } from '@sinclair/typebox';
import type { TagConfig } from '../../core/config/schema.js';

/** How the bytes of a multi-register value are ordered (SPEC §3.1). */
export const BYTE_ORDERS = ['ABCD', 'CDAB', 'BADC', 'DCBA'] as const;
export type ByteOrder = (typeof BYTE_ORDERS)[number];

/** The tag fields Modbus devices add to the core's: a per-tag byte order. */
export const ModbusTagFields = {
  byteOrder: Type.Optional(
    Type.Union(
      BYTE_ORDERS.map((b) => Type.Literal(b)),
      { description: "Overrides the device's byte order" },
    ),
  ),
};

export function isByteOrder(value: unknown): value is ByteOrder {
  return (BYTE_ORDERS as readonly unknown[]).includes(value);
}

/** The tag's own byte order, if it has a valid one (validation refuses any other). */
export function tagByteOrder(tag: TagConfig): ByteOrder | undefined {
  return isByteOrder(tag.byteOrder) ? tag.byteOrder : undefined;
}
