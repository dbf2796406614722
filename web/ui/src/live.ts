import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api } from './api';
import { loadConfig } from './config-edit';
import { loadSchema } from './plugins';
import { liveEvents } from './sse';
import type { Config, GatewayStatus, SchemaDoc, ValueRow } from './types';

const STATUS_POLL_MS = 2000;

export interface Rates {
  /** Per device: reads per second; per north app: messages per second. */
  deviceReads: Map<string, number>;
  northMessages: Map<string, number>;
}

/**
 * `GET /api/v1/status` every 2 s, with device states from SSE `state` events applied as they
 * arrive, and per-second rates from the difference between two polls.
 */
export function useStatus(): { status: GatewayStatus | undefined; rates: Rates; error: ApiError | undefined } {
  const [status, setStatus] = useState<GatewayStatus>();
  const [error, setError] = useState<ApiError>();
  const [rates, setRates] = useState<Rates>({ deviceReads: new Map(), northMessages: new Map() });
  const previous = useRef<{ at: number; status: GatewayStatus } | undefined>(undefined);

  useEffect(() => {
    let stopped = false;
    const poll = async () => {
      try {
        const next = await api<GatewayStatus>('GET', '/api/v1/status');
        if (stopped) return;
        const at = performance.now();
        const prev = previous.current;
        if (prev) {
          const dt = (at - prev.at) / 1000;
          const deviceReads = new Map<string, number>();
          for (const d of next.devices) {
            const before = prev.status.devices.find((p) => p.name === d.name);
            if (before)
              deviceReads.set(d.name, Math.max(0, ((d.counters.reads ?? 0) - (before.counters.reads ?? 0)) / dt));
          }
          const northMessages = new Map<string, number>();
          for (const n of next.north) {
            const before = prev.status.north.find((p) => p.name === n.name);
            if (before) {
              northMessages.set(
                n.name,
                Math.max(0, ((n.counters.published ?? 0) - (before.counters.published ?? 0)) / dt),
              );
            }
          }
          setRates({ deviceReads, northMessages });
        }
        previous.current = { at, status: next };
        setStatus(next);
        setError(undefined);
      } catch (err) {
        if (!stopped && err instanceof ApiError) setError(err);
      }
    };
    void poll();
    const timer = window.setInterval(poll, STATUS_POLL_MS);
    const unsubscribe = liveEvents.subscribe({
      state: (e) =>
        setStatus((s) => {
          if (!s) return s;
          const devices = s.devices.map((d) => {
            if (d.name !== e.device) return d;
            const { error: _old, ...rest } = d;
            const next = { ...rest, state: e.state, timestamp: e.timestamp };
            return e.error ? { ...next, error: e.error } : next;
          });
          return { ...s, devices };
        }),
    });
    return () => {
      stopped = true;
      window.clearInterval(timer);
      unsubscribe();
    };
  }, []);
  return { status, rates, error };
}

const valueKey = (device: string, tag: string) => `${device}\u0000${tag}`;

/** Current values (`GET /api/v1/values`) kept live by SSE `value` events; optionally of one device. */
export function useLiveValues(device?: string): {
  get(device: string, tag: string): ValueRow | undefined;
  /** Every current value, keyed by device and tag. */
  values: ReadonlyMap<string, ValueRow>;
  error: ApiError | undefined;
} {
  const [values, setValues] = useState(() => new Map<string, ValueRow>());
  const [error, setError] = useState<ApiError>();

  useEffect(() => {
    let stopped = false;
    // Events arriving while the snapshot loads are buffered and applied on top of it.
    const reload = async () => {
      try {
        const rows = await api<ValueRow[]>('GET', '/api/v1/values');
        if (stopped) return;
        setValues((current) => {
          const next = new Map<string, ValueRow>();
          for (const r of rows) {
            if (device !== undefined && r.device !== device) continue;
            const key = valueKey(r.device, r.tag);
            const live = current.get(key);
            next.set(key, live && live.timestamp > r.timestamp ? live : r);
          }
          return next;
        });
        setError(undefined);
      } catch (err) {
        if (!stopped && err instanceof ApiError) setError(err);
      }
    };
    void reload();
    const unsubscribe = liveEvents.subscribe({
      open: () => void reload(),
      value: (v) => {
        if (device !== undefined && v.device !== device) return;
        setValues((current) => new Map(current).set(valueKey(v.device, v.tag), v));
      },
    });
    return () => {
      stopped = true;
      unsubscribe();
    };
  }, [device]);

  const get = useCallback((d: string, tag: string) => values.get(valueKey(d, tag)), [values]);
  return { get, values, error };
}

/** The stored configuration, with a reload after every change. */
export function useConfig(): { config: Config | undefined; error: ApiError | undefined; reload(): Promise<void> } {
  const [config, setConfig] = useState<Config>();
  const [error, setError] = useState<ApiError>();
  const reload = useCallback(async () => {
    try {
      setConfig(await loadConfig());
      setError(undefined);
    } catch (err) {
      if (err instanceof ApiError) setError(err);
    }
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { config, error, reload };
}

/** `GET /api/v1/schema`, fetched once per page load. */
export function useSchema(): { schema: SchemaDoc | undefined; error: ApiError | undefined } {
  const [schema, setSchema] = useState<SchemaDoc>();
  const [error, setError] = useState<ApiError>();
  useEffect(() => {
    loadSchema().then(setSchema, (err: unknown) => {
      if (err instanceof ApiError) setError(err);
    });
  }, []);
  return { schema, error };
}

/** Whether the SSE stream is open, for the "live" indicator. */
export function useLiveConnection(): boolean {
  const [connected, setConnected] = useState(liveEvents.connected);
  useEffect(() => liveEvents.onConnection(setConnected), []);
  return connected;
}

/** Re-renders every `ms` (for ticking clocks such as uptime). */
export function useTick(ms: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), ms);
    return () => window.clearInterval(t);
  }, [ms]);
  return now;
}

export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · tagwire` : 'tagwire';
  }, [title]);
}
