import type { Socket } from 'node:net';

/** Longest legal MBAP length field: unit id + a 253-byte PDU. */
const MAX_MBAP_LENGTH = 254;
const HEADER = 6;

/**
 * Watches a Modbus TCP byte stream frame by frame and calls `onViolation` at the first
 * header that cannot be Modbus (protocol id ≠ 0, length outside 2..254). modbus-serial
 * trusts the length field and would wait for up to 64 KiB that never come, silently
 * stalling every later answer; a stream that lies is closed and reconnected instead.
 */
export function guardMbapStream(socket: Socket, onViolation: (reason: string) => void): void {
  let pending: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= HEADER) {
      const protocol = pending.readUInt16BE(2);
      const length = pending.readUInt16BE(4);
      if (protocol !== 0 || length < 2 || length > MAX_MBAP_LENGTH) {
        pending = Buffer.alloc(0);
        onViolation(`invalid MBAP header (protocol ${protocol}, length ${length})`);
        return;
      }
      if (pending.length < HEADER + length) break;
      pending = pending.subarray(HEADER + length);
    }
  });
}
