import { useState } from 'preact/hooks';
import type { AlarmStatus } from '../../../../core/alarms/alarm-types';
import { alarmStateText, SEVERITY_LABEL, useAlarms } from '../alarms';
import { ApiError, api } from '../api';
import { AlarmHistory } from '../components/AlarmHistory';
import { ErrorBox } from '../components/ErrorBox';
import { formatTimestamp, formatValue } from '../format';
import { useDocumentTitle } from '../live';
import { usePermissions } from '../me';

/**
 * Alarms that are active or not yet acknowledged — unacknowledged first, by severity, newest
 * first (the server's order) — acknowledged one by one or several at once with a comment;
 * below, the history with filters and CSV download.
 */
export function AlarmsPage() {
  useDocumentTitle('Alarms');
  const { operate } = usePermissions();
  const { alarms, error, reload } = useAlarms();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [ackError, setAckError] = useState<ApiError>();

  const unacked = (alarms ?? []).filter((a) => !a.acked);
  const picked = unacked.filter((a) => selected.has(a.id));
  const toggle = (id: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    setSelected(next);
  };

  const acknowledge = async (ids: string[]) => {
    setBusy(true);
    setAckError(undefined);
    try {
      for (const id of ids) await api('POST', `/api/v1/alarms/${encodeURIComponent(id)}/ack`, { comment });
      setSelected(new Set());
      setComment('');
    } catch (err) {
      setAckError(err instanceof ApiError ? err : new ApiError(0, 'internal', String(err)));
    } finally {
      setBusy(false);
      await reload();
    }
  };

  return (
    <section>
      <div class="page-head">
        <h1>Alarms</h1>
      </div>
      <p class="lead">
        Alarms that are active or not yet acknowledged. An alarm that returned to normal stays here until someone
        acknowledges it. Limits and conditions are set on each tag (Devices → a device's tags → Edit).
      </p>
      <ErrorBox error={error} title="The alarms could not be loaded" />
      {operate && unacked.length > 0 ? (
        <form
          class="filter-bar ack-bar"
          onSubmit={(e) => {
            e.preventDefault();
            void acknowledge(picked.map((a) => a.id));
          }}
        >
          <label class="filter-field grow">
            <span class="field-label">Comment</span>
            <input
              type="text"
              maxLength={500}
              placeholder="What was done (optional)"
              value={comment}
              onInput={(e) => setComment(e.currentTarget.value)}
              data-testid="ack-comment"
            />
          </label>
          <button type="submit" class="button primary" disabled={busy || picked.length === 0}>
            {picked.length > 1 ? `Acknowledge ${picked.length} alarms` : 'Acknowledge selected'}
          </button>
        </form>
      ) : null}
      <ErrorBox error={ackError} title="Not acknowledged" />
      {alarms && alarms.length === 0 ? <p class="muted">No alarms: every alarm is normal and acknowledged.</p> : null}
      {alarms && alarms.length > 0 ? (
        <div class="table-wrap">
          <table class="data-table" data-testid="alarms-table">
            <thead>
              <tr>
                {operate ? (
                  <th class="select-col">
                    <input
                      type="checkbox"
                      aria-label="Select every unacknowledged alarm"
                      checked={picked.length > 0 && picked.length === unacked.length}
                      disabled={unacked.length === 0}
                      onChange={(e) => setSelected(new Set(e.currentTarget.checked ? unacked.map((a) => a.id) : []))}
                    />
                  </th>
                ) : null}
                <th>Severity</th>
                <th>State</th>
                <th>Alarm</th>
                <th>Message</th>
                <th class="num">Value</th>
                <th class="col-phone-hide">Since</th>
                <th class="col-phone-hide">Acknowledged</th>
                {operate ? <th class="actions-col">Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {alarms.map((a) => (
                <AlarmRow
                  key={a.id}
                  alarm={a}
                  operate={operate}
                  selected={selected.has(a.id)}
                  busy={busy}
                  onToggle={(on) => toggle(a.id, on)}
                  onAck={() => void acknowledge([a.id])}
                />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <AlarmHistory />
    </section>
  );
}

function AlarmRow(props: {
  alarm: AlarmStatus;
  operate: boolean;
  selected: boolean;
  busy: boolean;
  onToggle(on: boolean): void;
  onAck(): void;
}) {
  const a = props.alarm;
  const name = `${a.device}/${a.tag}/${a.alarm}`;
  return (
    <tr data-alarm={name} data-state={a.state} data-acked={String(a.acked)}>
      {props.operate ? (
        <td class="select-col">
          {a.acked ? null : (
            <input
              type="checkbox"
              aria-label={`Select ${name}`}
              checked={props.selected}
              onChange={(e) => props.onToggle(e.currentTarget.checked)}
            />
          )}
        </td>
      ) : null}
      <td>
        <span class={`badge severity-${a.severity}`}>{SEVERITY_LABEL[a.severity]}</span>
      </td>
      <td class={a.acked ? '' : 'text-bad'}>
        {alarmStateText(a)}
        {a.quality ? <div class="cell-note">tag quality {a.quality}</div> : null}
      </td>
      <td>
        <span class="tag-title">{a.alarm}</span>
        <div class="cell-note">
          {a.device}/{a.tag}
        </div>
      </td>
      <td>{a.message}</td>
      <td class="num">{formatValue(typeof a.value === 'object' && a.value !== null ? null : a.value)}</td>
      <td class="col-phone-hide">{formatTimestamp(a.activeSince ?? a.timestamp)}</td>
      <td class="col-phone-hide">
        {a.ackedBy ? (
          <>
            {a.ackedBy}
            {a.ackComment ? <div class="cell-note">{a.ackComment}</div> : null}
          </>
        ) : (
          <span class="muted">—</span>
        )}
      </td>
      {props.operate ? (
        <td class="actions">
          {a.acked ? null : (
            <button
              type="button"
              class="button small accent"
              disabled={props.busy}
              aria-label={`Acknowledge ${name}`}
              onClick={props.onAck}
            >
              Acknowledge
            </button>
          )}
        </td>
      ) : null}
    </tr>
  );
}
