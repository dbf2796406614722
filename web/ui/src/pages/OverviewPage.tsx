import { Meter, StateBadge } from '../components/Badges';
import { DeviceError } from '../components/DeviceError';
import { ErrorBox } from '../components/ErrorBox';
import { formatCount, formatDuration, formatRate, formatTimestamp } from '../format';
import { useConfig, useDocumentTitle, useLiveConnection, useStatus, useTick } from '../live';
import { devicePath, Link, northPath } from '../router';
import type { DeviceStatus } from '../types';

/** Modbus: `link.link.utilisation`; any driver may put `utilisation` at the top of `link`. */
function utilisation(d: DeviceStatus): number | undefined {
  const link = d.link as { utilisation?: unknown; link?: { utilisation?: unknown } } | undefined;
  const u = link?.utilisation ?? link?.link?.utilisation;
  return typeof u === 'number' ? u : undefined;
}

/** Green when everything enabled is connected, red when nothing is, amber in between. */
function tileLevel(up: number, enabled: number): string {
  if (enabled === 0) return '';
  return up === enabled ? 'tile-ok' : up === 0 ? 'tile-bad' : 'tile-warn';
}

function overruns(d: DeviceStatus): number {
  return d.counters.overruns ?? d.groups.reduce((sum, g) => sum + (g.overruns ?? 0), 0);
}

export function OverviewPage() {
  useDocumentTitle('Overview');
  const { status, rates, error } = useStatus();
  const { config } = useConfig();
  const live = useLiveConnection();
  const now = useTick(1000);

  if (!status) {
    return (
      <section>
        <h1>Overview</h1>
        {error ? <ErrorBox error={error} title="Cannot read the gateway status" /> : <p class="muted">Loading…</p>}
      </section>
    );
  }

  const connected = status.devices.filter((d) => d.state === 'connected').length;
  const enabled = status.devices.filter((d) => d.state !== 'disabled').length;
  const northUp = status.north.filter((n) => n.state === 'connected').length;
  const northEnabled = status.north.filter((n) => n.state !== 'disabled').length;
  const uptime = now - status.gateway.startedAt;

  return (
    <section>
      <div class="page-head">
        <h1>Overview</h1>
        <span class={`live-pill${live ? ' is-live' : ''}`}>{live ? 'Live' : 'Reconnecting…'}</span>
      </div>
      <ErrorBox error={error} title="Status is not updating" />

      <div class="tiles">
        <div class="tile">
          <span class="tile-label">Gateway</span>
          <span class="tile-value">{status.gateway.id ?? '—'}</span>
          <span class="tile-note">
            version {status.gateway.version}
            {config?.gateway.uns ? (
              <>
                {' '}
                · UNS <code>{config.gateway.uns}</code>
              </>
            ) : null}
          </span>
        </div>
        <div class="tile">
          <span class="tile-label">Uptime</span>
          <span class="tile-value" data-testid="uptime">
            {formatDuration(uptime)}
          </span>
          <span class="tile-note">since {formatTimestamp(status.gateway.startedAt)}</span>
        </div>
        <div class={`tile ${tileLevel(connected, enabled)}`}>
          <span class="tile-label">Devices connected</span>
          <span class="tile-value">
            {connected} / {enabled}
          </span>
          <span class="tile-note">{status.devices.length - enabled} disabled</span>
        </div>
        <div class={`tile ${tileLevel(northUp, northEnabled)}`}>
          <span class="tile-label">North apps connected</span>
          <span class="tile-value">
            {northUp} / {northEnabled}
          </span>
          <span class="tile-note">{status.north.length - northEnabled} disabled</span>
        </div>
      </div>

      <h2>Devices</h2>
      {status.devices.length === 0 ? (
        <p class="empty">
          No devices yet. <Link href="/devices/new">Add a device</Link> to start polling.
        </p>
      ) : (
        <div class="table-wrap">
          <table class="data-table" data-testid="overview-devices">
            <thead>
              <tr>
                <th>State</th>
                <th>Device</th>
                <th class="col-phone-hide">Driver</th>
                <th class="num col-phone-hide">Reads</th>
                <th class="num col-phone-hide">Reads/s</th>
                <th class="num">Read errors</th>
                <th class="num">Tag errors</th>
                <th class="num col-phone-hide">Overruns</th>
                <th class="col-phone-hide">Link use</th>
                <th>Last error</th>
              </tr>
            </thead>
            <tbody>
              {status.devices.map((d) => (
                <tr key={d.name} data-device={d.name}>
                  <td>
                    <StateBadge state={d.state} />
                  </td>
                  <td>
                    <Link href={devicePath(d.name, '/tags')}>{d.name}</Link>
                  </td>
                  <td class="col-phone-hide">{d.driver}</td>
                  <td class="num col-phone-hide">{formatCount(d.counters.reads)}</td>
                  <td class="num col-phone-hide">{formatRate(rates.deviceReads.get(d.name))}</td>
                  <td class={`num${(d.counters.readErrors ?? 0) > 0 ? ' text-bad' : ''}`}>
                    {formatCount(d.counters.readErrors)}
                  </td>
                  <td class={`num${(d.counters.tagErrors ?? 0) > 0 ? ' text-warn' : ''}`}>
                    {formatCount(d.counters.tagErrors)}
                  </td>
                  <td class={`num col-phone-hide${overruns(d) > 0 ? ' text-warn' : ''}`}>{formatCount(overruns(d))}</td>
                  <td class="col-phone-hide">
                    <Meter fraction={utilisation(d)} label="Link utilisation" />
                  </td>
                  <td class="error-cell">
                    <DeviceError error={d.error} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h2>North apps</h2>
      {status.north.length === 0 ? (
        <p class="empty">
          Nothing is published yet. <Link href="/north/new">Add an MQTT connection</Link>.
        </p>
      ) : (
        <div class="table-wrap">
          <table class="data-table" data-testid="overview-north">
            <thead>
              <tr>
                <th>State</th>
                <th>North app</th>
                <th class="col-phone-hide">Plugin</th>
                <th class="num col-phone-hide">Published</th>
                <th class="num col-phone-hide">Messages/s</th>
                <th class="num">Buffered</th>
                <th class="num">Dropped</th>
                <th class="num col-phone-hide">Reconnects</th>
                <th>Last error</th>
              </tr>
            </thead>
            <tbody>
              {status.north.map((n) => (
                <tr key={n.name}>
                  <td>
                    <StateBadge state={n.state} />
                  </td>
                  <td>
                    <Link href={northPath(n.name, '/edit')}>{n.name}</Link>
                  </td>
                  <td class="col-phone-hide">{n.plugin}</td>
                  <td class="num col-phone-hide">{formatCount(n.counters.published)}</td>
                  <td class="num col-phone-hide">{formatRate(rates.northMessages.get(n.name))}</td>
                  <td class={`num${n.counters.buffered > 0 ? ' text-warn' : ''}`} data-testid="north-buffered">
                    {formatCount(n.counters.buffered)}
                  </td>
                  <td class={`num${n.counters.dropped > 0 ? ' text-bad' : ''}`}>{formatCount(n.counters.dropped)}</td>
                  <td class="num col-phone-hide">{formatCount(n.counters.reconnects)}</td>
                  <td class="error-cell">
                    {n.error ? <span class="text-bad">{n.error}</span> : <span class="muted">—</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
