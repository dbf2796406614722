import { spawn } from 'node:child_process';
import type { Logger } from 'pino';

/** What the notifier runs: `systemd-notify ARGS…`, resolving with its exit code (or an error). */
export type NotifyRunner = (args: string[]) => Promise<number | Error>;

export interface SystemdNotifier {
  /** True when running under systemd with `Type=notify` (NOTIFY_SOCKET set). */
  readonly active: boolean;
  stop(): void;
}

const NOTIFY_TIMEOUT_MS = 10_000;

/**
 * Runs `systemd-notify`. It waits until systemd has taken the message (since systemd 246),
 * so the message is never dropped for coming from a process that already exited; a timer
 * bounds that wait.
 */
export const runSystemdNotify: NotifyRunner = (args) =>
  new Promise((resolve) => {
    const child = spawn('systemd-notify', args, { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), NOTIFY_TIMEOUT_MS);
    timer.unref();
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve(err);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code ?? 1);
    });
  });

/**
 * Tells systemd (`Type=notify`, `NotifyAccess=all`) that the gateway is ready, and, when the
 * unit sets `WatchdogSec=`, pings the watchdog at a third of that interval. The ping comes
 * from a timer, so it stops when the event loop stalls: that is all it proves. Outside
 * systemd (no NOTIFY_SOCKET) nothing is run at all.
 */
export function notifySystemd(
  log: Logger,
  status: string,
  env: NodeJS.ProcessEnv = process.env,
  run: NotifyRunner = runSystemdNotify,
): SystemdNotifier {
  if (!env.NOTIFY_SOCKET) return { active: false, stop: () => undefined };
  const send = async (args: string[], what: string): Promise<void> => {
    const result = await run(args);
    if (result instanceof Error) log.warn(`systemd: cannot run systemd-notify for ${what}: ${result.message}`);
    else if (result !== 0) log.warn(`systemd: systemd-notify for ${what} exited with ${result}`);
  };
  void send(['--ready', `--status=${status}`], 'readiness');

  let timer: NodeJS.Timeout | undefined;
  const usec = Number(env.WATCHDOG_USEC);
  const forUs = !env.WATCHDOG_PID || Number(env.WATCHDOG_PID) === process.pid;
  if (Number.isFinite(usec) && usec > 0 && forUs) {
    const everyMs = Math.max(1000, Math.round(usec / 1000 / 3));
    let inFlight = false;
    timer = setInterval(() => {
      if (inFlight) return;
      inFlight = true;
      void send(['WATCHDOG=1'], 'the watchdog').finally(() => {
        inFlight = false;
      });
    }, everyMs);
    timer.unref();
    log.info(`systemd: watchdog ping every ${everyMs} ms`);
  }
  return {
    active: true,
    stop: () => {
      if (timer) clearInterval(timer);
    },
  };
}
