/**
 * The Modbus TCP I/O thread (a worker): every Modbus TCP link of the gateway — sockets, framing,
 * the request queue, retries, timeouts — runs here, so the main thread gets one message per group
 * read (its blocks' bytes in one transferred buffer) instead of a socket event, a frame parse and
 * a promise per request. Decoding stays with the driver in the main thread.
 */
import { parentPort } from 'node:worker_threads';
import type { Logger } from 'pino';
import { GatewayError } from '../../core/errors.js';
import { AnswerBacklog } from './answer-backlog.js';
import { readBlocksInOrder } from './block-reads.js';
import { LinkPool, type LinkUser, type ModbusLink } from './link.js';
import type { FromThread, ToThread, WireError, WireRequestOptions } from './link-thread-protocol.js';
import { type RequestOptions, requestError, writeCoils, writeRegisters } from './requests.js';

const port = parentPort;
if (!port) throw new Error('link-thread.js runs as a worker of the gateway');
const main = port;

/** Link figures go back with a read's answer at most this often (always after an error or a write). */
const STATS_EVERY_MS = 200;

/**
 * Registers of answers the main thread has not taken yet above which new reads wait: ~8 ms of its
 * decoding and publishing at 1M registers/s (bench/README.md, answer backlog).
 */
const BACKLOG_REGISTERS = 8192;

/** A device of the main thread on one of this thread's links. */
class RemoteUser implements LinkUser {
  /** Whether the device's log traces frames; each request says. */
  trace = false;
  readonly frameLog: { unitId: number; log: Logger };

  constructor(
    readonly key: string,
    readonly id: number,
    unitId: number,
  ) {
    this.frameLog = { unitId, log: remoteLog(this) };
  }

  linkLost(error: string): void {
    send({ event: 'lost', key: this.key, user: this.id, error });
  }
}

/** What the link logs for a device (frame trace, pipelining fallback) goes to that device's log in the main thread. */
function remoteLog(user: RemoteUser): Logger {
  const to =
    (level: 'trace' | 'info' | 'warn' | 'error') =>
    (obj: Record<string, unknown>, msg: string): void =>
      send({ event: 'log', key: user.key, user: user.id, level, obj, msg });
  const log = {
    isLevelEnabled: (level: string) => level !== 'trace' || user.trace,
    trace: to('trace'),
    info: to('info'),
    warn: to('warn'),
    error: to('error'),
  };
  // The link calls only these of pino's Logger.
  return log as unknown as Logger;
}

interface Attached {
  link: ModbusLink;
  users: Map<number, RemoteUser>;
  statsSentAt: number;
}

const pool = new LinkPool();
const links = new Map<string, Attached>();
const backlog = new AnswerBacklog(BACKLOG_REGISTERS);

function send(message: FromThread, transfer?: ArrayBuffer[]): void {
  main.postMessage(message, transfer);
}

function wireError(raw: unknown): WireError {
  const err = requestError(raw);
  return { code: err.code, message: err.message };
}

function statsOf(entry: Attached | undefined, force: boolean): Record<string, number | string> | undefined {
  if (!entry) return undefined;
  const now = performance.now();
  if (!force && now - entry.statsSentAt < STATS_EVERY_MS) return undefined;
  entry.statsSentAt = now;
  return entry.link.snapshot();
}

function attached(key: string, user: number): { entry: Attached; user: RemoteUser } {
  const entry = links.get(key);
  const found = entry?.users.get(user);
  if (!entry || !found) throw new GatewayError('disconnected', `link ${key} is not open`);
  return { entry, user: found };
}

function requestOptions(m: { opts: WireRequestOptions }, user: RemoteUser): RequestOptions {
  return { unitId: m.opts.unitId, timeoutMs: m.opts.timeoutMs, retries: m.opts.retries, log: user.frameLog.log };
}

async function open(m: Extract<ToThread, { op: 'open' }>): Promise<void> {
  let entry = links.get(m.key);
  let user = entry?.users.get(m.user);
  if (!user) {
    user = new RemoteUser(m.key, m.user, m.unitId);
    const link = pool.acquire(m.transport, m.options, user);
    if (!entry || entry.link !== link) {
      entry = { link, users: entry?.link === link ? entry.users : new Map(), statsSentAt: 0 };
      links.set(m.key, entry);
    }
    entry.users.set(m.user, user);
  }
  try {
    await (entry as Attached).link.open();
    send({ id: m.id, ok: true, stats: statsOf(entry, true) });
  } catch (err) {
    send({ id: m.id, ok: false, error: wireError(err), stats: statsOf(entry, true) });
  }
}

async function detach(m: Extract<ToThread, { op: 'detach' }>): Promise<void> {
  const entry = links.get(m.key);
  const user = entry?.users.get(m.user);
  if (entry && user) {
    entry.users.delete(m.user);
    if (entry.users.size === 0) links.delete(m.key);
    await entry.link.detach(user);
  }
  send({ id: m.id, ok: true });
}

/**
 * Runs a device's request on its link; any failure (the link gone, a refused write) is sent as the
 * request's error answer, with the link's figures.
 */
async function onLink(
  m: Extract<ToThread, { op: 'read' | 'write' }>,
  run: (entry: Attached, opts: RequestOptions) => Promise<void>,
): Promise<void> {
  let entry: Attached | undefined;
  try {
    const found = attached(m.key, m.user);
    entry = found.entry;
    found.user.trace = m.trace;
    await run(entry, requestOptions(m, found.user));
  } catch (err) {
    send({ id: m.id, ok: false, error: wireError(err), stats: statsOf(entry, true) });
  }
}

/**
 * The blocks one after another, once the main thread has room for the answer; their bytes go back
 * in one transferred buffer.
 */
function read(m: Extract<ToThread, { op: 'read' }>): Promise<void> {
  return onLink(m, async (entry, opts) => {
    // The wait is the main thread's, not the device's: the read's time starts after it.
    await backlog.room();
    const answers = await readBlocksInOrder(entry.link, opts, m.blocks, performance.now() + m.deadlineIn);
    let total = 0;
    let failed = false;
    for (const a of answers) {
      if (Buffer.isBuffer(a)) total += a.length;
      else failed = true;
    }
    const data = new ArrayBuffer(total);
    const bytes = new Uint8Array(data);
    let at = 0;
    const wire = answers.map((a) => {
      if (!Buffer.isBuffer(a)) return wireError(a);
      bytes.set(a, at);
      at += a.length;
      return a.length;
    });
    let registers = 0;
    for (const b of m.blocks) registers += b.count;
    backlog.answered(registers);
    send({ id: m.id, ok: true, answers: wire, data, registers, stats: statsOf(entry, failed) }, [data]);
  });
}

function write(m: Extract<ToThread, { op: 'write' }>): Promise<void> {
  return onLink(m, async (entry, opts) => {
    if (m.kind === 'coils') await writeCoils(entry.link, opts, m.start, m.values as boolean[]);
    else await writeRegisters(entry.link, opts, m.start, m.values as number[]);
    send({ id: m.id, ok: true, stats: statsOf(entry, true) });
  });
}

main.on('message', (m: ToThread) => {
  switch (m.op) {
    case 'open':
      void open(m);
      break;
    case 'detach':
      void detach(m);
      break;
    case 'read':
      void read(m);
      break;
    case 'write':
      void write(m);
      break;
    case 'taken':
      backlog.takenUpTo(m.registers);
      break;
  }
});
