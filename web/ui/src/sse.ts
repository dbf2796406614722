import type { AlarmStatus } from '../../../core/alarms/alarm-types';
import { parseJsonExact } from './api';
import type { LogLine, StateEvent, ValueRow } from './types';

export interface EventHandlers {
  value?(v: ValueRow): void;
  state?(s: StateEvent): void;
  log?(l: LogLine): void;
  /** An alarm changed (state, acknowledgement or quality). */
  alarm?(a: AlarmStatus): void;
  /** The stream (re)opened: values missed while it was down should be re-read. */
  open?(): void;
}

/**
 * One shared `GET /api/v1/events` stream (authenticated by the session cookie) for every
 * page. EventSource retries by itself after a network drop; when it gives up (e.g. a 401 or
 * a gateway restart) it is opened again after a pause while the user is logged in.
 * `log` events carry log lines (`{level, time, msg, device?, north?, component?}`).
 */
class LiveEvents {
  private source: EventSource | undefined;
  private readonly handlers = new Set<EventHandlers>();
  private readonly connectionListeners = new Set<(connected: boolean) => void>();
  private running = false;
  private retryTimer: number | undefined;
  connected = false;

  start(): void {
    this.running = true;
    if (this.source) return;
    const source = new EventSource('/api/v1/events', { withCredentials: true });
    this.source = source;
    source.addEventListener('open', () => {
      this.setConnected(true);
      for (const h of this.handlers) h.open?.();
    });
    source.addEventListener('value', (e) => this.dispatch(e, 'value'));
    source.addEventListener('state', (e) => this.dispatch(e, 'state'));
    source.addEventListener('log', (e) => this.dispatch(e, 'log'));
    source.addEventListener('alarm', (e) => this.dispatch(e, 'alarm'));
    source.addEventListener('error', () => {
      this.setConnected(false);
      if (source.readyState === EventSource.CLOSED) {
        this.source = undefined;
        if (this.running) this.retryTimer = window.setTimeout(() => this.start(), 3000);
      }
    });
  }

  stop(): void {
    this.running = false;
    window.clearTimeout(this.retryTimer);
    this.source?.close();
    this.source = undefined;
    this.setConnected(false);
  }

  subscribe(handlers: EventHandlers): () => void {
    this.handlers.add(handlers);
    return () => this.handlers.delete(handlers);
  }

  onConnection(fn: (connected: boolean) => void): () => void {
    this.connectionListeners.add(fn);
    return () => this.connectionListeners.delete(fn);
  }

  private setConnected(connected: boolean): void {
    if (this.connected === connected) return;
    this.connected = connected;
    for (const fn of this.connectionListeners) fn(connected);
  }

  private dispatch(e: Event, kind: 'value' | 'state' | 'log' | 'alarm'): void {
    let data: unknown;
    try {
      data = parseJsonExact((e as MessageEvent<string>).data);
    } catch {
      return;
    }
    for (const h of this.handlers) {
      if (kind === 'value') h.value?.(data as ValueRow);
      else if (kind === 'state') h.state?.(data as StateEvent);
      else if (kind === 'alarm') h.alarm?.(data as AlarmStatus);
      else h.log?.(data as LogLine);
    }
  }
}

export const liveEvents = new LiveEvents();
