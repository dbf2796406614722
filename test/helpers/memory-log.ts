import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { REDACT_PATHS } from '../../core/log.js';
import { managedLogger } from '../../core/log-levels.js';

/** A gateway logger (info and up, redacted as in production) whose JSON lines stay in memory. */
export class MemoryLog {
  readonly lines: string[] = [];
  bytes = 0;
  readonly logger: Logger = managedLogger((onChild) =>
    pino(
      { level: 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' }, onChild },
      new Writable({
        write: (chunk: Buffer, _enc, done) => {
          this.bytes += chunk.length;
          this.lines.push(chunk.toString('utf8'));
          done();
        },
      }),
    ),
  );

  /** The `msg` of every line since line `from`. */
  messages(from = 0): string[] {
    return this.lines.slice(from).map((l) => (JSON.parse(l) as { msg: string }).msg);
  }
}
