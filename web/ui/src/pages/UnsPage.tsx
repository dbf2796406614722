import { useMemo, useState } from 'preact/hooks';
import { QualityBadge } from '../components/Badges';
import { ErrorBox } from '../components/ErrorBox';
import { formatTimestamp, formatValue } from '../format';
import { useConfig, useDocumentTitle, useLiveValues, useStatus } from '../live';
import { deviceUns } from '../models';
import { devicePath, Link } from '../router';
import type { Config, GatewayStatus, Scalar, ValueRow } from '../types';

type Info = { kind: 'device-status'; device: string } | { kind: 'gateway-status' };

interface Node {
  name: string;
  path: string;
  children: Map<string, Node>;
  row?: ValueRow;
  info?: Info;
}

const joinTopic = (...parts: Array<string | undefined>) => parts.filter((p) => p !== undefined && p !== '').join('/');

/** JSON text of a value as the gateway writes it: 64-bit integers exact, non-finite floats null. */
function valueToJson(v: Scalar): string {
  switch (typeof v) {
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
    case 'string':
      return JSON.stringify(v);
    default:
      return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? Number(x) : x)) ?? 'null';
  }
}

/** The MQTT payload of a value, built like the gateway's north apps (format `value`). */
const tagCount = (n: number) => (n === 1 ? '1 tag' : `${n.toLocaleString('en')} tags`);

export function valuePayload(r: ValueRow): string {
  const head = `{"value":${valueToJson(r.value)},"timestamp":${r.timestamp},"quality":"${r.quality}"`;
  return r.error ? `${head},"error":${JSON.stringify(r.error)}}` : `${head}}`;
}

function insert(root: Node, topic: string, fill: (n: Node) => void): void {
  let node = root;
  const parts = topic.split('/');
  parts.forEach((name, i) => {
    let child = node.children.get(name);
    if (!child) {
      child = { name, path: parts.slice(0, i + 1).join('/'), children: new Map() };
      node.children.set(name, child);
    }
    node = child;
  });
  fill(node);
}

function buildTree(rows: Iterable<ValueRow>, config: Config | undefined): Node {
  const root: Node = { name: '', path: '', children: new Map() };
  for (const r of rows) {
    insert(root, r.topic, (n) => {
      n.row = r;
    });
  }
  if (config) {
    for (const d of config.devices) {
      const topic = joinTopic(config.gateway.uns, deviceUns(d), '_status');
      insert(root, topic, (n) => {
        n.info = { kind: 'device-status', device: d.name };
      });
    }
    insert(root, joinTopic(config.gateway.uns, '_gateway', config.gateway.id), (n) => {
      n.info = { kind: 'gateway-status' };
    });
  }
  return root;
}

const sorted = (n: Node) =>
  [...n.children.values()].sort((a, b) => {
    // Folders first, then leaves; `_…` (status topics) last.
    const fa = a.children.size > 0 ? 0 : 1;
    const fb = b.children.size > 0 ? 0 : 1;
    const ua = a.name.startsWith('_') ? 1 : 0;
    const ub = b.name.startsWith('_') ? 1 : 0;
    return ua - ub || fa - fb || a.name.localeCompare(b.name);
  });

function leafCount(n: Node): number {
  let c = n.row ? 1 : 0;
  for (const child of n.children.values()) c += leafCount(child);
  return c;
}

function allPaths(n: Node, into: Set<string>): Set<string> {
  for (const child of n.children.values()) {
    if (child.children.size > 0) into.add(child.path);
    allPaths(child, into);
  }
  return into;
}

function findNode(root: Node, path: string): Node | undefined {
  let node: Node | undefined = root;
  for (const part of path.split('/')) {
    node = node?.children.get(part);
    if (!node) return undefined;
  }
  return node;
}

/** The unified namespace: the topic tree of every published tag, with live values and payloads. */
export function UnsPage() {
  useDocumentTitle('UNS explorer');
  const { values, error } = useLiveValues();
  const { config, error: configError } = useConfig();
  const { status } = useStatus();
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const [selected, setSelected] = useState<string>();

  const tree = useMemo(() => buildTree(values.values(), config), [values, config]);
  const node = selected ? findNode(tree, selected) : undefined;

  const toggle = (path: string) =>
    setExpanded((s) => {
      const next = new Set(s);
      if (next.has(path)) next.delete(path);
      else next.add(path);
      return next;
    });

  const renderNode = (n: Node, depth: number) => {
    const open = expanded.has(n.path);
    const hasChildren = n.children.size > 0;
    return (
      <li key={n.path}>
        <div
          class={`tree-row${selected === n.path ? ' is-selected' : ''}`}
          style={{ paddingLeft: `${depth * 18 + 6}px` }}
          data-topic={n.path}
        >
          {hasChildren ? (
            <button
              type="button"
              class="tree-toggle"
              aria-expanded={open}
              aria-label={`${open ? 'Collapse' : 'Expand'} ${n.name}`}
              onClick={() => toggle(n.path)}
            >
              {open ? '▾' : '▸'}
            </button>
          ) : (
            <span class="tree-toggle" aria-hidden="true" />
          )}
          <button
            type="button"
            class="tree-label"
            aria-pressed={selected === n.path}
            onClick={() => {
              setSelected(n.path);
              if (hasChildren && !open) toggle(n.path);
            }}
          >
            <span
              class={`node-mark ${n.row ? 'node-Variable' : n.info ? 'node-info' : 'node-Object'}`}
              aria-hidden="true"
            >
              {n.row ? 'T' : n.info ? 'i' : ''}
            </span>
            {n.name}
          </button>
          <span class="tree-meta">
            {n.row ? (
              <>
                <strong class="value flash" key={n.row.timestamp} data-testid="uns-value">
                  {formatValue(n.row.value)}
                </strong>
                <QualityBadge quality={n.row.quality} error={n.row.error} />
              </>
            ) : null}
            {n.info ? (
              <span class="chip">{n.info.kind === 'gateway-status' ? 'gateway status' : 'device status'}</span>
            ) : null}
            {!n.row && !n.info && hasChildren ? <span class="muted">{tagCount(leafCount(n))}</span> : null}
          </span>
        </div>
        {hasChildren && open ? <ul class="tree-children">{sorted(n).map((c) => renderNode(c, depth + 1))}</ul> : null}
      </li>
    );
  };

  return (
    <section>
      <div class="page-head">
        <h1>UNS explorer</h1>
        <div class="page-actions push-right">
          <button type="button" class="button small" onClick={() => setExpanded(allPaths(tree, new Set()))}>
            Expand all
          </button>
          <button type="button" class="button small" onClick={() => setExpanded(new Set())}>
            Collapse all
          </button>
        </div>
      </div>
      <p class="lead">
        The unified namespace as this gateway publishes it over MQTT: one topic per tag, levels split on “/”.
      </p>
      <ErrorBox error={error} title="Cannot read the values" />
      <ErrorBox error={configError} title="Cannot read the configuration" />
      <div class="card browse-panel uns-panel">
        <div class="browse-body">
          <ul class="tree" aria-label="Topics" data-testid="uns-tree">
            {tree.children.size === 0 ? <li class="tree-note muted">No topics yet.</li> : null}
            {sorted(tree).map((n) => renderNode(n, 0))}
          </ul>
          <div class="browse-detail" data-testid="uns-detail">
            {node ? (
              <Detail node={node} status={status} config={config} />
            ) : (
              <p class="muted">Select a topic to see what is published on it.</p>
            )}
          </div>
        </div>
      </div>
    </section>
  );
}

function Detail({
  node,
  status,
  config,
}: {
  node: Node;
  status: GatewayStatus | undefined;
  config: Config | undefined;
}) {
  const r = node.row;
  return (
    <>
      <h2 class="uns-detail-title">{node.name}</h2>
      <dl class="facts">
        <dt>Topic</dt>
        <dd>
          <code class="uns-topic" data-testid="uns-topic">
            {node.path}
          </code>
        </dd>
        {r ? (
          <>
            <dt>Device</dt>
            <dd>
              <Link href={devicePath(r.device)}>{r.device}</Link> · group {r.group} · tag {r.tag}
            </dd>
            <dt>Value</dt>
            <dd>
              <strong class="value">{formatValue(r.value)}</strong> <QualityBadge quality={r.quality} error={r.error} />
            </dd>
            <dt>Timestamp</dt>
            <dd class="timestamp">{formatTimestamp(r.timestamp)}</dd>
          </>
        ) : null}
      </dl>
      {r ? (
        <>
          <h3 class="field-label">Payload as published</h3>
          <pre class="payload" data-testid="uns-payload">
            {valuePayload(r)}
          </pre>
        </>
      ) : null}
      {node.info?.kind === 'device-status' ? <DeviceStatusInfo device={node.info.device} status={status} /> : null}
      {node.info?.kind === 'gateway-status' ? (
        <>
          <p class="help">
            Informational: each MQTT north app publishes the gateway’s state here (retained) when it connects, and its
            last will sets <code>online</code> to false when the gateway goes away.
          </p>
          <pre class="payload" data-testid="uns-payload">
            {`{"online":true,"timestamp":…,"version":${JSON.stringify(status?.gateway.version ?? '…')}}`}
          </pre>
          {config ? (
            <p class="muted">
              Gateway id <code>{config.gateway.id}</code>, UNS root <code>{config.gateway.uns || '(none)'}</code>.
            </p>
          ) : null}
        </>
      ) : null}
      {!r && !node.info ? (
        <p class="muted">A level of the namespace with {tagCount(leafCount(node))} below it.</p>
      ) : null}
    </>
  );
}

function DeviceStatusInfo({ device, status }: { device: string; status: GatewayStatus | undefined }) {
  const d = status?.devices.find((x) => x.name === device);
  const state: Record<string, unknown> | undefined = d
    ? { state: d.state, timestamp: d.timestamp, ...(d.error ? { error: d.error } : {}) }
    : undefined;
  return (
    <>
      <p class="help">
        Informational: the connection state of <Link href={devicePath(device)}>{device}</Link>, published (retained)
        whenever it changes.
      </p>
      {state ? (
        <pre class="payload" data-testid="uns-payload">
          {JSON.stringify(state)}
        </pre>
      ) : null}
    </>
  );
}
