import { Writable } from 'node:stream';
import type { LogLine } from './log-line.js';

export type { LogLine };

/** Lines kept for the Logs page and `GET /api/v1/logs` (older ones: journald or the log file). */
export const LOG_LINES_KEPT = 10_000;

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/**
 * A second destination for log lines (after redaction): keeps the last lines in a ring and
 * hands new ones to listeners, so the UI shows the log from before it was opened, then live
 * (SSE `log` events).
 */
export class LogTap extends Writable {
  private readonly ring: Array<LogLine | undefined>;
  private seq = 0;
  private readonly subscribers = new Set<(line: LogLine) => void>();

  constructor(private readonly keep = LOG_LINES_KEPT) {
    super({ decodeStrings: false });
    this.ring = new Array<LogLine | undefined>(keep);
  }

  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    for (const text of chunk.toString().split('\n')) {
      if (!text) continue;
      try {
        const raw = JSON.parse(text) as Record<string, unknown>;
        const line: LogLine = {
          seq: ++this.seq,
          level: LEVELS[raw.level as number] ?? String(raw.level),
          time: raw.time as number,
          msg: String(raw.msg ?? ''),
        };
        for (const key of ['device', 'north', 'component'] as const) {
          if (typeof raw[key] === 'string') line[key] = raw[key] as string;
        }
        this.ring[line.seq % this.keep] = line;
        for (const l of this.subscribers) l(line);
      } catch {
        // Not a JSON line: nothing to show.
      }
    }
    done();
  }

  /** The lines kept, oldest first. */
  lines(): LogLine[] {
    const out: LogLine[] = [];
    for (let seq = Math.max(1, this.seq - this.keep + 1); seq <= this.seq; seq++) {
      const line = this.ring[seq % this.keep];
      if (line) out.push(line);
    }
    return out;
  }

  subscribe(listener: (line: LogLine) => void): () => void {
    this.subscribers.add(listener);
    return () => this.subscribers.delete(listener);
  }
}

/** The process's tap (one per process: the logger is created once). */
export const logTap = new LogTap();
