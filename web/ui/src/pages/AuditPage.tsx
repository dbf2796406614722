import { useState } from 'preact/hooks';
import { AUDIT_KINDS, type AuditRow } from '../../../../core/audit-types';
import { ErrorBox } from '../components/ErrorBox';
import { DateRangeFields, eventLogUrl, KindSelect, useEventLog } from '../components/EventLogFilters';
import { formatTimestamp } from '../format';
import { useDocumentTitle } from '../live';

function auditQuery(filters: { from: string; to: string; user: string; kind: string }, format?: 'csv'): string {
  return eventLogUrl('/api/v1/audit', filters, ['user'], format);
}

/**
 * The audit trail: logins, configuration changes, writes (HTTP and MQTT), acknowledgements,
 * certificate trust and user changes — who, when, from where — with filters and CSV export.
 */
export function AuditPage() {
  useDocumentTitle('Audit');
  const [filters, setFilters] = useState({ from: '', to: '', user: '', kind: '' });
  const { rows, error } = useEventLog<AuditRow>(auditQuery(filters), (reload) => {
    const timer = window.setInterval(reload, 10_000);
    return () => window.clearInterval(timer);
  });

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
        <DateRangeFields filters={filters} set={set} />
        <label class="filter-field">
          <span class="field-label">User</span>
          <input type="search" placeholder="Any user" value={filters.user} onInput={set('user')} />
        </label>
        <KindSelect value={filters.kind} set={set} kinds={AUDIT_KINDS} />
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
