import { Writable } from 'node:stream';

export interface LogLine {
  level: string;
  time: number;
  msg: string;
  device?: string;
  north?: string;
  component?: string;
}

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/**
 * A second destination for log lines (after redaction): keeps the last lines and hands
 * new ones to listeners, so the UI can show the log live (SSE `log` events).
 */
export class LogTap extends Writable {
  private readonly recent: LogLine[] = [];
  private readonly subscribers = new Set<(line: LogLine) => void>();

  constructor(private readonly keep = 200) {
    super({ decodeStrings: false });
  }

  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    for (const text of chunk.toString().split('\n')) {
      if (!text) continue;
      try {
        const raw = JSON.parse(text) as Record<string, unknown>;
        const line: LogLine = {
          level: LEVELS[raw.level as number] ?? String(raw.level),
          time: raw.time as number,
          msg: String(raw.msg ?? ''),
        };
        for (const key of ['device', 'north', 'component'] as const) {
          if (typeof raw[key] === 'string') line[key] = raw[key] as string;
        }
        this.recent.push(line);
        if (this.recent.length > this.keep) this.recent.shift();
        for (const l of this.subscribers) l(line);
      } catch {
        // Not a JSON line: nothing to show.
      }
    }
    done();
  }

  lines(): LogLine[] {
    return [...this.recent];
  }

  subscribe(listener: (line: LogLine) => void): () => void {
    this.subscribers.add(listener);
    return () => this.subscribers.delete(listener);
  }
}

/** The process's tap (one per process: the logger is created once). */
export const logTap = new LogTap();
