import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { restartedText } from '../format';
import { usePermissions } from '../me';
import { notify } from '../notice';
import { ConfigDiff } from './ConfigDiff';
import { ConfirmDialog } from './Dialog';
import { ErrorBox } from './ErrorBox';

interface Entry {
  id: number;
  appliedAt: number;
  user: string | null;
  source: string;
  summary: string;
  /** How and what, e.g. `ui: edit tag press2/ramp`, `rollback to #8: delete north app x`. */
  description: string;
}

/** `GET /api/v1/config/history/{id}/diff`: two canonical YAML texts and what going from one to the other does. */
interface EntryDiff {
  id: number;
  against: 'previous' | 'current';
  beforeId: number | null;
  before: string;
  after: string;
  summary: string;
  removed: string[];
}

const diffOf = (id: number, against: 'previous' | 'current') =>
  api<EntryDiff>('GET', `/api/v1/config/history/${id}/diff?against=${against}`);

const pad = (n: number) => String(n).padStart(2, '0');

/** Date and time, always both: history entries are read days later. */
function dateTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

const asApiError = (err: unknown) => (err instanceof ApiError ? err : new ApiError(0, 'internal', String(err)));

/**
 * Every configuration the gateway applied, newest first, with who, how and what it did. Each
 * entry shows what it changed against the one before it; rolling back first shows what it
 * changes against the configuration in force now, and what it deletes.
 */
export function ConfigHistory({ version, onRolledBack }: { version: unknown; onRolledBack(): Promise<void> }) {
  const [entries, setEntries] = useState<Entry[]>();
  const [error, setError] = useState<ApiError>();
  const [open, setOpen] = useState<EntryDiff>();
  const [rollingBack, setRollingBack] = useState<{ entry: Entry; diff: EntryDiff }>();
  const [busy, setBusy] = useState(false);
  const { configure } = usePermissions();

  const load = () => api<Entry[]>('GET', '/api/v1/config/history').then(setEntries, (err) => setError(asApiError(err)));
  // `version` (the loaded configuration) changes whenever the configuration does: the list follows.
  useEffect(() => void load(), [version]);

  const toggle = async (entry: Entry) => {
    if (open?.id === entry.id) return setOpen(undefined);
    try {
      setOpen(await diffOf(entry.id, 'previous'));
    } catch (err) {
      setError(asApiError(err));
    }
  };

  const askRollback = async (entry: Entry) => {
    setError(undefined);
    try {
      setRollingBack({ entry, diff: await diffOf(entry.id, 'current') });
    } catch (err) {
      setError(asApiError(err));
    }
  };

  const rollback = async (entry: Entry) => {
    setBusy(true);
    setError(undefined);
    try {
      const res = await api<{ restarted?: { devices?: string[]; north?: string[] } }>(
        'POST',
        `/api/v1/config/history/${entry.id}/rollback`,
      );
      notify(`Rolled back to the configuration of ${dateTime(entry.appliedAt)}; ${restartedText(res.restarted)}.`);
      setRollingBack(undefined);
      setOpen(undefined);
      await onRolledBack();
      await load();
    } catch (err) {
      setRollingBack(undefined);
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="card">
      <h2 class="card-title">Configuration history</h2>
      <p class="help">
        Every change applied to this gateway, newest first, with what it did. Open one to see its changes; roll back to
        make an earlier configuration current again (you see what changes first, and the rollback itself becomes a new
        entry, so it can be undone).
      </p>
      <ErrorBox error={error} title="History" />
      {entries === undefined ? <p class="muted">Loading…</p> : null}
      {entries && entries.length === 0 ? <p class="muted">No configuration has been applied yet.</p> : null}
      {entries && entries.length > 0 ? (
        <div class="table-wrap">
          <table class="data-table history-table" data-testid="config-history">
            <thead>
              <tr>
                <th>#</th>
                <th>Applied</th>
                <th>By</th>
                <th>Change</th>
                <th class="actions-col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry, i) => {
                const isOpen = open?.id === entry.id;
                return [
                  <tr key={entry.id} data-history={entry.id}>
                    <td class="num">{entry.id}</td>
                    <td class="timestamp">{dateTime(entry.appliedAt)}</td>
                    <td>{entry.user ?? <span class="muted">system</span>}</td>
                    <td class="history-change" data-testid="history-description">
                      {entry.description}
                      {i === 0 ? <span class="current-tag">current</span> : null}
                    </td>
                    <td class="actions">
                      <button
                        type="button"
                        class={`button small${isOpen ? ' is-on' : ''}`}
                        aria-expanded={isOpen}
                        onClick={() => void toggle(entry)}
                      >
                        {isOpen ? 'Hide changes' : 'Changes'}
                      </button>
                      {configure && i > 0 ? (
                        <button type="button" class="button small" onClick={() => void askRollback(entry)}>
                          Roll back to this
                        </button>
                      ) : null}
                    </td>
                  </tr>,
                  isOpen && open ? (
                    <tr key={`${entry.id}-diff`} class="edit-row">
                      <td colSpan={5}>
                        <p class="help">
                          {open.beforeId !== null
                            ? `Compared with #${open.beforeId}, the entry before it: ${open.summary}.`
                            : 'The first entry kept.'}
                        </p>
                        <ConfigDiff before={open.before} after={open.after} />
                      </td>
                    </tr>
                  ) : null,
                ];
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {rollingBack ? (
        <ConfirmDialog
          title={`Roll back to #${rollingBack.entry.id}?`}
          message={`The configuration applied ${dateTime(rollingBack.entry.appliedAt)} becomes current. Compared with the configuration in force now, this will: ${rollingBack.diff.summary}. Devices and north apps whose settings differ restart; the others keep running.`}
          confirmLabel="Roll back"
          busy={busy}
          onCancel={() => setRollingBack(undefined)}
          onConfirm={() => void rollback(rollingBack.entry)}
        >
          <RemovedList removed={rollingBack.diff.removed} />
          <ConfigDiff before={rollingBack.diff.before} after={rollingBack.diff.after} />
        </ConfirmDialog>
      ) : null}
    </div>
  );
}

/** What a rollback deletes, said before it happens (e.g. a north app added after that entry). */
function RemovedList({ removed }: { removed: string[] }) {
  if (removed.length === 0) return <p class="help">Nothing is deleted.</p>;
  return (
    <div class="rollback-removed" data-testid="rollback-removed" role="note">
      <strong>Deleted by this rollback ({removed.length}):</strong>
      <ul>
        {removed.map((item) => (
          <li key={item}>{item}</li>
        ))}
      </ul>
    </div>
  );
}
