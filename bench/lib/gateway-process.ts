/**
 * tagwire as a user runs it: `cli.js start --config FILE --data DIR --http-port 0` in a process
 * of its own (so its CPU and memory are its own), with its HTTP API for counters.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killOnExit } from './cleanup.js';
import { type Launch, serviceLaunch } from './service-launch.js';

const CLI = new URL('../../app/cli.js', import.meta.url);
const PASSWORD = 'bench-only-password-4711';
/** prom-client's default `eventLoopMonitoringPrecision`. */
const PROM_CLIENT_LOOP_SAMPLING_MS = 10;

export interface DeviceStatus {
  name: string;
  state: string;
  counters: { reads: number; readErrors: number; tagErrors: number; overruns: number };
  link?: { link?: { requests?: number; bytesIn?: number; timeouts?: number; utilisation?: number } | null };
}

export interface NorthStatusView {
  name: string;
  state: string;
  counters: Record<string, number>;
}

export interface GatewayStatus {
  devices: DeviceStatus[];
  north: NorthStatusView[];
}

export interface GatewayStartOptions {
  /** More node options for the gateway process. */
  nodeArgs?: string[];
  timeoutMs?: number;
  /** Environment beyond the bench's own (e.g. `TAGWIRE_MODBUS_THREAD`). */
  env?: Record<string, string>;
}

export class GatewayProcess {
  /** Node options and environment every gateway starts with: the service's, unless set otherwise. */
  static launch: Launch = serviceLaunch(false);

  private output = '';
  private token = '';
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly startedAt: number,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    // BENCH_GATEWAY_OUTPUT=FILE keeps the whole output (e.g. with --trace-gc) in FILE.
    const copyTo = process.env.BENCH_GATEWAY_OUTPUT;
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
      if (copyTo) appendFileSync(copyTo, chunk);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  /** Starts a gateway on `config` in a fresh data directory; resolves when its API answers. */
  static async start(
    config: unknown,
    { nodeArgs = [], timeoutMs = 120_000, env = {} }: GatewayStartOptions = {},
  ): Promise<{ gateway: GatewayProcess; startupMs: number }> {
    const dir = mkdtempSync(join(tmpdir(), 'tagwire-bench-gw-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(config));
    const startedAt = performance.now();
    const child = spawn(
      process.execPath,
      [
        ...GatewayProcess.launch.nodeArgs,
        ...nodeArgs,
        CLI.pathname,
        'start',
        '--config',
        file,
        '--data',
        join(dir, 'data'),
        '--http-port',
        '0',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          TAGWIRE_LOG_FORMAT: 'json',
          TAGWIRE_LOG_LEVEL: 'info',
          TAGWIRE_ADMIN_PASSWORD: PASSWORD,
          ...GatewayProcess.launch.env,
          ...env,
        },
      },
    );
    const gateway = new GatewayProcess(child, dir, startedAt);
    killOnExit(child);
    const port = await gateway.waitForHttpPort(timeoutMs);
    await gateway.login(port);
    return { gateway, startupMs: performance.now() - startedAt };
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  get log(): string {
    return this.output;
  }

  private baseUrl = '';

  private waitForHttpPort(timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        clearInterval(poll);
        reject(new Error(`gateway did not start within ${timeoutMs} ms:\n${this.output}`));
      }, timeoutMs);
      const poll = setInterval(() => {
        const m = /API on http:\/\/[^:]+:(\d+)/.exec(this.output);
        if (m) {
          clearTimeout(timer);
          clearInterval(poll);
          resolve(Number(m[1]));
        } else if (this.child.exitCode !== null) {
          clearTimeout(timer);
          clearInterval(poll);
          reject(new Error(`gateway exited with ${this.child.exitCode}:\n${this.output}`));
        }
      }, 50);
    });
  }

  private async login(port: number): Promise<void> {
    this.baseUrl = `http://127.0.0.1:${port}`;
    const res = await fetch(`${this.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: PASSWORD }),
    });
    if (!res.ok) throw new Error(`gateway login failed: HTTP ${res.status}`);
    this.token = ((await res.json()) as { token: string }).token;
  }

  async status(): Promise<GatewayStatus> {
    const res = await fetch(`${this.baseUrl}/api/v1/status`, { headers: { authorization: `Bearer ${this.token}` } });
    if (!res.ok) throw new Error(`gateway status: HTTP ${res.status}`);
    return (await res.json()) as GatewayStatus;
  }

  /**
   * The event-loop delay since the previous call (prom-client resets its histogram on every
   * scrape of /metrics): call once at the start of a window, then at its end.
   */
  async eventLoopDelay(): Promise<{ p99Ms: number; maxMs: number }> {
    const res = await fetch(`${this.baseUrl}/metrics`, { headers: { authorization: `Bearer ${this.token}` } });
    if (!res.ok) throw new Error(`gateway metrics: HTTP ${res.status}`);
    const text = await res.text();
    const gauge = (name: string) => Number(new RegExp(`^${name} ([0-9.eE+-]+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
    // prom-client's histogram holds the time between its samples, 10 ms apart: an idle loop reads 10 ms.
    // The delay is what lies beyond that.
    const beyondSampling = (seconds: number) => Math.max(0, seconds * 1000 - PROM_CLIENT_LOOP_SAMPLING_MS);
    return {
      p99Ms: beyondSampling(gauge('nodejs_eventloop_lag_p99_seconds')),
      maxMs: beyondSampling(gauge('nodejs_eventloop_lag_max_seconds')),
    };
  }

  /** SIGTERM, as systemd would; SIGKILL if it has not exited after the product's 5 s limit. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 7000);
    await this.exited;
    clearTimeout(timer);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
