/** The harness side of a peer process: fork a bench/peers script, call its commands over IPC. */
import { type ChildProcess, fork } from 'node:child_process';
import type { PeerMessage } from './peer-protocol.js';

interface Waiter {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class Peer {
  private nextId = 1;
  private readonly waiting = new Map<number, Waiter>();
  private readonly exited: Promise<void>;
  private stderr = '';

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      this.stderr = (this.stderr + text).slice(-4000);
    });
    child.on('message', (raw) => this.onMessage(raw as PeerMessage));
    child.once('exit', (code, signal) => {
      for (const [, w] of this.waiting) {
        clearTimeout(w.timer);
        w.reject(new Error(`${name} exited (${code ?? signal}) during a call: ${this.stderr}`));
      }
      this.waiting.clear();
    });
  }

  /** Forks `script` (a compiled bench/peers/*.js) and resolves once it says it is ready. */
  static async start<T>(
    name: string,
    script: URL,
    args: string[],
    timeoutMs = 15_000,
  ): Promise<{ peer: Peer; info: T }> {
    const child = fork(script, args, { stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
    const peer = new Peer(name, child);
    const info = await peer.await<T>(0, timeoutMs);
    return { peer, info };
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** Runs `cmd` in the peer; rejects on the peer's error, its exit, or the timeout. */
  call<T>(cmd: string, arg?: unknown, timeoutMs = 60_000): Promise<T> {
    const id = this.nextId++;
    const message: PeerMessage = { kind: 'call', id, cmd, arg };
    const reply = this.await<T>(id, timeoutMs);
    this.child.send(message);
    return reply;
  }

  /** Asks the peer to leave, then makes sure it did. */
  async stop(timeoutMs = 5000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    if (this.child.connected) this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  private await<T>(id: number, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`${this.name}: no answer to call ${id} within ${timeoutMs} ms: ${this.stderr}`));
      }, timeoutMs);
      this.waiting.set(id, { resolve: (v) => resolve(v as T), reject, timer });
    });
  }

  private onMessage(message: PeerMessage): void {
    if (message.kind !== 'reply') return;
    const w = this.waiting.get(message.id);
    if (!w) return;
    this.waiting.delete(message.id);
    clearTimeout(w.timer);
    if (message.error !== undefined) w.reject(new Error(`${this.name}: ${message.error}`));
    else w.resolve(message.result);
  }
}
