import pino, { type Logger } from 'pino';
import type { PrettyOptions, PrettyStream } from 'pino-pretty';
import { lazyModule } from './lazy-module.js';
import { managedLogger } from './log-levels.js';
import { logTap } from './log-tap.js';

export type { Logger };

/** Keys whose values never reach a log line. */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'settings.password',
  '*.settings.password',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
];

/** pino-pretty (and its date formatting) is loaded only for a terminal: journald gets JSON. */
const pinoPretty = lazyModule<typeof import('pino-pretty')>('pino-pretty');

function prettyStream(options: PrettyOptions): PrettyStream {
  return pinoPretty()(options);
}

/**
 * JSON lines when stdout is not a terminal (systemd/journald, pipes), readable
 * colored lines in a terminal. TAGWIRE_LOG_FORMAT=json|pretty forces either.
 */
export function createLogger(level = process.env.TAGWIRE_LOG_LEVEL ?? 'info'): Logger {
  const format = process.env.TAGWIRE_LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json');
  const options = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { pid: process.pid } };
  const out =
    format === 'pretty'
      ? prettyStream({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })
      : pino.destination({ fd: 1, sync: false });
  // Managed: levels per device/north app can be raised at runtime (core/log-levels.ts).
  // The tap feeds the UI's live log (SSE `log` events) with the same redacted lines.
  return managedLogger((onChild) =>
    pino(
      { ...options, onChild },
      pino.multistream([
        { level: 'trace', stream: out },
        { level: 'trace', stream: logTap },
      ]),
    ),
  );
}

/** A logger that drops everything (until a level is raised at runtime); for commands and tests. */
export function silentLogger(): Logger {
  return managedLogger((onChild) =>
    pino({ level: 'silent', redact: { paths: REDACT_PATHS, censor: '[redacted]' }, onChild }),
  );
}
