/**
 * The main thread's side of the Modbus TCP I/O thread (link-thread.ts): a UnitLink per device
 * whose requests and answers are messages to and from the thread. The thread starts with the
 * first link and ends with the last; if it fails, every device on it is told its link was lost
 * and reconnects through a new one.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { GatewayError } from '../../core/errors.js';
import { packageRoot } from '../../core/package-root.js';
import { type LinkOptions, type LinkUser, type Transport, transportKey } from './link.js';
import type { FromThread, ToThread, WireRequestOptions } from './link-thread-protocol.js';
import type { RequestOptions } from './requests.js';
import type { AreaRange, BlockAnswer, UnitLink, UnitLinkSource } from './unit-link.js';

/**
 * The thread's young generation (MB). Measured at 1.3M values/s: 4 MB promoted requests still in
 * flight and halved the rate; 8 MB reads as fast as 16 MB with less resident memory.
 */
const THREAD_YOUNG_GENERATION_MB = 8;

type Reply = Extract<FromThread, { id: number }>;
type OkReply = Extract<Reply, { ok: true }>;
type Request = ToThread extends infer T ? (T extends { id: number } ? Omit<T, 'id'> : never) : never;

/** The thread's script: beside this module when built; from the build when running from source (tests). */
export function linkThreadScript(): URL | undefined {
  const here = new URL('./link-thread.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  const built = join(packageRoot(), 'dist', 'drivers', 'modbus', 'link-thread.js');
  return existsSync(built) ? pathToFileURL(built) : undefined;
}

function wireOptions(opts: RequestOptions): WireRequestOptions {
  return { unitId: opts.unitId, timeoutMs: opts.timeoutMs, retries: opts.retries };
}

/** What the devices of one transport key share in the main thread: the link's state as last reported. */
class SharedLinkState {
  open = false;
  stats: Record<string, number | string> = {};
  readonly users = new Map<number, LinkUser>();

  constructor(readonly key: string) {}
}

class ThreadUnitLink implements UnitLink {
  constructor(
    private readonly thread: LinkThread,
    private readonly state: SharedLinkState,
    private readonly userId: number,
    private readonly user: LinkUser,
    private readonly transport: Transport,
    private readonly options: LinkOptions,
  ) {}

  get key(): string {
    return this.state.key;
  }

  get isOpen(): boolean {
    return this.state.open;
  }

  private get trace(): boolean {
    return this.user.frameLog?.log.isLevelEnabled('trace') ?? false;
  }

  async open(): Promise<void> {
    this.state.users.set(this.userId, this.user);
    await this.thread.call(this.state, {
      op: 'open',
      key: this.key,
      user: this.userId,
      transport: this.transport,
      options: this.options,
      unitId: this.user.frameLog?.unitId ?? -1,
    });
    this.state.open = true;
  }

  async detach(): Promise<void> {
    this.state.users.delete(this.userId);
    await this.thread.detach(this.state, this.userId);
  }

  snapshot(): Record<string, number | string> {
    return this.state.stats;
  }

  async readBlocks(opts: RequestOptions, blocks: readonly AreaRange[], deadline: number): Promise<BlockAnswer[]> {
    const reply = await this.thread.call(this.state, {
      op: 'read',
      key: this.key,
      user: this.userId,
      opts: wireOptions(opts),
      deadlineIn: deadline - performance.now(),
      trace: this.trace,
      // Only what the request needs: a plan's block also carries its tags.
      blocks: blocks.map((b) => ({ area: b.area, start: b.start, count: b.count })),
    });
    const data = Buffer.from(reply.data ?? new ArrayBuffer(0));
    let at = 0;
    return (reply.answers ?? []).map((a) => {
      if (typeof a !== 'number') return new GatewayError(a.code, a.message);
      at += a;
      return data.subarray(at - a, at);
    });
  }

  async read(opts: RequestOptions, block: AreaRange, deadline: number): Promise<Buffer> {
    const [answer] = await this.readBlocks(opts, [block], deadline);
    if (answer === undefined) throw new GatewayError('internal', 'no answer from the Modbus I/O thread');
    if (!Buffer.isBuffer(answer)) throw answer;
    return answer;
  }

  writeRegisters(opts: RequestOptions, start: number, values: number[]): Promise<void> {
    return this.write(opts, 'registers', start, values);
  }

  writeCoils(opts: RequestOptions, start: number, values: boolean[]): Promise<void> {
    return this.write(opts, 'coils', start, values);
  }

  private async write(
    opts: RequestOptions,
    kind: 'registers' | 'coils',
    start: number,
    values: number[] | boolean[],
  ): Promise<void> {
    await this.thread.call(this.state, {
      op: 'write',
      key: this.key,
      user: this.userId,
      opts: wireOptions(opts),
      trace: this.trace,
      kind,
      start,
      values,
    });
  }
}

/** The worker and its conversations. */
class LinkThread implements UnitLinkSource {
  private worker: Worker | undefined;
  private nextId = 1;
  private nextUser = 1;
  private readonly pending = new Map<number, (reply: Reply) => void>();
  private readonly links = new Map<string, SharedLinkState>();
  /** Registers of read answers taken from the current thread, told back to it once per turn. */
  private takenRegisters = 0;
  private takenToldSoon = false;

  constructor(private readonly script: URL) {}

  /** Whether a device already uses the link of this transport key here. */
  has(key: string): boolean {
    return (this.links.get(key)?.users.size ?? 0) > 0;
  }

  acquire(transport: Transport, options: LinkOptions, user: LinkUser): UnitLink {
    const key = transportKey(transport);
    let state = this.links.get(key);
    if (!state) {
      state = new SharedLinkState(key);
      this.links.set(key, state);
    }
    return new ThreadUnitLink(this, state, this.nextUser++, user, transport, options);
  }

  /**
   * Sends a request and resolves with its answer, which also updates the link's figures; rejects
   * with the request's error (the thread stopping is one: `disconnected`).
   */
  call(state: SharedLinkState, request: Request): Promise<OkReply> {
    const id = this.nextId++;
    const worker = this.running();
    return new Promise<OkReply>((resolve, reject) => {
      this.pending.set(id, (reply) => {
        if (reply.stats) state.stats = reply.stats;
        if (reply.ok) resolve(reply);
        else reject(new GatewayError(reply.error.code, reply.error.message));
      });
      worker.postMessage({ ...request, id } as ToThread);
    });
  }

  async detach(state: SharedLinkState, user: number): Promise<void> {
    if (this.worker) await this.call(state, { op: 'detach', key: state.key, user });
    if (state.users.size === 0) {
      state.open = false;
      if (this.links.get(state.key) === state) this.links.delete(state.key);
    }
    // The last link gone: the thread goes too (an empty gateway keeps no idle thread).
    if (this.links.size === 0 && this.pending.size === 0) this.end();
  }

  private end(): void {
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
  }

  private running(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script, {
      resourceLimits: { maxYoungGenerationSizeMb: THREAD_YOUNG_GENERATION_MB },
    });
    worker.on('message', (m: FromThread) => this.onMessage(m));
    worker.on('error', (err) => this.stopped(worker, err instanceof Error ? err.message : String(err)));
    worker.on('exit', (code) => this.stopped(worker, `exit code ${code}`));
    // The devices' own timers and sockets keep the gateway running, not this thread.
    worker.unref();
    this.worker = worker;
    this.takenRegisters = 0;
    return worker;
  }

  /**
   * Tells the thread how far the main thread has got with its answers (see AnswerBacklog) once
   * the answers of this turn are decoded and published: one message per turn, however many.
   */
  private took(registers: number): void {
    this.takenRegisters += registers;
    if (this.takenToldSoon) return;
    this.takenToldSoon = true;
    setImmediate(() => {
      this.takenToldSoon = false;
      this.worker?.postMessage({ op: 'taken', registers: this.takenRegisters } satisfies ToThread);
    });
  }

  private onMessage(m: FromThread): void {
    if ('id' in m) {
      const done = this.pending.get(m.id);
      this.pending.delete(m.id);
      done?.(m);
      if (m.ok && m.registers) this.took(m.registers);
      return;
    }
    const state = this.links.get(m.key);
    const user = state?.users.get(m.user);
    if (!state || !user) return;
    if (m.event === 'lost') {
      state.open = false;
      user.linkLost(m.error);
    } else {
      user.frameLog?.log[m.level](m.obj, m.msg);
    }
  }

  /** The thread ended without being asked: every request fails, every device reconnects. */
  private stopped(worker: Worker, why: string): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    const error: Reply = {
      id: 0,
      ok: false,
      error: { code: 'disconnected', message: `the Modbus TCP I/O thread stopped (${why})` },
    };
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const done of waiting) done(error);
    for (const state of this.links.values()) {
      state.open = false;
      for (const user of state.users.values()) user.linkLost('disconnected');
    }
  }

  /** For tests: ends the thread as a crash would. */
  async crashForTest(): Promise<void> {
    await this.worker?.terminate();
  }
}

let shared: LinkThread | undefined | null;

export interface ModbusThread extends UnitLinkSource {
  has(key: string): boolean;
  crashForTest(): Promise<void>;
}

/** The gateway's Modbus TCP I/O thread; undefined without a built thread script (a bare source checkout). */
export function modbusThread(): ModbusThread | undefined {
  if (shared === undefined) {
    const script = linkThreadScript();
    shared = script ? new LinkThread(script) : null;
  }
  return shared ?? undefined;
}
