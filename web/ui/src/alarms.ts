import { useEffect, useState } from 'preact/hooks';
import type { AlarmStatus } from '../../../core/alarms/alarm-types';
import { ApiError, api } from './api';
import { liveEvents } from './sse';

/** Coalesces a burst of alarm events (a plant trip raises many at once) into one reload. */
const RELOAD_DELAY_MS = 200;

/**
 * `GET /api/v1/alarms` (`all`: every configured alarm, else those active or unacknowledged),
 * in the server's order, reloaded on every SSE `alarm` event and when the stream reopens.
 */
export function useAlarms(all = false): {
  alarms: AlarmStatus[] | undefined;
  error: ApiError | undefined;
  reload(): Promise<void>;
} {
  const [alarms, setAlarms] = useState<AlarmStatus[]>();
  const [error, setError] = useState<ApiError>();
  const url = all ? '/api/v1/alarms?all=true' : '/api/v1/alarms';
  const load = async () => {
    try {
      setAlarms(await api<AlarmStatus[]>('GET', url));
      setError(undefined);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'internal', String(err)));
    }
  };
  useEffect(() => {
    let timer: number | undefined;
    const soon = () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => void load(), RELOAD_DELAY_MS);
    };
    void load();
    const unsubscribe = liveEvents.subscribe({ alarm: soon, open: soon });
    return () => {
      window.clearTimeout(timer);
      unsubscribe();
    };
  }, [url]);
  return { alarms, error, reload: load };
}

export const SEVERITY_LABEL: Record<AlarmStatus['severity'], string> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
};

/** In words, as ISA-18.2 names the four states. */
export function alarmStateText(a: Pick<AlarmStatus, 'state' | 'acked'>): string {
  if (a.state === 'active') return a.acked ? 'Active, acknowledged' : 'Active, unacknowledged';
  return a.acked ? 'Normal' : 'Back to normal, unacknowledged';
}
