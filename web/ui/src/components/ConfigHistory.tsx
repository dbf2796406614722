import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { formatTimestamp, restartedText } from '../format';
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
}

const SOURCE_LABEL: Record<string, string> = {
  api: 'saved in the web UI or API',
  import: 'tagwire import',
  'first start': 'first start',
};

const yamlOf = (id: number) =>
  api<string>('GET', `/api/v1/config/history/${id}?format=yaml`, undefined, { asText: true });

/**
 * Every configuration the gateway applied, newest first, with who and how. Each entry shows
 * what it changed against the one before it; an admin can roll back to any of them.
 */
export function ConfigHistory({ version, onRolledBack }: { version: unknown; onRolledBack(): Promise<void> }) {
  const [entries, setEntries] = useState<Entry[]>();
  const [error, setError] = useState<ApiError>();
  const [open, setOpen] = useState<{ id: number; before: string; after: string }>();
  const [rollingBack, setRollingBack] = useState<Entry>();
  const [busy, setBusy] = useState(false);
  const { configure } = usePermissions();

  const load = () =>
    api<Entry[]>('GET', '/api/v1/config/history').then(setEntries, (err: unknown) =>
      setError(err instanceof ApiError ? err : new ApiError(0, 'internal', String(err))),
    );
  // `version` (the loaded configuration) changes whenever the configuration does: the list follows.
  useEffect(() => void load(), [version]);

  const toggle = async (entry: Entry, previous: Entry | undefined) => {
    if (open?.id === entry.id) return setOpen(undefined);
    try {
      const [before, after] = await Promise.all([previous ? yamlOf(previous.id) : '', yamlOf(entry.id)]);
      setOpen({ id: entry.id, before, after });
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'internal', String(err)));
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
      notify(
        `Rolled back to the configuration of ${formatTimestamp(entry.appliedAt)}; ${restartedText(res.restarted)}.`,
      );
      setRollingBack(undefined);
      setOpen(undefined);
      await onRolledBack();
      await load();
    } catch (err) {
      setRollingBack(undefined);
      setError(err instanceof ApiError ? err : new ApiError(0, 'internal', String(err)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="card">
      <h2 class="card-title">Configuration history</h2>
      <p class="help">
        Every change applied to this gateway, newest first. Open one to see what it changed; roll back to make an
        earlier configuration current again (the rollback itself becomes a new entry, so it can be undone).
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
                <th>How</th>
                <th class="actions-col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry, i) => {
                const isOpen = open?.id === entry.id;
                return [
                  <tr key={entry.id} data-history={entry.id}>
                    <td class="num">{entry.id}</td>
                    <td class="timestamp">{formatTimestamp(entry.appliedAt)}</td>
                    <td>{entry.user ?? <span class="muted">system</span>}</td>
                    <td>
                      {SOURCE_LABEL[entry.source] ?? entry.source}
                      {i === 0 ? <span class="current-tag">current</span> : null}
                    </td>
                    <td class="actions">
                      <button
                        type="button"
                        class={`button small${isOpen ? ' is-on' : ''}`}
                        aria-expanded={isOpen}
                        onClick={() => void toggle(entry, entries[i + 1])}
                      >
                        {isOpen ? 'Hide changes' : 'Changes'}
                      </button>
                      {configure && i > 0 ? (
                        <button type="button" class="button small" onClick={() => setRollingBack(entry)}>
                          Roll back to this
                        </button>
                      ) : null}
                    </td>
                  </tr>,
                  isOpen && open ? (
                    <tr key={`${entry.id}-diff`} class="edit-row">
                      <td colSpan={5}>
                        <p class="help">
                          {entries[i + 1]
                            ? `Compared with #${entries[i + 1]?.id}, the entry before it.`
                            : 'The first entry.'}
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
          title={`Roll back to #${rollingBack.id}?`}
          message={`The configuration applied ${formatTimestamp(rollingBack.appliedAt)} becomes current. Devices and north apps whose settings differ restart; the others keep running.`}
          confirmLabel="Roll back"
          busy={busy}
          onCancel={() => setRollingBack(undefined)}
          onConfirm={() => void rollback(rollingBack)}
        />
      ) : null}
    </div>
  );
}
