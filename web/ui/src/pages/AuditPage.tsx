import { useEffect, useState } from 'preact/hooks';
import { AUDIT_KINDS, type AuditRow } from '../../../../core/audit-types';
import { ApiError, api } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { formatTimestamp } from '../format';
import { useDocumentTitle } from '../live';

/** `YYYY-MM-DD` from a date input → epoch ms at the start (or end) of that local day. */
function dayBound(day: string, end: boolean): string | undefined {
  if (!day) return undefined;
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const at = end ? new Date(y, m - 1, d, 23, 59, 59, 999) : new Date(y, m - 1, d);
  return String(at.getTime());
}

function auditQuery(filters: { from: string; to: string; user: string; kind: string }, format?: 'csv'): string {
  const q = new URLSearchParams();
  const from = dayBound(filters.from, false);
  const to = dayBound(filters.to, true);
  if (from) q.set('from', from);
  if (to) q.set('to', to);
  if (filters.user.trim()) q.set('user', filters.user.trim());
  if (filters.kind) q.set('kind', filters.kind);
  if (format) q.set('format', format);
  const text = q.toString();
  return `/api/v1/audit${text ? `?${text}` : ''}`;
}

/**
 * The audit trail: logins, configuration changes, writes (HTTP and MQTT), acknowledgements,
 * certificate trust and user changes — who, when, from where — with filters and CSV export.
 */
export function AuditPage() {
  useDocumentTitle('Audit');
  const [filters, setFilters] = useState({ from: '', to: '', user: '', kind: '' });
  const [rows, setRows] = useState<AuditRow[]>();
  const [error, setError] = useState<ApiError>();

  useEffect(() => {
    let live = true;
    const load = async () => {
      try {
        const next = await api<AuditRow[]>('GET', auditQuery(filters));
        if (live) {
          setRows(next);
          setError(undefined);
        }
      } catch (err) {
        if (live) setError(err instanceof ApiError ? err : new ApiError(0, 'internal', String(err)));
      }
    };
    void load();
    const timer = window.setInterval(load, 10_000);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, [filters.from, filters.to, filters.user, filters.kind]);

  const set = (key: keyof typeof filters) => (e: Event) =>
    setFilters({ ...filters, [key]: (e.currentTarget as HTMLInputElement).value });

  return (
    <section>
      <div class="page-head">
        <h1>Audit</h1>
        <a class="button small push-right" href={auditQuery(filters, 'csv')} download>
          Download CSV
        </a>
      </div>
      <p class="lead">
        Who did what, when and from where: logins, configuration changes, writes, acknowledgements, certificate trust
        and user changes. Kept for 90 days (at most 200,000 entries); newest first.
      </p>
      <div class="filter-bar">
        <label class="filter-field">
          <span class="field-label">From</span>
          <input type="date" value={filters.from} onInput={set('from')} />
        </label>
        <label class="filter-field">
          <span class="field-label">To</span>
          <input type="date" value={filters.to} onInput={set('to')} />
        </label>
        <label class="filter-field">
          <span class="field-label">User</span>
          <input type="search" placeholder="Any user" value={filters.user} onInput={set('user')} />
        </label>
        <label class="filter-field">
          <span class="field-label">Kind</span>
          <select value={filters.kind} onChange={set('kind')}>
            <option value="">Everything</option>
            {AUDIT_KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorBox error={error} title="The audit trail could not be loaded" />
      {rows && rows.length === 0 ? <p class="muted">Nothing matches the filters.</p> : null}
      {rows && rows.length > 0 ? (
        <div class="table-wrap">
          <table class="data-table" data-testid="audit-table">
            <thead>
              <tr>
                <th>Time</th>
                <th>User</th>
                <th class="col-phone-hide">Kind</th>
                <th>Action</th>
                <th>Value</th>
                <th>Result</th>
                <th class="col-phone-hide">Source</th>
                <th class="col-phone-hide">Address</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id} data-kind={r.kind}>
                  <td>{formatTimestamp(r.at)}</td>
                  <td>{r.user ?? <span class="muted">—</span>}</td>
                  <td class="col-phone-hide">{r.kind}</td>
                  <td>{r.action}</td>
                  <td>
                    <code>{r.value ?? ''}</code>
                  </td>
                  <td class={r.ok ? '' : 'text-bad'}>{r.ok ? 'ok' : (r.error ?? 'refused')}</td>
                  <td class="col-phone-hide">{r.source}</td>
                  <td class="col-phone-hide">{r.address ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
