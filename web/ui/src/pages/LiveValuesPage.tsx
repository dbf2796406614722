import { useMemo, useState } from 'preact/hooks';
import { QualityBadge } from '../components/Badges';
import { ErrorBox } from '../components/ErrorBox';
import { Sparkline } from '../components/Sparkline';
import { WriteDialog } from '../components/WriteDialog';
import { formatTimestamp, formatValue } from '../format';
import { trendOf } from '../history';
import { useConfig, useDocumentTitle, useLiveValues } from '../live';
import { usePermissions } from '../me';
import { runningGroups } from '../models';
import { devicePath, Link } from '../router';
import type { Config, TagConfig, ValueRow } from '../types';

function tagConfig(config: Config | undefined, row: ValueRow): TagConfig | undefined {
  const device = config?.devices.find((d) => d.name === row.device);
  if (!config || !device) return undefined;
  return runningGroups(config, device)
    .find((g) => g.name === row.group)
    ?.tags.find((t) => t.name === row.tag);
}

const isNumeric = (v: ValueRow['value']) => typeof v === 'number' || typeof v === 'bigint';

/** Every tag's current value, live over SSE, with filters, trends and the write dialog. */
export function LiveValuesPage() {
  useDocumentTitle('Live values');
  const { values, error } = useLiveValues();
  const { config, error: configError } = useConfig();
  const { operate } = usePermissions();
  const [device, setDevice] = useState('');
  const [group, setGroup] = useState('');
  const [query, setQuery] = useState('');
  const [writing, setWriting] = useState<{ row: ValueRow; tag: TagConfig }>();

  const rows = useMemo(
    () =>
      [...values.values()].sort(
        (a, b) => a.device.localeCompare(b.device) || a.group.localeCompare(b.group) || a.tag.localeCompare(b.tag),
      ),
    [values],
  );
  const devices = useMemo(() => [...new Set(rows.map((r) => r.device))], [rows]);
  const groups = useMemo(
    () => [...new Set(rows.filter((r) => !device || r.device === device).map((r) => r.group))],
    [rows, device],
  );
  const q = query.trim().toLowerCase();
  const shown = rows.filter(
    (r) =>
      (!device || r.device === device) &&
      (!group || r.group === group) &&
      (!q || `${r.device} ${r.group} ${r.tag} ${r.topic}`.toLowerCase().includes(q)),
  );
  const live = writing ? values.get(`${writing.row.device}\u0000${writing.row.tag}`) : undefined;

  return (
    <section>
      <div class="page-head">
        <h1>Live values</h1>
        <span class="muted push-right" data-testid="live-count">
          {shown.length} of {rows.length} tags
        </span>
      </div>
      <p class="lead">Every tag as it is published, updated live. Numeric tags show a trend of their last values.</p>
      <ErrorBox error={error} title="Cannot read the values" />
      <ErrorBox error={configError} title="Cannot read the configuration" />
      <div class="filter-bar">
        <label class="filter-field">
          <span class="field-label">Device</span>
          <select
            value={device}
            onChange={(e) => {
              setDevice(e.currentTarget.value);
              setGroup('');
            }}
          >
            <option value="">All devices</option>
            {devices.map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </label>
        <label class="filter-field">
          <span class="field-label">Group</span>
          <select value={group} onChange={(e) => setGroup(e.currentTarget.value)}>
            <option value="">All groups</option>
            {groups.map((g) => (
              <option key={g} value={g}>
                {g}
              </option>
            ))}
          </select>
        </label>
        <label class="filter-field filter-grow">
          <span class="field-label">Search</span>
          <input
            type="search"
            placeholder="Tag, topic, device…"
            value={query}
            onInput={(e) => setQuery(e.currentTarget.value)}
          />
        </label>
      </div>
      <div class="table-wrap">
        <table class="data-table live-table" data-testid="live-values">
          <thead>
            <tr>
              <th>Tag</th>
              <th class="col-phone-hide">Device · group</th>
              <th class="num">Value</th>
              <th class="col-phone-hide">Trend</th>
              <th>Quality</th>
              <th class="col-phone-hide">Timestamp</th>
              <th class="actions-col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {shown.length === 0 ? (
              <tr>
                <td colSpan={7} class="empty-row">
                  {rows.length === 0 ? 'No values yet.' : 'No tag matches the filters.'}
                </td>
              </tr>
            ) : null}
            {shown.map((r) => {
              const tag = tagConfig(config, r);
              const writable = operate && tag !== undefined && tag.access !== 'read';
              return (
                <tr key={`${r.device}\u0000${r.tag}`} data-device={r.device} data-tag={r.tag}>
                  <td class="tag-name">
                    <span class="tag-title">{r.tag}</span>
                    <div class="topic" title="MQTT topic (UNS)">
                      <code>{r.topic}</code>
                    </div>
                  </td>
                  <td class="col-phone-hide">
                    <Link href={devicePath(r.device)}>{r.device}</Link>
                    <span class="muted"> · {r.group}</span>
                  </td>
                  <td class="num value-cell" data-testid="value">
                    <span class="value flash" key={r.timestamp}>
                      {formatValue(r.value)}
                    </span>
                    {tag?.unit ? <span class="muted"> {tag.unit}</span> : null}
                  </td>
                  <td class="trend-cell col-phone-hide">
                    {isNumeric(r.value) ? <Sparkline points={trendOf(r.device, r.tag)} /> : null}
                  </td>
                  <td>
                    <QualityBadge quality={r.quality} error={r.error} />
                  </td>
                  <td class="timestamp col-phone-hide">{formatTimestamp(r.timestamp)}</td>
                  <td class="actions">
                    {writable && tag ? (
                      <button
                        type="button"
                        class="button small accent"
                        aria-label={`Write ${r.tag}`}
                        onClick={() => setWriting({ row: r, tag })}
                      >
                        Write
                      </button>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {writing ? (
        <WriteDialog
          device={writing.row.device}
          tag={writing.tag}
          live={live ?? writing.row}
          onClose={() => setWriting(undefined)}
        />
      ) : null}
    </section>
  );
}
