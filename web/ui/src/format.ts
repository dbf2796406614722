import type { Scalar } from './types';

/** A tag value as an engineer reads it: floats to 4 decimals, booleans as true/false. */
/** Server messages are lower-case phrases; shown as sentences. */
export const sentence = (s: string) => (s ? s.charAt(0).toUpperCase() + s.slice(1) : s);

export function formatValue(v: Scalar | undefined): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return String(v);
    if (!Number.isFinite(v)) return String(v);
    const abs = Math.abs(v);
    if (abs !== 0 && (abs < 0.001 || abs >= 1e12)) return v.toExponential(4);
    return String(Number(v.toFixed(4)));
  }
  return String(v);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Local time with milliseconds; the date too when it is not today. */
export function formatTimestamp(ms: number | undefined): string {
  if (!ms) return '—';
  const d = new Date(ms);
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  const now = new Date();
  if (d.toDateString() === now.toDateString()) return time;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d} d ${h} h ${m} min`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${s % 60} s`;
  return `${s} s`;
}

export function formatCount(n: number | undefined): string {
  if (n === undefined || n === null || Number.isNaN(n)) return '—';
  return n.toLocaleString('en-US');
}

export function formatRate(perSecond: number | undefined): string {
  if (perSecond === undefined || !Number.isFinite(perSecond)) return '—';
  if (perSecond === 0) return '0';
  return perSecond >= 10 ? perSecond.toFixed(0) : perSecond.toFixed(1);
}

export function formatBytes(n: number | undefined): string {
  if (n === undefined) return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** Where a device is: host:port, a serial port, or an OPC UA endpoint. */
export function deviceEndpoint(settings: Record<string, unknown>): string {
  if (typeof settings.endpointUrl === 'string') return settings.endpointUrl;
  if (typeof settings.host === 'string') return `${settings.host}:${String(settings.port ?? '')}`;
  if (typeof settings.port === 'string') {
    const unit = settings.unitId !== undefined ? ` · unit ${String(settings.unitId)}` : '';
    return `${settings.port}${settings.baudRate ? ` @ ${String(settings.baudRate)}` : ''}${unit}`;
  }
  return '';
}

/** Any value the API sends (also OPC UA arrays and structures, as JSON). */
export function formatAny(v: unknown): string {
  if (v === null || v === undefined || typeof v !== 'object') return formatValue(v as Scalar | undefined);
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
}

/** What a configuration change restarted (`restarted` of PUT /api/v1/config and rollback), in words. */
export function restartedText(restarted: { devices?: string[]; north?: string[] } | undefined): string {
  const devices = restarted?.devices ?? [];
  const north = restarted?.north ?? [];
  if (devices.length + north.length === 0) return 'nothing needed a restart';
  const parts = [
    devices.length > 0 ? `devices ${devices.join(', ')}` : '',
    north.length > 0 ? `north apps ${north.join(', ')}` : '',
  ].filter(Boolean);
  return `restarted ${parts.join(' and ')}`;
}
