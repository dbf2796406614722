import { useEffect, useState } from 'preact/hooks';
import { liveEvents } from './sse';
import type { LogLine, Scalar } from './types';

/** How many numeric values of a tag are kept for its sparkline. */
export const TREND_POINTS = 60;
/** How many log lines are kept in memory. */
export const LOG_LINES = 1000;

const trends = new Map<string, number[]>();
const logLines: LogLine[] = [];
let logSeq = 0;
const logListeners = new Set<() => void>();

const trendKey = (device: string, tag: string) => `${device}\u0000${tag}`;

function numeric(v: Scalar): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'bigint') return Number(v);
  return undefined;
}

/** Adds a value to a tag's trend (non-numeric values are not kept). */
export function pushTrend(device: string, tag: string, value: Scalar): void {
  const n = numeric(value);
  if (n === undefined) return;
  const key = trendKey(device, tag);
  let points = trends.get(key);
  if (!points) {
    points = [];
    trends.set(key, points);
  }
  points.push(n);
  if (points.length > TREND_POINTS) points.splice(0, points.length - TREND_POINTS);
}

/** The last values of a numeric tag, oldest first. */
export function trendOf(device: string, tag: string): readonly number[] {
  return trends.get(trendKey(device, tag)) ?? [];
}

/** A log line with a sequence number (a stable key for lists). */
export interface NumberedLine extends LogLine {
  seq: number;
}

/** The log lines received since the page was loaded (the last LOG_LINES), oldest first. */
export function logHistory(): readonly NumberedLine[] {
  return logLines as NumberedLine[];
}

export function clearLogHistory(): void {
  logLines.length = 0;
  for (const fn of logListeners) fn();
}

// Collected for the whole session (not only while a page shows them), so trends and log lines
// that arrived on other pages are there when the page opens.
liveEvents.subscribe({
  value: (v) => pushTrend(v.device, v.tag, v.value),
  log: (line) => {
    logLines.push({ ...line, seq: ++logSeq } as NumberedLine);
    if (logLines.length > LOG_LINES) logLines.splice(0, logLines.length - LOG_LINES);
    for (const fn of logListeners) fn();
  },
});

/** Re-renders when log lines arrive (at most every 200 ms); returns a counter that changes. */
export function useLogVersion(): number {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let timer: number | undefined;
    const listener = () => {
      if (timer !== undefined) return;
      timer = window.setTimeout(() => {
        timer = undefined;
        setVersion((n) => n + 1);
      }, 200);
    };
    logListeners.add(listener);
    return () => {
      logListeners.delete(listener);
      window.clearTimeout(timer);
    };
  }, []);
  return version;
}
