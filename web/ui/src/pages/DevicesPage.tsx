import { useState } from 'preact/hooks';
import { StateBadge } from '../components/Badges';
import { DeviceError } from '../components/DeviceError';
import { ConfirmDialog } from '../components/Dialog';
import { ErrorBox } from '../components/ErrorBox';
import { RestartButton } from '../components/RestartButton';
import { RetryNow } from '../components/RetryNow';
import { EditError, removeDeviceFromNorth } from '../config-edit';
import { deviceEndpoint } from '../format';
import { useConfig, useDocumentTitle, useStatus } from '../live';
import { usePermissions } from '../me';
import { deviceTagCount } from '../models';
import { devicePath, Link, modelPath } from '../router';
import type { Config, DeviceConfig } from '../types';
import { useConfigChange } from '../use-config-change';

/** Rows per page: a plant with 300 meters stays quick to render and to scroll. */
const PAGE_SIZE = 50;

function findDevice(config: Config, name: string): DeviceConfig {
  const device = config.devices.find((d) => d.name === name);
  if (!device) throw new EditError(`device "${name}" no longer exists; reload the page`);
  return device;
}

export function DevicesPage() {
  useDocumentTitle('Devices');
  const { config, error: configError, reload } = useConfig();
  const { status } = useStatus();
  const { change, busy, error } = useConfigChange(reload);
  const [deleting, setDeleting] = useState<DeviceConfig>();
  const { configure } = usePermissions();
  const [filter, setFilter] = useState('');
  const [page, setPage] = useState(0);

  const wanted = filter.trim().toLowerCase();
  const shown = (config?.devices ?? []).filter(
    (d) => !wanted || [d.name, d.uns ?? '', d.model ?? '', d.driver].some((s) => s.toLowerCase().includes(wanted)),
  );
  const pages = Math.max(1, Math.ceil(shown.length / PAGE_SIZE));
  const current = Math.min(page, pages - 1);
  const rows = shown.slice(current * PAGE_SIZE, (current + 1) * PAGE_SIZE);

  const stateOf = (name: string) => status?.devices.find((d) => d.name === name);

  return (
    <section>
      <div class="page-head">
        <h1>Devices</h1>
        <Link class="button push-right" href="/models">
          Models
        </Link>
        {configure ? (
          <Link class="button primary" href="/devices/new">
            + Add device
          </Link>
        ) : null}
      </div>
      <ErrorBox error={configError} title="Cannot read the configuration" />
      <ErrorBox error={error} />
      {config && config.devices.length === 0 ? (
        <p class="empty">
          No devices yet. Add one to start polling a PLC — try the simulated PLC (<code>tagwire simulate modbus</code>)
          at host <code>127.0.0.1</code>, port <code>5020</code>.
        </p>
      ) : null}
      {config && config.devices.length > PAGE_SIZE ? (
        <div class="table-tools">
          <input
            type="search"
            placeholder="Filter by name, UNS path, model or driver"
            aria-label="Filter devices"
            value={filter}
            onInput={(e) => {
              setFilter(e.currentTarget.value);
              setPage(0);
            }}
          />
          <Pager page={current} pages={pages} count={shown.length} onPage={setPage} />
        </div>
      ) : null}
      {config && config.devices.length > 0 ? (
        <div class="table-wrap">
          <table class="data-table" data-testid="devices-table">
            <thead>
              <tr>
                <th>State</th>
                <th>Name</th>
                <th>Driver</th>
                <th>Connection</th>
                <th class="num">Groups</th>
                <th class="num">Tags</th>
                <th>Enabled</th>
                <th class="actions-col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((d) => {
                const st = stateOf(d.name);
                const tags = deviceTagCount(config, d);
                return (
                  <tr key={d.name} data-device={d.name}>
                    <td>
                      <StateBadge state={st?.state ?? (d.enabled ? 'connecting' : 'disabled')} />
                      {st?.error ? (
                        <div class="cell-note">
                          <DeviceError error={st.error} compact />
                        </div>
                      ) : null}
                      {st ? <RetryNow device={d.name} nextRetryAt={st.nextRetryAt} /> : null}
                    </td>
                    <td>
                      <Link href={devicePath(d.name, '/tags')} class="strong-link">
                        {d.name}
                      </Link>
                      {d.uns && d.uns !== d.name ? <div class="cell-note">{d.uns}</div> : null}
                    </td>
                    <td>
                      {d.driver}
                      {d.model ? (
                        <div class="cell-note">
                          model <Link href={modelPath(d.model, '/edit')}>{d.model}</Link>
                        </div>
                      ) : null}
                    </td>
                    <td>
                      <code>{deviceEndpoint(d.settings)}</code>
                    </td>
                    <td class="num">{d.groups.length}</td>
                    <td class="num">{tags}</td>
                    <td>
                      <label class="switch">
                        <input
                          type="checkbox"
                          checked={d.enabled}
                          disabled={busy === d.name || !configure}
                          title={configure ? undefined : 'Only an admin can enable or disable a device'}
                          aria-label={`Enabled: ${d.name}`}
                          onChange={(e) => {
                            const enabled = e.currentTarget.checked;
                            void change(d.name, `${d.name} ${enabled ? 'enabled' : 'disabled'}`, (c) => {
                              findDevice(c, d.name).enabled = enabled;
                            });
                          }}
                        />
                        <span class="switch-track" aria-hidden="true" />
                        <span class="switch-text">{d.enabled ? 'On' : 'Off'}</span>
                      </label>
                    </td>
                    <td class="actions">
                      <Link class="button small" href={devicePath(d.name, '/tags')}>
                        Tags
                      </Link>
                      <RestartButton device={d.name} small />
                      {configure ? (
                        <>
                          <Link class="button small" href={devicePath(d.name, '/edit')}>
                            Edit
                          </Link>
                          <button type="button" class="button small danger-outline" onClick={() => setDeleting(d)}>
                            Delete
                          </button>
                        </>
                      ) : null}
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
          title={`Delete ${deleting.name}?`}
          message={`The device ${deleting.name} and its ${deleting.groups.reduce((n, g) => n + g.tags.length, 0)} tags are removed from the configuration and it stops polling. This cannot be undone.`}
          confirmLabel="Delete device"
          busy={busy === deleting.name}
          onCancel={() => setDeleting(undefined)}
          onConfirm={() => {
            const name = deleting.name;
            setDeleting(undefined);
            void change(name, `${name} deleted`, (c) => {
              c.devices = c.devices.filter((x) => x.name !== name);
              removeDeviceFromNorth(c, name);
            });
          }}
        />
      ) : null}
    </section>
  );
}

function Pager({
  page,
  pages,
  count,
  onPage,
}: {
  page: number;
  pages: number;
  count: number;
  onPage(p: number): void;
}) {
  return (
    <div class="pager" data-testid="devices-pager">
      <button type="button" class="button small" disabled={page === 0} onClick={() => onPage(page - 1)}>
        ‹ Previous
      </button>
      <span class="muted">{`Page ${page + 1} of ${pages} · ${count} devices`}</span>
      <button type="button" class="button small" disabled={page >= pages - 1} onClick={() => onPage(page + 1)}>
        Next ›
      </button>
    </div>
  );
}
