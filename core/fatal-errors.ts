import type { Logger } from 'pino';

/** Longest wait for the log to reach its destination before the process ends anyway. */
const FLUSH_LIMIT_MS = 1000;

/**
 * A bug that escapes every handler ends the process: its state is no longer known, and a
 * restart (systemd `Restart=on-failure`) is the safe way on. Before that the error goes to
 * the gateway's own log — JSON with its stack, like every other line — instead of a bare
 * stack trace on stderr that log collectors and the UI's live log never see.
 */
export function exitOnFatalErrors(log: Logger): void {
  let exiting = false;
  const fatal = (kind: string) => (reason: unknown) => {
    if (exiting) return;
    exiting = true;
    const err = reason instanceof Error ? reason : new Error(String(reason));
    log.fatal(
      { err: { type: err.name, message: err.message, stack: err.stack } },
      `${kind}: ${err.message} — tagwire stops (a service manager restarts it)`,
    );
    setTimeout(() => process.exit(1), FLUSH_LIMIT_MS).unref();
    log.flush(() => process.exit(1));
  };
  process.on('uncaughtException', fatal('uncaught exception'));
  process.on('unhandledRejection', fatal('unhandled promise rejection'));
}
