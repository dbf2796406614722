import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { formatTimestamp } from '../format';
import { clearLogHistory, LOG_LINES, loadLogHistory, logHistory, useLogVersion } from '../history';
import { useConfig, useDocumentTitle } from '../live';
import { usePermissions } from '../me';
import { notify } from '../notice';
import type { LogLevelOverride, LogLine } from '../types';

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
const rank = (level: string) => {
  const i = (LEVELS as readonly string[]).indexOf(level);
  return i < 0 ? LEVELS.length : i;
};

/** Rows rendered at most. */
const SHOWN_LINES = 1000;

const sourceOf = (l: LogLine) => (l.device ? `device:${l.device}` : l.north ? `north:${l.north}` : 'gateway');

/** Live log lines (SSE `log` events): the last 1000, filtered by level, source and text. */
export function LogsPage() {
  useDocumentTitle('Logs');
  useLogVersion();
  const { config } = useConfig();
  const { operate } = usePermissions();
  const [minLevel, setMinLevel] = useState('info');
  const [source, setSource] = useState('');
  const [query, setQuery] = useState('');
  const [paused, setPaused] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    void loadLogHistory();
  }, []);

  const lines = logHistory();
  const sources = new Set<string>();
  for (const d of config?.devices ?? []) sources.add(`device:${d.name}`);
  for (const n of config?.north ?? []) sources.add(`north:${n.name}`);
  for (const l of lines) if (l.device || l.north) sources.add(sourceOf(l));
  const q = query.trim().toLowerCase();
  const min = rank(minLevel);
  const matching = lines.filter(
    (l) =>
      rank(l.level) >= min &&
      (!source || sourceOf(l) === source) &&
      (!q || `${l.msg} ${l.component ?? ''} ${l.device ?? ''} ${l.north ?? ''}`.toLowerCase().includes(q)),
  );
  // Thousands of rows would make the page slow: the newest are shown, all are in the download.
  const shown = matching.length > SHOWN_LINES ? matching.slice(-SHOWN_LINES) : matching;
  const download = new URLSearchParams({ format: 'text', level: minLevel });
  if (source.startsWith('device:')) download.set('device', source.slice('device:'.length));
  if (source.startsWith('north:')) download.set('north', source.slice('north:'.length));

  // Newest at the bottom: follow it unless paused.
  useLayoutEffect(() => {
    const el = box.current;
    if (el && !paused) el.scrollTop = el.scrollHeight;
  });

  return (
    <section>
      <div class="page-head">
        <h1>Logs</h1>
        <span class="muted push-right" data-testid="log-count">
          {matching.length} of {lines.length} lines (last {LOG_LINES.toLocaleString('en')} kept)
          {shown.length < matching.length ? `, newest ${shown.length} shown` : ''}
        </span>
      </div>
      <p class="lead">
        The gateway’s last {LOG_LINES.toLocaleString('en')} log lines, then new ones as they are written; newest at the
        bottom. <em>Download</em> saves the lines the level and source filters select. Older lines are in the system
        journal when tagwire runs as a systemd service: <code>journalctl -u tagwire</code>.
      </p>
      {operate ? <LogLevelControl devices={config?.devices.map((d) => d.name) ?? []} /> : null}
      <div class="filter-bar">
        <label class="filter-field">
          <span class="field-label">Minimum level</span>
          <select value={minLevel} onChange={(e) => setMinLevel(e.currentTarget.value)}>
            {LEVELS.slice(0, 5).map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <label class="filter-field">
          <span class="field-label">Source</span>
          <select value={source} onChange={(e) => setSource(e.currentTarget.value)}>
            <option value="">Everything</option>
            <option value="gateway">Gateway (no device or north app)</option>
            {[...sources].sort().map((s) => (
              <option key={s} value={s}>
                {s.replace(':', ' ')}
              </option>
            ))}
          </select>
        </label>
        <label class="filter-field filter-grow">
          <span class="field-label">Search</span>
          <input
            type="search"
            placeholder="Text in the message"
            value={query}
            onInput={(e) => setQuery(e.currentTarget.value)}
          />
        </label>
        <div class="filter-buttons">
          <button
            type="button"
            class={`button small${paused ? ' accent' : ''}`}
            aria-pressed={paused}
            onClick={() => setPaused(!paused)}
          >
            {paused ? 'Resume auto-scroll' : 'Pause auto-scroll'}
          </button>
          <button type="button" class="button small" onClick={clearLogHistory}>
            Clear
          </button>
          <a class="button small" href={`/api/v1/logs?${download.toString()}`} download data-testid="log-download">
            Download
          </a>
        </div>
      </div>
      <div class="log-box" ref={box} data-testid="log-lines" role="log" aria-live="off">
        {shown.length === 0 ? (
          <p class="muted log-empty">{lines.length === 0 ? 'No log lines yet.' : 'No line matches the filters.'}</p>
        ) : null}
        {shown.map((l) => (
          <div key={l.seq} class={`log-line log-${l.level}`} data-level={l.level}>
            <span class="log-time">{formatTimestamp(l.time)}</span>
            <span class="log-level">{l.level}</span>
            <span class="log-source">
              {l.device ? `device ${l.device}` : l.north ? `north ${l.north}` : (l.component ?? 'gateway')}
            </span>
            <span class="log-msg">{l.msg}</span>
          </div>
        ))}
      </div>
    </section>
  );
}

/** Raises one device's log level for 10 minutes (`PUT /api/v1/log-level`); lists the overrides in force. */
function LogLevelControl({ devices }: { devices: string[] }) {
  const [device, setDevice] = useState('');
  const [level, setLevel] = useState('debug');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [overrides, setOverrides] = useState<LogLevelOverride[]>([]);

  const load = async () => {
    try {
      setOverrides(await api<LogLevelOverride[]>('GET', '/api/v1/log-level'));
    } catch (err) {
      if (err instanceof ApiError) setError(err);
    }
  };
  useEffect(() => {
    void load();
    const t = window.setInterval(load, 10_000);
    return () => window.clearInterval(t);
  }, []);

  const chosen = device || devices[0] || '';
  const raise = async (e: Event) => {
    e.preventDefault();
    if (!chosen) return;
    setBusy(true);
    setError(undefined);
    try {
      await api('PUT', '/api/v1/log-level', { target: `device:${chosen}`, level, revertAfterSeconds: 600 });
      notify(`Log level of ${chosen} is ${level} for 10 minutes`);
      await load();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'internal', String(err)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="card log-level-card">
      <form class="inline-form" onSubmit={raise} aria-label="Device log level">
        <label class="filter-field">
          <span class="field-label">Device</span>
          <select value={chosen} onChange={(e) => setDevice(e.currentTarget.value)}>
            {devices.map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </label>
        <label class="filter-field">
          <span class="field-label">Level</span>
          <select value={level} onChange={(e) => setLevel(e.currentTarget.value)}>
            <option value="debug">debug</option>
            <option value="trace">trace</option>
          </select>
        </label>
        <button type="submit" class="button small primary" disabled={busy || !chosen}>
          Raise for 10 min
        </button>
        <span class="muted" data-testid="log-overrides">
          {overrides.length === 0
            ? 'No raised levels.'
            : overrides
                .map((o) => `${o.target.replace(':', ' ')}: ${o.level} until ${formatTimestamp(o.revertsAt)}`)
                .join(' · ')}
        </span>
      </form>
      <ErrorBox error={error} title="The log level was not changed" />
    </div>
  );
}
