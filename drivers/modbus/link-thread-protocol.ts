/** Messages between the main thread and the Modbus TCP I/O thread. */
import type { ErrorCode } from '../../core/errors.js';
import type { Area } from './address.js';
import type { LinkOptions, Transport } from './link.js';

/** A request's unit and timing; the device's log stays in the main thread. */
export interface WireRequestOptions {
  unitId: number;
  timeoutMs: number;
  retries: number;
}

interface Addressed {
  id: number;
  key: string;
  /** The device on the link, numbered by the main thread. */
  user: number;
}

export type ToThread =
  | (Addressed & { op: 'open'; transport: Transport; options: LinkOptions; unitId: number })
  | (Addressed & { op: 'detach' })
  | (Addressed & {
      op: 'read';
      opts: WireRequestOptions;
      /** Milliseconds from the moment it was sent: the threads' clocks have different origins. */
      deadlineIn: number;
      /** Whether the device's log traces frames. */
      trace: boolean;
      blocks: Array<{ area: Area; start: number; count: number }>;
    })
  | (Addressed & {
      op: 'write';
      opts: WireRequestOptions;
      trace: boolean;
      kind: 'registers' | 'coils';
      start: number;
      values: number[] | boolean[];
    })
  /** The registers of read answers the main thread has taken in all, since the thread started. */
  | { op: 'taken'; registers: number };

export interface WireError {
  code: ErrorCode;
  message: string;
}

export type FromThread =
  | {
      id: number;
      ok: true;
      /** Per block: its byte length in `data`, or its error. */
      answers?: Array<number | WireError>;
      data?: ArrayBuffer;
      /** A read's answer: its registers (bits for coils and inputs), which the main thread counts when it takes it. */
      registers?: number;
      stats?: Record<string, number | string>;
    }
  | { id: number; ok: false; error: WireError; stats?: Record<string, number | string> }
  | { event: 'lost'; key: string; user: number; error: string }
  | {
      event: 'log';
      key: string;
      user: number;
      level: 'trace' | 'info' | 'warn' | 'error';
      obj: Record<string, unknown>;
      msg: string;
    };
