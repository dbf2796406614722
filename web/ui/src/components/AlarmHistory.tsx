import { useState } from 'preact/hooks';
import { ALARM_HISTORY_KINDS, type AlarmHistoryEntry } from '../../../../core/alarms/alarm-types';
import { SEVERITY_LABEL } from '../alarms';
import { formatTimestamp, formatValue } from '../format';
import { liveEvents } from '../sse';
import { ErrorBox } from './ErrorBox';
import { DateRangeFields, eventLogUrl, KindSelect, useEventLog } from './EventLogFilters';

interface Filters {
  from: string;
  to: string;
  device: string;
  tag: string;
  alarm: string;
  kind: string;
}

function historyQuery(f: Filters, format?: 'csv'): string {
  return eventLogUrl('/api/v1/alarms/history', f, ['device', 'tag', 'alarm'], format);
}

const KIND_LABEL: Record<AlarmHistoryEntry['kind'], string> = {
  active: 'became active',
  normal: 'back to normal',
  ack: 'acknowledged',
};

/** Every state change and acknowledgement, newest first, with filters and CSV download. */
export function AlarmHistory() {
  const [filters, setFilters] = useState<Filters>({ from: '', to: '', device: '', tag: '', alarm: '', kind: '' });
  const url = historyQuery(filters);
  // Reloaded a moment after alarm events (one reload for a burst of them).
  const { rows, error } = useEventLog<AlarmHistoryEntry>(
    `${url}${url.includes('?') ? '&' : '?'}limit=500`,
    (reload) => {
      let timer: number | undefined;
      const unsubscribe = liveEvents.subscribe({
        alarm: () => {
          window.clearTimeout(timer);
          timer = window.setTimeout(reload, 300);
        },
      });
      return () => {
        window.clearTimeout(timer);
        unsubscribe();
      };
    },
  );

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
        <DateRangeFields filters={filters} set={set} />
        {(['device', 'tag', 'alarm'] as const).map((key) => (
          <label class="filter-field" key={key}>
            <span class="field-label">{key[0]?.toUpperCase() + key.slice(1)}</span>
            <input type="search" placeholder="Any" value={filters[key]} onInput={set(key)} />
          </label>
        ))}
        <KindSelect
          value={filters.kind}
          set={set}
          kinds={ALARM_HISTORY_KINDS}
          label={(k) => KIND_LABEL[k as AlarmHistoryEntry['kind']]}
          ariaLabel="Kind of event"
        />
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
