import { useState } from 'preact/hooks';
import { ApiError } from '../api';
import { EditError, updateConfig } from '../config-edit';
import { usePermissions } from '../me';
import { notify } from '../notice';
import { withDefaults } from '../schema-util';
import type { DeviceConfig, JsonSchema, TagConfig } from '../types';
import { BrowseNode, type Selection } from './BrowseTree';
import { ErrorBox } from './ErrorBox';

const LEVEL_OK = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** A browse path as a tag name: levels joined by `/`, other characters as `_`. */
export function tagNameFromPath(path: string[]): string {
  return path
    .map((level) => {
      const clean = level.replace(/[^A-Za-z0-9_.-]+/g, '_');
      return LEVEL_OK.test(clean) ? clean : `n${clean}`;
    })
    .join('/');
}

const ROOT = {
  nodeId: 'i=85',
  browseName: '0:Objects',
  displayName: 'Objects',
  nodeClass: 'Object',
  hasChildren: true,
};
/** The group made when the device has none yet. */
const NEW_GROUP = 'main';

interface Props {
  device: DeviceConfig;
  tagSchema: JsonSchema | undefined;
  groupSchema: JsonSchema | undefined;
  onClose(): void;
  /** A tag was added (the configuration changed). */
  onAdded(): Promise<void>;
  onTestRead(address: string): void;
}

/**
 * The OPC UA tag picker: a lazy tree of the server's address space from Objects; a selected
 * variable becomes a tag (name from its browse path, address = its NodeId, access from the node).
 */
export function BrowsePanel({ device, tagSchema, groupSchema, onClose, onAdded, onTestRead }: Props) {
  const { configure } = usePermissions();
  const [selected, setSelected] = useState<Selection>();
  const [name, setName] = useState('');
  const [access, setAccess] = useState<TagConfig['access']>('read');
  const [group, setGroup] = useState(device.groups[0]?.name ?? NEW_GROUP);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ApiError>();

  const tagsByAddress = new Map<string, string>();
  for (const g of device.groups) for (const t of g.tags) if (t.address) tagsByAddress.set(t.address, t.name);
  const groupExists = device.groups.some((g) => g.name === group);

  const select = (s: Selection) => {
    setSelected(s);
    setName(tagNameFromPath(s.path));
    setAccess(s.entry.access ?? 'read');
    setError(undefined);
  };

  const add = async (e: Event) => {
    e.preventDefault();
    if (!selected) return;
    setSaving(true);
    setError(undefined);
    const draft = { name: name.trim(), address: selected.entry.nodeId, access };
    const tag = (tagSchema ? withDefaults(tagSchema, draft) : draft) as unknown as TagConfig;
    try {
      await updateConfig((c) => {
        const dev = c.devices.find((d) => d.name === device.name);
        if (!dev) throw new EditError(`device "${device.name}" no longer exists; reload the page`);
        let target = dev.groups.find((g) => g.name === group);
        if (!target) {
          const defaults = groupSchema ? withDefaults(groupSchema, { name: group }) : { name: group };
          target = { ...(defaults as Omit<DeviceConfig['groups'][number], 'tags'>), tags: [] };
          dev.groups.push(target);
        }
        target.tags.push(tag);
      });
      notify(`Tag ${tag.name} added to group ${group}; the device restarts with it.`);
      await onAdded();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'edit', (err as Error).message));
    } finally {
      setSaving(false);
    }
  };

  const entry = selected?.entry;
  const existing = entry ? tagsByAddress.get(entry.nodeId) : undefined;

  return (
    <div class="card browse-panel" data-testid="browse-panel">
      <div class="browse-head">
        <h2>Browse the server</h2>
        <span class="muted">
          Open folders and objects; select a variable to {configure ? 'add it as a tag' : 'see its details'}.
        </span>
        <button type="button" class="icon-button push-right" aria-label="Close the browser" onClick={onClose}>
          ×
        </button>
      </div>
      <div class="browse-body">
        <ul class="tree" aria-label="Address space">
          <BrowseNode
            device={device.name}
            entry={ROOT}
            path={[]}
            depth={0}
            initiallyOpen
            selected={entry?.nodeId}
            onSelect={select}
            tagsByAddress={tagsByAddress}
          />
        </ul>
        <div class="browse-detail" data-testid="browse-detail">
          {!entry ? (
            <p class="muted">No variable selected.</p>
          ) : (
            <>
              <h3>{entry.displayName}</h3>
              <dl class="facts">
                <dt>NodeId</dt>
                <dd>
                  <code>{entry.nodeId}</code>
                </dd>
                <dt>Path</dt>
                <dd>{['Objects', ...selected.path].join(' / ')}</dd>
                <dt>Data type</dt>
                <dd>{entry.dataType ?? '—'}</dd>
                <dt>Access</dt>
                <dd>{entry.access ?? '—'}</dd>
              </dl>
              <button type="button" class="button small" onClick={() => onTestRead(entry.nodeId)}>
                Test read
              </button>
              {existing ? <p class="help">Already a tag of this device: {existing}.</p> : null}
              {configure ? (
                <form class="browse-add" onSubmit={add} aria-label="Add as tag">
                  <div class="field">
                    <label class="field-label" for="browse-name">
                      Tag name
                    </label>
                    <input id="browse-name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
                  </div>
                  <div class="field">
                    <label class="field-label" for="browse-group">
                      Group
                    </label>
                    <select id="browse-group" value={group} onChange={(e) => setGroup(e.currentTarget.value)}>
                      {device.groups.map((g) => (
                        <option key={g.name} value={g.name}>
                          {g.name}
                        </option>
                      ))}
                      {device.groups.length === 0 ? <option value={NEW_GROUP}>{NEW_GROUP} (new group)</option> : null}
                    </select>
                  </div>
                  <div class="field">
                    <label class="field-label" for="browse-access">
                      Access
                    </label>
                    <select
                      id="browse-access"
                      value={access}
                      onChange={(e) => setAccess(e.currentTarget.value as TagConfig['access'])}
                    >
                      <option value="read">read</option>
                      <option value="readwrite">readwrite</option>
                      <option value="write">write</option>
                    </select>
                  </div>
                  {!groupExists ? <p class="help">The group {group} is created with the default interval.</p> : null}
                  <button type="submit" class="button primary" disabled={saving || !name.trim()}>
                    {saving ? 'Adding…' : 'Add tag'}
                  </button>
                  <ErrorBox error={error} title="Not added" />
                </form>
              ) : (
                <p class="help">Only an admin can add tags.</p>
              )}
            </>
          )}
        </div>
      </div>
    </div>
  );
}
