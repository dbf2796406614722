import type { FrameEnds } from './frame-trace.js';
import type { Transport } from './link.js';
import { MbapClient } from './mbap-client.js';
import { SerialLibraryClient } from './serial-client.js';

/** Read function codes: 1 coils, 2 discrete inputs, 3 holding registers, 4 input registers. */
export type ReadFunction = 1 | 2 | 3 | 4;

/** Why a connection ended: it closed or failed, or its byte stream could not be Modbus. */
export type LostReason = 'disconnected' | 'bad-response';

/**
 * One open connection to Modbus devices. Every failure rejects with a GatewayError whose code
 * is stable: `timeout`, `modbus-exception-<n>`, `bad-response` (an answer that does not match its
 * request) or `disconnected`.
 */
export interface ModbusClient {
  readonly isOpen: boolean;
  /** The raw frames' way in and out, for the frame trace at trace level. */
  readonly frameEnds: FrameEnds | undefined;
  readonly framing: 'mbap' | 'rtu';
  /** FC 1–4: the answer's data bytes (registers big-endian, bits packed least significant first). */
  read(fc: ReadFunction, unitId: number, start: number, count: number, timeoutMs: number): Promise<Buffer>;
  /** FC 6 for one register, FC 16 for several. */
  writeRegisters(unitId: number, start: number, values: readonly number[], timeoutMs: number): Promise<void>;
  /** FC 5 for one coil, FC 15 for several. */
  writeCoils(unitId: number, start: number, values: readonly boolean[], timeoutMs: number): Promise<void>;
  /** Drops bytes that arrived unasked (on a serial line, a late answer must never meet the next request). */
  discardInput(): void;
  /** Called once when the connection ends by itself (not after close()). */
  onLost(listener: (reason: LostReason) => void): void;
  close(): Promise<void>;
}

/**
 * Opens a client for the transport: Modbus TCP through tagwire's own MBAP client (one frame
 * parse per answer, data bytes handed on without copying), serial RTU and RTU over TCP through
 * modbus-serial.
 */
export function openModbusClient(t: Transport, connectTimeoutMs: number): Promise<ModbusClient> {
  if (t.kind === 'tcp') return MbapClient.connect(t.host, t.port, connectTimeoutMs);
  return SerialLibraryClient.connect(t, connectTimeoutMs);
}
