import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { sentence } from '../format';
import type { BrowseEntry } from '../types';

export interface Selection {
  entry: BrowseEntry;
  /** Browse names (without namespace) from below the root (Objects) down to this node. */
  path: string[];
}

interface NodeProps {
  device: string;
  entry: BrowseEntry;
  path: string[];
  depth: number;
  initiallyOpen?: boolean;
  selected: string | undefined;
  onSelect(s: Selection): void;
  /** Tag names per address already configured on the device. */
  tagsByAddress: Map<string, string>;
}

const CLASS_MARK: Record<string, string> = { Object: 'O', Variable: 'V', Method: 'M', ObjectType: 'T', View: 'W' };

export const isVariable = (e: BrowseEntry) => e.nodeClass === 'Variable';

/** `1:Demo` → `Demo`. */
export const browseLeaf = (e: BrowseEntry) => e.browseName.replace(/^\d+:/, '') || e.displayName;

/**
 * One node of the lazy address-space tree: its children are browsed when it is first opened.
 * Objects and folders open on a click; a click on a variable selects it.
 */
export function BrowseNode(props: NodeProps) {
  const { device, entry, path, depth, selected, onSelect, tagsByAddress } = props;
  const [open, setOpen] = useState(props.initiallyOpen === true);
  const [children, setChildren] = useState<BrowseEntry[]>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(false);
  const variable = isVariable(entry);
  const name = entry.displayName || browseLeaf(entry);

  const load = async () => {
    setLoading(true);
    setError(undefined);
    try {
      const query = new URLSearchParams({ nodeId: entry.nodeId });
      setChildren(await api<BrowseEntry[]>('GET', `/api/v1/devices/${encodeURIComponent(device)}/browse?${query}`));
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'internal', String(err)));
    } finally {
      setLoading(false);
    }
  };

  // Browsed once, when first opened.
  useEffect(() => {
    if (open && children === undefined && !loading) void load();
  }, [open]);

  const toggle = () => setOpen(!open);
  const tag = tagsByAddress.get(entry.nodeId);
  const isSelected = selected === entry.nodeId;

  return (
    <li class="tree-item" data-node={entry.nodeId}>
      <div class={`tree-row${isSelected ? ' is-selected' : ''}`} style={{ paddingLeft: `${depth * 20 + 4}px` }}>
        {entry.hasChildren ? (
          <button
            type="button"
            class="tree-toggle"
            aria-expanded={open}
            aria-label={`${open ? 'Collapse' : 'Expand'} ${name}`}
            onClick={toggle}
          >
            <span aria-hidden="true">{open ? '▾' : '▸'}</span>
          </button>
        ) : (
          <span class="tree-toggle" aria-hidden="true" />
        )}
        <button
          type="button"
          class="tree-label"
          aria-pressed={variable ? isSelected : undefined}
          aria-expanded={!variable && entry.hasChildren ? open : undefined}
          title={entry.nodeId}
          onClick={() => (variable ? onSelect({ entry, path: [...path, browseLeaf(entry)] }) : toggle())}
        >
          <span class={`node-mark node-${entry.nodeClass}`} aria-hidden="true">
            {CLASS_MARK[entry.nodeClass] ?? '·'}
          </span>
          {name}
        </button>
        {variable ? (
          <span class="tree-meta">
            {entry.dataType ? <span class="chip">{entry.dataType}</span> : null}
            {entry.access ? <span class={`access access-${entry.access}`}>{entry.access}</span> : null}
            {tag ? (
              <span class="chip chip-ok" title="Already a tag of this device">
                tag {tag}
              </span>
            ) : null}
          </span>
        ) : null}
      </div>
      {open ? (
        <ul class="tree-children">
          {loading ? (
            <li class="tree-note muted" style={{ paddingLeft: `${depth * 20 + 34}px` }}>
              Browsing…
            </li>
          ) : null}
          {error ? (
            <li class="tree-note text-bad" style={{ paddingLeft: `${depth * 20 + 34}px` }}>
              {sentence(error.message)}{' '}
              <button type="button" class="button small" onClick={() => void load()}>
                Retry
              </button>
            </li>
          ) : null}
          {children?.length === 0 ? (
            <li class="tree-note muted" style={{ paddingLeft: `${depth * 20 + 34}px` }}>
              Nothing below this node.
            </li>
          ) : null}
          {children?.map((c) => (
            <BrowseNode
              key={c.nodeId}
              device={device}
              entry={c}
              path={depth === 0 ? [] : [...path, browseLeaf(entry)]}
              depth={depth + 1}
              selected={selected}
              onSelect={onSelect}
              tagsByAddress={tagsByAddress}
            />
          ))}
        </ul>
      ) : null}
    </li>
  );
}
