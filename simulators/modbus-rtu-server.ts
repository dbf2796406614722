/**
 * Modbus RTU slave for a ModbusDataModel over any byte stream (serial port, pty, TCP socket):
 * cuts request frames by length, checks their CRC, and behaves like a slave on an RS-485 bus.
 */
import type { Duplex } from 'node:stream';
import { parseRtuAdu, respond, rtuRequestLength, writeRtuEnvelope } from './modbus-frames.js';
import type { ModbusDataModel } from './modbus-model.js';
import { RtuSlaveControls } from './rtu-slave-controls.js';

/** 3.5 characters at 9600 baud, rounded up; Node timers are not finer than a millisecond anyway. */
export const DEFAULT_INTER_FRAME_MS = 4;
/** Largest RTU ADU: a longer burst cannot be one frame. */
const MAX_RTU_ADU = 256;
const BROADCAST_UNIT = 0;
const WRITE_FUNCTIONS = new Set([5, 6, 15, 16]);
const EMPTY = Buffer.alloc(0);

export interface ModbusRtuSimulatorOptions {
  /** Silence (ms) after which unfinished bytes are thrown away; default DEFAULT_INTER_FRAME_MS. */
  interFrameMs?: number;
  /** Counters and faults to use instead of this object's own (ModbusRtuTcpSimulator shares one). */
  controls?: RtuSlaveControls;
}

/**
 * Serves every unit of `model`. A unit id the model does not have gets no answer (on a real
 * bus another slave would answer); unit 0 is a broadcast: writes run on every unit, unanswered.
 */
export class ModbusRtuSimulator extends RtuSlaveControls {
  readonly interFrameMs: number;
  private readonly controls: RtuSlaveControls;
  private stream: Duplex | undefined;
  private received: Buffer = EMPTY;
  private silenceTimer: NodeJS.Timeout | undefined;
  private readonly outbox: Array<{ due: number; bytes: Buffer }> = [];
  private outboxTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly model: ModbusDataModel,
    options: ModbusRtuSimulatorOptions = {},
  ) {
    super();
    this.interFrameMs = options.interFrameMs ?? DEFAULT_INTER_FRAME_MS;
    this.controls = options.controls ?? this;
  }

  /** Starts serving on `stream` (a previous stream is detached first). */
  attach(stream: Duplex): void {
    this.detach();
    this.stream = stream;
    stream.on('data', this.onData);
  }

  /** Stops reading and drops unfinished requests and answers still held back. */
  detach(): void {
    this.stream?.off('data', this.onData);
    this.stream = undefined;
    clearTimeout(this.silenceTimer);
    clearTimeout(this.outboxTimer);
    this.silenceTimer = undefined;
    this.outboxTimer = undefined;
    this.received = EMPTY;
    this.outbox.length = 0;
  }

  private readonly onData = (chunk: Buffer): void => {
    this.received = this.received.length ? Buffer.concat([this.received, chunk]) : chunk;
    this.cutFrames();
    clearTimeout(this.silenceTimer);
    this.silenceTimer = undefined;
    if (this.received.length === 0) return;
    // Copy the remainder so the chunk it came from can be freed while we wait.
    this.received = Buffer.from(this.received);
    this.silenceTimer = setTimeout(this.onSilence, this.interFrameMs);
    this.silenceTimer.unref();
  };

  /** Handles every complete request at the start of the buffer (a master may send back to back). */
  private cutFrames(): void {
    for (;;) {
      const length = rtuRequestLength(this.received);
      if (length <= 0 || this.received.length < length) break;
      const frame = this.received.subarray(0, length);
      this.received = this.received.subarray(length);
      this.handleFrame(frame);
    }
    if (this.received.length > MAX_RTU_ADU) {
      this.controls.crcErrors++;
      this.received = EMPTY;
    }
  }

  /**
   * The line went quiet: whatever is buffered is a whole frame. One whose function code we cannot
   * size is judged by its CRC (and answered exception 1); an unfinished one is noise. This is
   * what keeps stray bytes from shifting every later frame.
   */
  private readonly onSilence = (): void => {
    this.silenceTimer = undefined;
    const frame = this.received;
    this.received = EMPTY;
    if (rtuRequestLength(frame) === -1) this.handleFrame(frame);
    else this.controls.crcErrors++;
  };

  private handleFrame(frame: Buffer): void {
    const request = parseRtuAdu(frame);
    if (!request) {
      // A real slave cannot tell who a corrupted frame was for, so it stays silent.
      this.controls.crcErrors++;
      return;
    }
    this.controls.requests++;
    const { unitId, pdu } = request;
    if (unitId === BROADCAST_UNIT) {
      this.broadcast(pdu);
      return;
    }
    if (!this.model.hasUnit(unitId) || this.controls.silentUnits.has(unitId)) return;
    const adu = writeRtuEnvelope(respond(this.model, unitId, pdu, 1, 2), unitId);
    const bytes = this.controls.applyFaults(adu);
    if (bytes) this.send(bytes);
  }

  /** Only writes make sense for every slave at once; nobody answers, or answers would collide. */
  private broadcast(pdu: Buffer): void {
    if (!WRITE_FUNCTIONS.has(pdu[0] ?? 0)) return;
    for (const unitId of this.model.units()) {
      if (!this.controls.silentUnits.has(unitId)) respond(this.model, unitId, pdu, 0, 0);
    }
  }

  private send(bytes: Buffer): void {
    const delayMs = this.controls.responseDelayMs;
    // Answers leave in request order, even if the delay changes in between.
    if (delayMs <= 0 && this.outbox.length === 0) {
      this.stream?.write(bytes);
      return;
    }
    this.outbox.push({ due: performance.now() + Math.max(0, delayMs), bytes });
    if (!this.outboxTimer) this.scheduleOutbox();
  }

  private scheduleOutbox(): void {
    const first = this.outbox[0];
    if (!first) return;
    this.outboxTimer = setTimeout(this.flushOutbox, Math.max(0, first.due - performance.now()));
  }

  private readonly flushOutbox = (): void => {
    this.outboxTimer = undefined;
    const now = performance.now();
    while (this.outbox[0] && this.outbox[0].due <= now) this.stream?.write(this.outbox.shift()!.bytes);
    this.scheduleOutbox();
  };
}
