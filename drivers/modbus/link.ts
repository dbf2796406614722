import type { Logger } from 'pino';
import { GatewayError } from '../../core/errors.js';
import { type ModbusClient, openModbusClient } from './client.js';
import { MODBUS_EXCEPTION_PREFIX } from './errors.js';
import { traceFrames } from './frame-trace.js';
import { PipeliningCheck } from './pipelining-check.js';
import { DeadlineQueue, type RequestKind } from './request-queue.js';

/** How a link reaches its devices. Devices with the same key share one link. */
export type Transport =
  | { kind: 'tcp' | 'rtu-tcp'; host: string; port: number }
  | {
      kind: 'rtu';
      path: string;
      baudRate: number;
      dataBits: 7 | 8;
      parity: 'none' | 'even' | 'odd';
      stopBits: 1 | 2;
    };

function describeTransport(t: Transport): string {
  if (t.kind !== 'rtu') return `${t.host}:${t.port}`;
  return `${t.baudRate} ${t.dataBits}${t.parity[0]?.toUpperCase()}${t.stopBits}`;
}

export function transportKey(t: Transport): string {
  return t.kind === 'rtu' ? `rtu:${t.path}` : `${t.kind}:${t.host}:${t.port}`;
}

export interface LinkOptions {
  connectTimeoutMs: number;
  maxInFlight: number;
  requestDelayMs: number;
}

/** Timeouts in a row, over all units of a TCP link, after which its connection is renewed. */
export const TCP_TIMEOUTS_BEFORE_RESET = 3;

/**
 * Writes that may wait on one link. More are refused with `busy` at once: a burst of
 * requests must not grow memory without bound or hold the line for minutes.
 */
export const MAX_QUEUED_WRITES = 1000;

/**
 * How long an RTU line stays quiet after a timeout (at most; never longer than the timeout
 * itself), so that a late answer is dropped, not misread.
 */
export const RTU_LATE_ANSWER_GUARD_MS = 300;

/**
 * Silence a serial line needs between frames: 3.5 character times of 11 bits,
 * fixed at 1.75 ms above 19200 baud (Modbus over serial line, §2.5.1.1).
 */
export function interFrameMs(t: Transport): number {
  if (t.kind !== 'rtu') return 0;
  return t.baudRate > 19200 ? 1.75 : (3.5 * 11 * 1000) / t.baudRate;
}

export interface LinkUser {
  /** The link's connection was lost; every user reconnects through `open()`. */
  linkLost(error: string): void;
  /** The unit id this user talks to and its logger: raw frames are traced there. */
  readonly frameLog?: { unitId: number; log: Logger } | undefined;
}

/** One request as the link sees it. */
export interface LinkRequest {
  kind: RequestKind;
  unitId: number;
  /** When the request should have run at the latest (performance.now()); orders the reads. */
  deadline: number;
  timeoutMs: number;
  /** The device's log, for what this request teaches about the link. */
  log?: Logger | undefined;
  /** A retry of a request that timed out: never refused, the first attempt may have acted. */
  retry?: boolean;
}

export interface LinkStats {
  requests: number;
  timeouts: number;
  crcErrors: number;
  errors: number;
  bytesOut: number;
  bytesIn: number;
  busyMs: number;
  openedAt: number;
  /** Writes refused with `busy` because MAX_QUEUED_WRITES were already waiting. */
  writesRefused: number;
}

/**
 * One connection (socket or serial port) shared by every device (unit) that names it.
 * Requests are queued and run at most `maxInFlight` at a time, with `requestDelayMs`
 * of silence between them. A server found unable to pipeline gets one at a time.
 */
export class ModbusLink {
  readonly key: string;
  private client: ModbusClient | undefined;
  private opening: Promise<void> | undefined;
  private closed = false;
  private readonly users = new Set<LinkUser>();
  private readonly queue: DeadlineQueue;
  private readonly silenceMs: number;
  /** After a timeout on an RTU line, no request before this time (performance.now()). */
  private quietUntil = 0;
  /** Requests in a row that timed out, whatever their unit. */
  private consecutiveTimeouts = 0;
  /** Requests sent and not yet answered or timed out. */
  private inFlight = 0;
  private readonly pipelining = new PipeliningCheck();
  readonly stats: LinkStats = {
    requests: 0,
    timeouts: 0,
    crcErrors: 0,
    errors: 0,
    bytesOut: 0,
    bytesIn: 0,
    busyMs: 0,
    openedAt: 0,
    writesRefused: 0,
  };

  constructor(
    readonly transport: Transport,
    private readonly options: LinkOptions,
    private readonly onEmpty: (link: ModbusLink) => void,
  ) {
    this.key = transportKey(transport);
    // A serial line carries one transaction at a time whatever a device asks for.
    this.queue = new DeadlineQueue(transport.kind === 'tcp' ? options.maxInFlight : 1);
    this.silenceMs = Math.max(options.requestDelayMs, interFrameMs(transport));
  }

  /** Link figures for the status API: counters, and line utilisation = busy time / wall time. */
  snapshot(): Record<string, number | string> {
    const wallMs = this.stats.openedAt ? Date.now() - this.stats.openedAt : 0;
    return {
      ...this.stats,
      busyMs: Math.round(this.stats.busyMs),
      utilisation: wallMs > 0 ? Math.min(1, this.stats.busyMs / wallMs) : 0,
      queued: this.queue.pending,
      queuedWrites: this.queue.pendingWrites,
      maxInFlight: this.queue.limit,
    };
  }

  attach(user: LinkUser): void {
    this.users.add(user);
  }

  /** Detaches a device; the last one to leave closes the connection. */
  async detach(user: LinkUser): Promise<void> {
    this.users.delete(user);
    if (this.users.size === 0) {
      this.closed = true;
      this.onEmpty(this);
      await this.closeClient();
    }
  }

  get isOpen(): boolean {
    return this.client?.isOpen === true;
  }

  /** Opens the connection once, however many devices ask at the same time. */
  open(): Promise<void> {
    if (this.isOpen) return Promise.resolve();
    this.opening ??= this.connect().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private async connect(): Promise<void> {
    await this.closeClient();
    let client: ModbusClient;
    try {
      client = await openModbusClient(this.transport, this.options.connectTimeoutMs);
    } catch (err) {
      throw connectError(err, this.key);
    }
    if (this.closed) {
      // Every device left while the connection was being made: do not keep it.
      void client.close();
      throw new GatewayError('disconnected', `link ${this.key} was closed`);
    }
    client.onLost((reason) => {
      // A stream that cannot be Modbus any more (a header that lies about its length) is an error of the line.
      if (reason === 'bad-response') this.stats.errors++;
      this.lost(client, reason);
    });
    this.traceFramesOf(client);
    this.consecutiveTimeouts = 0;
    this.client = client;
    this.stats.openedAt = Date.now();
  }

  /** Raw frames in hex at trace level, for the device whose unit id they carry. */
  private traceFramesOf(client: ModbusClient): void {
    if (!client.frameEnds) return;
    traceFrames(client.frameEnds, client.framing, (unit) => {
      for (const user of this.users) if (user.frameLog?.unitId === unit) return user.frameLog.log;
      return undefined;
    });
  }

  private lost(client: ModbusClient, error: string): void {
    if (this.client !== client) return;
    this.client = undefined;
    void client.close();
    for (const user of this.users) user.linkLost(error);
  }

  private async closeClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await client.close();
  }

  /**
   * Runs one request on the link when a slot is free (writes first, reads earliest deadline
   * first, taking turns under a write burst); the request gets the open client. A write
   * finding MAX_QUEUED_WRITES waiting is refused with `busy`, nothing sent.
   */
  async request<T>(req: LinkRequest, run: (client: ModbusClient) => Promise<T>): Promise<T> {
    if (req.kind === 'write' && !req.retry && this.queue.pendingWrites >= MAX_QUEUED_WRITES) {
      this.stats.writesRefused++;
      throw new GatewayError(
        'busy',
        `link ${this.key} already has ${MAX_QUEUED_WRITES} writes waiting; nothing was written, try again later`,
      );
    }
    await this.queue.acquire(req.deadline, req.kind);
    const started = performance.now();
    let sentAt = 0;
    let inFlightAtSend = 0;
    try {
      const client = this.client;
      if (!client?.isOpen) {
        // A port that failed (ECONNRESET, EPIPE) may be marked closed without a close event.
        if (client) this.lost(client, 'disconnected');
        throw new GatewayError('disconnected', `link ${this.key} is not connected`);
      }
      this.stats.requests++;
      if (this.transport.kind !== 'tcp') {
        const wait = this.quietUntil - performance.now();
        if (wait > 0) await sleep(wait);
        client.discardInput();
      }
      sentAt = performance.now();
      inFlightAtSend = ++this.inFlight;
      const result = await run(client);
      this.pipelining.answered(req.unitId, performance.now());
      this.consecutiveTimeouts = 0;
      return result;
    } catch (err) {
      const code = err instanceof GatewayError ? err.code : '';
      const timedOut = code === 'timeout';
      if (code.startsWith(MODBUS_EXCEPTION_PREFIX)) {
        this.pipelining.answered(req.unitId, performance.now());
      }
      const lostInPipeline =
        timedOut && inFlightAtSend > 0 && this.pipelining.timedOut(req.unitId, sentAt, inFlightAtSend);
      if (lostInPipeline) {
        // The server is alive and answers, only not several requests at once: no reset.
        this.stopPipeliningIfProven(req.log);
      } else if (timedOut && this.transport.kind === 'tcp' && ++this.consecutiveTimeouts >= TCP_TIMEOUTS_BEFORE_RESET) {
        // A TCP stream that answers nothing at all any more may be desynchronised (half a frame,
        // a lost byte): start a fresh connection rather than wait on it.
        this.consecutiveTimeouts = 0;
        const client = this.client;
        if (client) this.lost(client, 'timeout');
      }
      // An RTU answer carries no transaction id: an answer arriving after its timeout would be
      // taken for the answer to the next request. Keep the line quiet long enough for it to land,
      // and drop it before the next request.
      if (this.transport.kind !== 'tcp' && timedOut) {
        this.quietUntil = performance.now() + Math.min(RTU_LATE_ANSWER_GUARD_MS, req.timeoutMs);
      }
      throw err;
    } finally {
      if (inFlightAtSend > 0) this.inFlight--;
      this.stats.busyMs += performance.now() - started;
      if (this.silenceMs > 0) await sleep(this.silenceMs);
      this.queue.release();
    }
  }

  /** Falls back to one request at a time, once, when the server is shown not to pipeline. */
  private stopPipeliningIfProven(log: Logger | undefined): void {
    const limit = this.queue.limit;
    if (limit === 1 || !this.pipelining.cannotPipeline) return;
    this.queue.setLimit(1);
    log?.warn(
      { link: this.key, maxInFlight: limit },
      `the device at ${this.key} answers only one request at a time (answers went missing only while several ` +
        `were outstanding); sending one request at a time on this link from now on instead of ${limit}`,
    );
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function connectError(err: unknown, key: string): GatewayError {
  const code = (err as NodeJS.ErrnoException)?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (code === 'ECONNREFUSED') return new GatewayError('connection-refused', `${key}: connection refused`);
  if (/timed out/i.test(message) || code === 'ETIMEDOUT')
    return new GatewayError('timeout', `${key}: connect timed out`);
  return new GatewayError('disconnected', `${key}: ${message}`);
}

/** Links by transport key, shared across devices. */
export class LinkPool {
  private readonly links = new Map<string, ModbusLink>();

  acquire(transport: Transport, options: LinkOptions, user: LinkUser): ModbusLink {
    const key = transportKey(transport);
    let link = this.links.get(key);
    if (link && JSON.stringify(link.transport) !== JSON.stringify(transport)) {
      throw new GatewayError(
        'invalid-config',
        `devices sharing ${key} must use the same line settings (${describeTransport(link.transport)} vs ${describeTransport(transport)})`,
      );
    }
    if (!link) {
      link = new ModbusLink(transport, options, (l) => {
        if (this.links.get(l.key) === l) this.links.delete(l.key);
      });
      this.links.set(key, link);
    }
    link.attach(user);
    return link;
  }

  get size(): number {
    return this.links.size;
  }

  has(key: string): boolean {
    return this.links.has(key);
  }
}

/** The process-wide pool: devices naming the same port or host:port share a connection. */
export const linkPool = new LinkPool();
