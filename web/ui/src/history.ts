import { useEffect, useState } from 'preact/hooks';
import { api } from './api';
import { liveEvents } from './sse';
import type { LogLine, Scalar } from './types';

/** How many numeric values of a tag are kept for its sparkline. */
export const TREND_POINTS = 60;
/** How many log lines are kept in memory (the gateway keeps as many: `GET /api/v1/logs`). */
export const LOG_LINES = 10_000;

const trends = new Map<string, number[]>();
const logLines: LogLine[] = [];
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

/** The gateway's last log lines and those received since, oldest first (the last LOG_LINES). */
export function logHistory(): readonly LogLine[] {
  return logLines;
}

let historyLoaded: Promise<void> | undefined;

/**
 * Loads the lines the gateway logged before this page was opened, once; lines that arrived
 * live meanwhile are kept in order (each line's `seq` comes from the gateway).
 */
export function loadLogHistory(): Promise<void> {
  historyLoaded ??= api<LogLine[]>('GET', '/api/v1/logs')
    .then((earlier) => {
      const firstLive = logLines[0]?.seq ?? Number.POSITIVE_INFINITY;
      logLines.unshift(...earlier.filter((l) => l.seq < firstLive));
      if (logLines.length > LOG_LINES) logLines.splice(0, logLines.length - LOG_LINES);
      for (const fn of logListeners) fn();
    })
    .catch(() => {
      historyLoaded = undefined;
    });
  return historyLoaded;
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
    logLines.push(line);
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
