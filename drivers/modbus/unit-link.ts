/**
 * What a Modbus device (unit) needs from its link, wherever the link runs: in this thread
 * (serial lines, RTU over TCP) or in the Modbus TCP I/O thread.
 */
import type { GatewayError } from '../../core/errors.js';
import type { Area } from './address.js';
import type { LinkOptions, LinkUser, Transport } from './link.js';
import type { RequestOptions } from './requests.js';

/** One read request of a group: an area, its first register (or bit) and how many. */
export interface AreaRange {
  area: Area;
  start: number;
  count: number;
}

/** A block's answer: its data bytes, or why it has none. */
export type BlockAnswer = Buffer | GatewayError;

export interface UnitLink {
  readonly key: string;
  readonly isOpen: boolean;
  /** Opens the connection once, however many devices ask at the same time. */
  open(): Promise<void>;
  /** Detaches a device; the last one to leave closes the connection. */
  detach(user: LinkUser): Promise<void>;
  /** Link figures for the status API and the metrics. */
  snapshot(): Record<string, number | string>;
  /**
   * Reads the blocks one after another (earliest deadline first against other devices' reads).
   * After a gateway's "the unit does not answer" (exception 10/11) the rest are not sent and get
   * that answer too: the gateway already waited its own timeout for this unit.
   */
  readBlocks(opts: RequestOptions, blocks: readonly AreaRange[], deadline: number): Promise<BlockAnswer[]>;
  /** One read; rejects with a GatewayError. */
  read(opts: RequestOptions, block: AreaRange, deadline: number): Promise<Buffer>;
  writeRegisters(opts: RequestOptions, start: number, values: number[]): Promise<void>;
  writeCoils(opts: RequestOptions, start: number, values: boolean[]): Promise<void>;
}

/** Where a driver gets its link for a transport: devices with the same transport key share one. */
export interface UnitLinkSource {
  acquire(transport: Transport, options: LinkOptions, user: LinkUser): UnitLink;
}
