import { useState } from 'preact/hooks';
import { StateBadge } from '../components/Badges';
import { ConfirmDialog } from '../components/Dialog';
import { ErrorBox } from '../components/ErrorBox';
import { formatCount } from '../format';
import { useConfig, useDocumentTitle, useStatus } from '../live';
import { usePermissions } from '../me';
import { Link, northPath } from '../router';
import { useConfigChange } from '../use-config-change';

/** North apps (MQTT connections): state, counters, enable/disable, edit, delete. */
export function NorthPage() {
  useDocumentTitle('North apps');
  const { config, error: configError, reload } = useConfig();
  const { status } = useStatus();
  const { change, busy, error } = useConfigChange(reload);
  const [deleting, setDeleting] = useState<string>();
  const { configure } = usePermissions();

  return (
    <section>
      <div class="page-head">
        <h1>North apps</h1>
        {configure ? (
          <Link class="button primary push-right" href="/north/new">
            + Add north app
          </Link>
        ) : null}
      </div>
      <p class="lead">Connections that publish this gateway's values to MQTT brokers.</p>
      <ErrorBox error={configError} title="Cannot read the configuration" />
      <ErrorBox error={error} />
      {config && config.north.length === 0 ? (
        <p class="empty">Nothing is published yet. Add an MQTT connection to send values to a broker.</p>
      ) : null}
      {config && config.north.length > 0 ? (
        <div class="table-wrap">
          <table class="data-table" data-testid="north-table">
            <thead>
              <tr>
                <th>State</th>
                <th>Name</th>
                <th class="col-wide col-phone-hide">Plugin</th>
                <th class="col-phone-hide">Broker</th>
                <th class="col-phone-hide">Devices</th>
                <th class="num col-phone-hide">Published</th>
                <th class="num">Buffered</th>
                <th class="num col-phone-hide">Dropped</th>
                <th>Enabled</th>
                <th class="actions-col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {config.north.map((n) => {
                const st = status?.north.find((s) => s.name === n.name);
                return (
                  <tr key={n.name} data-north={n.name}>
                    <td>
                      <StateBadge state={st?.state ?? (n.enabled ? 'connecting' : 'disabled')} />
                      {st?.error ? <div class="cell-note text-bad">{st.error}</div> : null}
                    </td>
                    <td>
                      <Link href={northPath(n.name, '/edit')} class="strong-link">
                        {n.name}
                      </Link>
                    </td>
                    <td class="col-wide col-phone-hide">{n.plugin}</td>
                    <td class="col-phone-hide broker-cell">
                      <code>{String(n.settings.url ?? '')}</code>
                    </td>
                    <td class="col-phone-hide">{n.devices.includes('*') ? 'all' : n.devices.join(', ') || 'none'}</td>
                    <td class="num col-phone-hide">{formatCount(st?.counters.published)}</td>
                    <td class="num" data-testid="north-buffered">
                      {formatCount(st?.counters.buffered)}
                    </td>
                    <td class={`num col-phone-hide${(st?.counters.dropped ?? 0) > 0 ? ' text-bad' : ''}`}>
                      {formatCount(st?.counters.dropped)}
                    </td>
                    <td>
                      <label class="switch">
                        <input
                          type="checkbox"
                          checked={n.enabled}
                          disabled={busy === n.name || !configure}
                          title={configure ? undefined : 'Only an admin can enable or disable a north app'}
                          aria-label={`Enabled: ${n.name}`}
                          onChange={(e) => {
                            const enabled = e.currentTarget.checked;
                            void change(n.name, `${n.name} ${enabled ? 'enabled' : 'disabled'}`, (c) => {
                              const app = c.north.find((x) => x.name === n.name);
                              if (app) app.enabled = enabled;
                            });
                          }}
                        />
                        <span class="switch-track" aria-hidden="true" />
                        <span class="switch-text">{n.enabled ? 'On' : 'Off'}</span>
                      </label>
                    </td>
                    <td class="actions">
                      {configure ? (
                        <>
                          <Link class="button small" href={northPath(n.name, '/edit')}>
                            Edit
                          </Link>
                          <button type="button" class="button small danger-outline" onClick={() => setDeleting(n.name)}>
                            Delete
                          </button>
                        </>
                      ) : (
                        <Link class="button small" href={northPath(n.name, '/edit')}>
                          View
                        </Link>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title={`Delete ${deleting}?`}
          message={`The north app ${deleting} disconnects from its broker and is removed. Values already published stay on the broker.`}
          confirmLabel="Delete north app"
          onCancel={() => setDeleting(undefined)}
          onConfirm={() => {
            const name = deleting;
            setDeleting(undefined);
            void change(name, `${name} deleted`, (c) => {
              c.north = c.north.filter((x) => x.name !== name);
            });
          }}
        />
      ) : null}
    </section>
  );
}
