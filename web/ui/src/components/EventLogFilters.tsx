/**
 * What the audit trail and the alarm history pages share: the query they send, loading its rows again
 * when told to, and their date and kind filters.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api';

/**
 * The rows at `url`, loaded now and again whenever `subscribe` calls back (a timer, live events);
 * `subscribe` returns its own cleanup. A load that ends after the url changed is dropped.
 */
export function useEventLog<T>(url: string, subscribe: (reload: () => void) => () => void) {
  const [rows, setRows] = useState<T[]>();
  const [error, setError] = useState<ApiError>();
  // The trigger is set up once per url: a new subscribe function on every render does not restart it.
  useEffect(() => {
    let live = true;
    const load = async () => {
      try {
        const next = await api<T[]>('GET', url);
        if (live) {
          setRows(next);
          setError(undefined);
        }
      } catch (err) {
        if (live) setError(err instanceof ApiError ? err : new ApiError(0, 'internal', String(err)));
      }
    };
    void load();
    const stop = subscribe(() => void load());
    return () => {
      live = false;
      stop();
    };
  }, [url]);
  return { rows, error };
}

/** `YYYY-MM-DD` from a date input → epoch ms at the start (or end) of that local day. */
function dayBound(day: string, end: boolean): string | undefined {
  if (!day) return undefined;
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return String((end ? new Date(y, m - 1, d, 23, 59, 59, 999) : new Date(y, m - 1, d)).getTime());
}

export interface EventLogFilterValues {
  from: string;
  to: string;
  kind: string;
}

/** `path` with the filters as query parameters: days as local day bounds, `text` filters trimmed, empty ones left out. */
export function eventLogUrl<F extends EventLogFilterValues>(
  path: string,
  filters: F,
  text: ReadonlyArray<keyof F & string>,
  format?: 'csv',
): string {
  const q = new URLSearchParams();
  const from = dayBound(filters.from, false);
  const to = dayBound(filters.to, true);
  if (from) q.set('from', from);
  if (to) q.set('to', to);
  for (const key of text) {
    const value = String(filters[key]).trim();
    if (value) q.set(key, value);
  }
  if (filters.kind) q.set('kind', filters.kind);
  if (format) q.set('format', format);
  const query = q.toString();
  return `${path}${query ? `?${query}` : ''}`;
}

type Setter = (key: 'from' | 'to' | 'kind') => (e: Event) => void;

export function DateRangeFields({ filters, set }: { filters: EventLogFilterValues; set: Setter }) {
  return (
    <>
      <label class="filter-field">
        <span class="field-label">From</span>
        <input type="date" value={filters.from} onInput={set('from')} />
      </label>
      <label class="filter-field">
        <span class="field-label">To</span>
        <input type="date" value={filters.to} onInput={set('to')} />
      </label>
    </>
  );
}

export function KindSelect({
  value,
  set,
  kinds,
  label = (k) => k,
  ariaLabel,
}: {
  value: string;
  set: Setter;
  kinds: readonly string[];
  label?: (kind: string) => string;
  ariaLabel?: string;
}) {
  return (
    <label class="filter-field">
      <span class="field-label">Kind</span>
      <select value={value} onChange={set('kind')} aria-label={ariaLabel}>
        <option value="">Everything</option>
        {kinds.map((k) => (
          <option key={k} value={k}>
            {label(k)}
          </option>
        ))}
      </select>
    </label>
  );
}
