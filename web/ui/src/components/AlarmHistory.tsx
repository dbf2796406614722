import { useEffect, useState } from 'preact/hooks';
import { ALARM_HISTORY_KINDS, type AlarmHistoryEntry } from '../../../../core/alarms/alarm-types';
import { SEVERITY_LABEL } from '../alarms';
import { ApiError, api } from '../api';
import { formatTimestamp, formatValue } from '../format';
import { liveEvents } from '../sse';
import { ErrorBox } from './ErrorBox';

interface Filters {
  from: string;
  to: string;
  device: string;
  tag: string;
  alarm: string;
  kind: string;
}

/** `YYYY-MM-DD` from a date input → epoch ms at the start (or end) of that local day. */
function dayBound(day: string, end: boolean): string | undefined {
  if (!day) return undefined;
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return String((end ? new Date(y, m - 1, d, 23, 59, 59, 999) : new Date(y, m - 1, d)).getTime());
}

function historyQuery(f: Filters, format?: 'csv'): string {
  const q = new URLSearchParams();
  const from = dayBound(f.from, false);
  const to = dayBound(f.to, true);
  if (from) q.set('from', from);
  if (to) q.set('to', to);
  for (const key of ['device', 'tag', 'alarm'] as const) if (f[key].trim()) q.set(key, f[key].trim());
  if (f.kind) q.set('kind', f.kind);
  if (format) q.set('format', format);
  const text = q.toString();
  return `/api/v1/alarms/history${text ? `?${text}` : ''}`;
}

const KIND_LABEL: Record<AlarmHistoryEntry['kind'], string> = {
  active: 'became active',
  normal: 'back to normal',
  ack: 'acknowledged',
};

/** Every state change and acknowledgement, newest first, with filters and CSV download. */
export function AlarmHistory() {
  const [filters, setFilters] = useState<Filters>({ from: '', to: '', device: '', tag: '', alarm: '', kind: '' });
  const [rows, setRows] = useState<AlarmHistoryEntry[]>();
  const [error, setError] = useState<ApiError>();
  const url = historyQuery(filters);

  useEffect(() => {
    let live = true;
    let timer: number | undefined;
    const load = async () => {
      try {
        const next = await api<AlarmHistoryEntry[]>('GET', `${url}${url.includes('?') ? '&' : '?'}limit=500`);
        if (live) {
          setRows(next);
          setError(undefined);
        }
      } catch (err) {
        if (live) setError(err instanceof ApiError ? err : new ApiError(0, 'internal', String(err)));
      }
    };
    void load();
    const unsubscribe = liveEvents.subscribe({
      alarm: () => {
        window.clearTimeout(timer);
        timer = window.setTimeout(() => void load(), 300);
      },
    });
    return () => {
      live = false;
      window.clearTimeout(timer);
      unsubscribe();
    };
  }, [url]);

  const set = (key: keyof Filters) => (e: Event) =>
    setFilters({ ...filters, [key]: (e.currentTarget as HTMLInputElement).value });

  return (
    <>
      <div class="page-head">
        <h2>History</h2>
        <a class="button small push-right" href={historyQuery(filters, 'csv')} download>
          Download CSV
        </a>
      </div>
      <p class="muted">Every state change and acknowledgement; kept for 90 days (at most 100,000 events).</p>
      <div class="filter-bar">
        <label class="filter-field">
          <span class="field-label">From</span>
          <input type="date" value={filters.from} onInput={set('from')} />
        </label>
        <label class="filter-field">
          <span class="field-label">To</span>
          <input type="date" value={filters.to} onInput={set('to')} />
        </label>
        {(['device', 'tag', 'alarm'] as const).map((key) => (
          <label class="filter-field" key={key}>
            <span class="field-label">{key[0]?.toUpperCase() + key.slice(1)}</span>
            <input type="search" placeholder="Any" value={filters[key]} onInput={set(key)} />
          </label>
        ))}
        <label class="filter-field">
          <span class="field-label">Kind</span>
          <select value={filters.kind} onChange={set('kind')} aria-label="Kind of event">
            <option value="">Everything</option>
            {ALARM_HISTORY_KINDS.map((k) => (
              <option key={k} value={k}>
                {KIND_LABEL[k]}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorBox error={error} title="The alarm history could not be loaded" />
      {rows && rows.length === 0 ? <p class="muted">Nothing matches the filters.</p> : null}
      {rows && rows.length > 0 ? (
        <div class="table-wrap">
          <table class="data-table" data-testid="alarm-history">
            <thead>
              <tr>
                <th>Time</th>
                <th>Alarm</th>
                <th>Event</th>
                <th class="col-phone-hide">Severity</th>
                <th class="col-phone-hide">Message</th>
                <th class="num">Value</th>
                <th>By</th>
                <th class="col-phone-hide">Comment</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id} data-kind={r.kind}>
                  <td>{formatTimestamp(r.at)}</td>
                  <td>
                    {r.alarm}
                    <div class="cell-note">
                      {r.device}/{r.tag}
                    </div>
                  </td>
                  <td>{KIND_LABEL[r.kind]}</td>
                  <td class="col-phone-hide">{SEVERITY_LABEL[r.severity]}</td>
                  <td class="col-phone-hide">{r.message}</td>
                  <td class="num">{formatValue(typeof r.value === 'object' && r.value !== null ? null : r.value)}</td>
                  <td>{r.user ?? ''}</td>
                  <td class="col-phone-hide">{r.comment ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
