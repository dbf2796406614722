/**
 * The built CLI (`node dist/app/cli.js`) as a child process, with its output collected and
 * awaitable lines and exit, as a user runs it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = new URL('../../', import.meta.url).pathname;
export const CLI = join(ROOT, 'dist/app/cli.js');

/** A child process whose output is collected, with awaitable output lines and exit. */
export class Proc {
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private waiters: Array<{ test: (text: string) => boolean; resolve: () => void }> = [];

  constructor(readonly child: ChildProcess) {
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      this.stdout += chunk;
      this.check();
    });
    child.stderr?.on('data', (chunk: string) => {
      this.stderr += chunk;
      this.check();
    });
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  get output(): string {
    return this.stdout + this.stderr;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Stdout lines parsed as JSON log records (TAGWIRE_LOG_FORMAT=json). */
  logRecords(): Array<Record<string, unknown>> {
    return this.stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  private check(): void {
    const text = this.output;
    const done = this.waiters.filter((w) => w.test(text));
    this.waiters = this.waiters.filter((w) => !done.includes(w));
    for (const w of done) w.resolve();
  }

  /** Resolves when the output so far matches `re`; rejects on timeout or if the process exits first. */
  waitForOutput(re: RegExp, timeoutMs = 10_000): Promise<void> {
    if (re.test(this.output)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no output matching ${re} within ${timeoutMs} ms; output:\n${this.output}`));
      }, timeoutMs);
      const waiter = {
        test: (text: string) => re.test(text),
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.waiters.push(waiter);
      void this.exited.then(({ code, signal }) => {
        if (!this.waiters.includes(waiter)) return;
        this.waiters = this.waiters.filter((w) => w !== waiter);
        clearTimeout(timer);
        reject(new Error(`process exited (${code ?? signal}) before output matched ${re}; output:\n${this.output}`));
      });
    });
  }
}

/** Starts `tagwire ARGS` with JSON logs; `env` entries set to undefined are removed. */
export function spawnTagwire(args: string[], env: Record<string, string | undefined> = {}): Proc {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, TAGWIRE_LOG_FORMAT: 'json', ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k];
  // Keep the test runner's settings from leaking into the gateway under test.
  delete childEnv.TAGWIRE_DATA_DIR;
  delete childEnv.TAGWIRE_HTTP_PORT;
  return new Proc(spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: childEnv }));
}

export async function kill(proc: Proc): Promise<void> {
  if (proc.running) proc.child.kill('SIGKILL');
  await proc.exited;
}

/** Resolves with the exit of `proc`, or rejects if it takes longer than `ms`. */
export function exitWithin(proc: Proc, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`process still running after ${ms} ms:\n${proc.output}`)), ms);
    void proc.exited.then((r) => {
      clearTimeout(timer);
      resolve(r);
    });
  });
}
