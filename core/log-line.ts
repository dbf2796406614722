/**
 * One log line as the API and the live event stream send it (after redaction). Types only,
 * with no imports, so that the web UI takes it as it is.
 */
export interface LogLine {
  /** Increases by one per line since the gateway started: merges history with live lines. */
  seq: number;
  level: string;
  time: number;
  msg: string;
  device?: string;
  north?: string;
  component?: string;
}

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
