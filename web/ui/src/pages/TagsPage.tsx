import { useState } from 'preact/hooks';
import { useAlarms } from '../alarms';
import { ApiError } from '../api';
import { StateBadge } from '../components/Badges';
import { BrowsePanel } from '../components/BrowsePanel';
import { CsvImportDialog, tagsCsvPath } from '../components/CsvImportDialog';
import { DecodeLabDialog, type Decoding } from '../components/DecodeLabDialog';
import { CertificateHint } from '../components/DeviceError';
import { ConfirmDialog } from '../components/Dialog';
import { ErrorBox } from '../components/ErrorBox';
import { ModelGroupsCard } from '../components/ModelGroupsCard';
import { RestartButton } from '../components/RestartButton';
import { RowEditor } from '../components/RowEditor';
import { TagTable } from '../components/TagTable';
import { TestReadDialog } from '../components/TestReadDialog';
import { WriteDialog } from '../components/WriteDialog';
import { allTags, computedUsers } from '../computed-tags';
import { EditError, fieldErrors, updateConfig } from '../config-edit';
import { deviceEndpoint } from '../format';
import { useConfig, useDocumentTitle, useLiveValues, useSchema, useStatus } from '../live';
import { usePermissions } from '../me';
import { notify } from '../notice';
import { driverOf, isCertificateUntrusted } from '../plugins';
import { devicePath, Link } from '../router';
import { enumOptions, subSchema, withDefaults } from '../schema-util';
import type { Config, DeviceConfig, DriverSchema, GroupConfig, TagConfig } from '../types';

/** What is being edited inline: a tag of a group, or a group; `original` unset = a new one. */
export type Editing =
  | { kind: 'tag'; group: string; original?: string | undefined; draft: Record<string, unknown> }
  | { kind: 'group'; original?: string | undefined; draft: Record<string, unknown> };

/** Where the decode lab was opened: a saved tag, the tag editor, or the page (a new tag). */
type DecodeFrom =
  | { kind: 'tag'; group: string; tag: TagConfig }
  | { kind: 'editor'; address: string; current: Partial<Decoding> }
  | { kind: 'page' };

type Deleting =
  | { kind: 'tag'; group: string; tag: string }
  | { kind: 'tags'; group: string; tags: string[] }
  | { kind: 'group'; group: string; tags: number };

function deviceIn(config: Config, name: string): { index: number; device: DeviceConfig } {
  const index = config.devices.findIndex((d) => d.name === name);
  const device = config.devices[index];
  if (!device) throw new EditError(`device "${name}" no longer exists; reload the page`);
  return { index, device };
}

function groupIn(device: DeviceConfig, name: string): { index: number; group: GroupConfig } {
  const index = device.groups.findIndex((g) => g.name === name);
  const group = device.groups[index];
  if (!group) throw new EditError(`group "${name}" no longer exists; reload the page`);
  return { index, group };
}

/**
 * What saving a change to a group restarts. Some drivers (Modbus) take new groups while
 * connected (the connection stays open, the other groups keep polling); others set up each
 * group's reads (OPC UA: its subscription) when they connect, so the device restarts.
 */
function restartNote(driver: DriverSchema | undefined): string {
  return driver?.capabilities.liveGroupChanges
    ? 'only its group starts again, the connection stays open'
    : 'the device restarts with it, as its driver sets up each group when it connects';
}

/**
 * A device's groups and tags with live values; tags and groups are edited in place. Devices
 * whose driver can browse (OPC UA) also get the address-space browser (open at once with `browse`).
 */
export function TagsPage({ name, browse }: { name: string; browse?: boolean }) {
  useDocumentTitle(`${name} tags`);
  const { config, error: configError, reload } = useConfig();
  const { schema } = useSchema();
  const { status } = useStatus();
  const values = useLiveValues(name);
  const { alarms } = useAlarms(true);
  const [editing, setEditing] = useState<Editing>();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [errors, setErrors] = useState<Map<string, string[]>>(new Map());
  const [pageError, setPageError] = useState<ApiError>();
  const [writing, setWriting] = useState<TagConfig>();
  const [deleting, setDeleting] = useState<Deleting>();
  const [browsing, setBrowsing] = useState(browse === true);
  const [testRead, setTestRead] = useState<{ address?: string | undefined; type?: string | undefined }>();
  const [importing, setImporting] = useState(false);
  const [decoding, setDecoding] = useState<DecodeFrom>();
  const { configure } = usePermissions();

  const device = config?.devices.find((d) => d.name === name);
  const live = status?.devices.find((d) => d.name === name);
  const driver = driverOf(schema, device?.driver);
  // The driver's own tag schema: the core's fields and the ones it adds (Modbus byteOrder).
  const tagSchema =
    driver?.tag ?? (schema ? subSchema(schema.config, ['devices', '[]', 'groups', '[]', 'tags', '[]']) : undefined);
  const derives = driver?.capabilities.derivesValues === true;
  const usedBy = config ? computedUsers(config) : new Map<string, string[]>();
  const references = derives && config ? allTags(config) : undefined;
  const groupSchema = schema ? subSchema(schema.config, ['devices', '[]', 'groups', '[]']) : undefined;
  const typeSchema = tagSchema?.properties?.type;
  const tagTypes = (typeSchema ? (enumOptions(typeSchema) ?? []) : []).map(String);

  const startEdit = (next: Editing | undefined) => {
    setEditing(next);
    setError(undefined);
    setErrors(new Map());
  };

  const saveEdit = async () => {
    if (!editing) return;
    setSaving(true);
    setError(undefined);
    let prefix = '';
    try {
      await updateConfig((c) => {
        const { index: di, device: dev } = deviceIn(c, name);
        if (editing.kind === 'group') {
          const draft = editing.draft as unknown as Omit<GroupConfig, 'tags'>;
          if (editing.original !== undefined) {
            const { index: gi, group } = groupIn(dev, editing.original);
            dev.groups[gi] = { ...draft, tags: group.tags };
            prefix = `devices[${di}].groups[${gi}].`;
          } else {
            prefix = `devices[${di}].groups[${dev.groups.length}].`;
            dev.groups.push({ ...draft, tags: [] });
          }
        } else {
          const draft = editing.draft as unknown as TagConfig;
          const { index: gi, group } = groupIn(dev, editing.group);
          if (editing.original !== undefined) {
            const ti = group.tags.findIndex((t) => t.name === editing.original);
            if (ti < 0) throw new EditError(`tag "${editing.original}" no longer exists; reload the page`);
            group.tags[ti] = draft;
            prefix = `devices[${di}].groups[${gi}].tags[${ti}].`;
          } else {
            prefix = `devices[${di}].groups[${gi}].tags[${group.tags.length}].`;
            group.tags.push(draft);
          }
        }
      });
      notify(
        `${editing.kind === 'tag' ? 'Tag' : 'Group'} ${String(editing.draft.name)} saved; ${restartNote(driver)}.`,
      );
      startEdit(undefined);
      await reload();
    } catch (err) {
      const apiErr = err instanceof ApiError ? err : new ApiError(0, 'edit', (err as Error).message);
      setError(apiErr);
      setErrors(fieldErrors(apiErr.details, prefix));
    } finally {
      setSaving(false);
    }
  };

  const confirmDelete = async (what: Deleting) => {
    setDeleting(undefined);
    setPageError(undefined);
    try {
      await updateConfig((c) => {
        const { device: dev } = deviceIn(c, name);
        if (what.kind === 'group') dev.groups = dev.groups.filter((g) => g.name !== what.group);
        else {
          const { group } = groupIn(dev, what.group);
          const gone = new Set(what.kind === 'tag' ? [what.tag] : what.tags);
          group.tags = group.tags.filter((t) => !gone.has(t.name));
        }
      });
      notify(
        what.kind === 'group'
          ? `Group ${what.group} deleted`
          : what.kind === 'tag'
            ? `Tag ${what.tag} deleted`
            : `${what.tags.length} tags deleted`,
      );
      await reload();
    } catch (err) {
      setPageError(err instanceof ApiError ? err : new ApiError(0, 'edit', (err as Error).message));
    }
  };

  /** Sets `field` on every named tag of the group; errors are shown above the tables. */
  const bulkEdit = async (groupName: string, tags: string[], field: string, value: unknown): Promise<boolean> => {
    setPageError(undefined);
    try {
      await updateConfig((c) => {
        const { device: dev } = deviceIn(c, name);
        const { group } = groupIn(dev, groupName);
        const names = new Set(tags);
        for (const tag of group.tags) {
          if (!names.has(tag.name)) continue;
          const fields = tag as unknown as Record<string, unknown>;
          if (value === undefined) delete fields[field];
          else fields[field] = value;
        }
      });
      notify(
        `${field} ${value === undefined ? 'reset to its default' : `set to ${String(value)}`} on ${tags.length} tags; ${restartNote(driver)}.`,
      );
      await reload();
      return true;
    } catch (err) {
      setPageError(err instanceof ApiError ? err : new ApiError(0, 'edit', (err as Error).message));
      return false;
    }
  };

  const applyDecoding = async (from: DecodeFrom, choice: Decoding & { address: string }) => {
    if (from.kind === 'editor') {
      if (editing?.kind === 'tag') setEditing({ ...editing, draft: { ...editing.draft, ...choice } });
      setDecoding(undefined);
      return;
    }
    if (from.kind === 'page') {
      const first = device?.groups[0];
      if (!first) {
        notify('Add a group first: tags live in groups.', 'error');
        return;
      }
      setDecoding(undefined);
      startEdit({ kind: 'tag', group: first.name, draft: withDefaults(tagSchema ?? {}, { name: '', ...choice }) });
      return;
    }
    setPageError(undefined);
    try {
      await updateConfig((c) => {
        const { device: dev } = deviceIn(c, name);
        const { group } = groupIn(dev, from.group);
        const tag = group.tags.find((t) => t.name === from.tag.name);
        if (!tag) throw new EditError(`tag "${from.tag.name}" no longer exists; reload the page`);
        Object.assign(tag, choice);
      });
      notify(`${from.tag.name} now reads ${choice.type} · ${choice.byteOrder}; ${restartNote(driver)}.`);
      setDecoding(undefined);
      await reload();
    } catch (err) {
      setDecoding(undefined);
      setPageError(err instanceof ApiError ? err : new ApiError(0, 'edit', (err as Error).message));
    }
  };

  if (configError) return <ErrorBox error={configError} title="Cannot read the configuration" />;
  if (!config) return <p class="muted">Loading…</p>;
  if (!device) {
    return (
      <section>
        <h1>Device not found</h1>
        <p>
          There is no device named <strong>{name}</strong>. <Link href="/devices">Back to the devices</Link>
        </p>
      </section>
    );
  }

  const model = config.models.find((m) => m.name === device.model);
  const canBrowse = driver?.capabilities.browse === true;
  const canDecode = driver?.capabilities.decodeLab === true;
  const deviceByteOrder = typeof device.settings.byteOrder === 'string' ? device.settings.byteOrder : 'ABCD';
  const newGroupDraft = () => {
    const draft = groupSchema ? withDefaults(groupSchema, { name: device.groups.length === 0 ? 'main' : '' }) : {};
    delete draft.tags;
    return draft;
  };

  return (
    <section>
      <nav class="breadcrumbs" aria-label="Breadcrumb">
        <Link href="/devices">Devices</Link> <span aria-hidden="true">›</span> {name}
      </nav>
      <div class="page-head">
        <h1>{name}</h1>
        <StateBadge state={live?.state ?? (device.enabled ? 'connecting' : 'disabled')} />
        <span class="muted">
          {device.driver} · <code>{deviceEndpoint(device.settings)}</code>
        </span>
        <div class="page-actions">
          {canBrowse ? (
            <button
              type="button"
              class={`button${browsing ? ' is-on' : ''}`}
              aria-pressed={browsing}
              onClick={() => setBrowsing(!browsing)}
            >
              Browse server
            </button>
          ) : null}
          {driver?.capabilities.testRead ? (
            <button type="button" class="button" onClick={() => setTestRead({})}>
              Test read
            </button>
          ) : null}
          {canDecode ? (
            <button type="button" class="button" onClick={() => setDecoding({ kind: 'page' })}>
              Decode lab
            </button>
          ) : null}
          <RestartButton device={name} />
          {configure ? (
            <>
              <Link class="button" href={devicePath(name, '/edit')}>
                Edit device
              </Link>
              <button
                type="button"
                class="button primary"
                onClick={() => startEdit({ kind: 'group', draft: newGroupDraft() })}
              >
                + Add group
              </button>
            </>
          ) : null}
        </div>
      </div>
      {isCertificateUntrusted(live?.error) ? (
        <div class="banner banner-bad">
          Last error: <strong>{live?.error}</strong>.
          <CertificateHint />
        </div>
      ) : live?.error ? (
        <p class="banner banner-bad">
          Last error: <strong>{live.error}</strong>. The gateway keeps retrying; check the device's address and network.
        </p>
      ) : null}
      {!device.enabled ? (
        <p class="banner">This device is disabled: it is not polled and its tags cannot be written.</p>
      ) : null}
      <ErrorBox error={pageError} />
      <ErrorBox error={values.error} title="Live values are not updating" />

      {canBrowse && browsing ? (
        <BrowsePanel
          device={device}
          tagSchema={tagSchema}
          groupSchema={groupSchema}
          onClose={() => setBrowsing(false)}
          onAdded={reload}
          onTestRead={(address) => setTestRead({ address })}
        />
      ) : null}

      {model ? <ModelGroupsCard model={model} device={device} /> : null}
      {device.groups.length === 0 && !model && editing?.kind !== 'group' ? (
        <div class="card empty-card">
          <h2>No tags yet</h2>
          <p>
            Tags are read in <strong>groups</strong>: all tags of a group are read together, every interval you set.{' '}
            {configure ? 'Add a group, then add its tags.' : 'Only an admin can add them.'}
            {configure && canBrowse ? ' Or browse the server and pick variables.' : ''}
          </p>
          {configure ? (
            <button
              type="button"
              class="button primary"
              onClick={() => startEdit({ kind: 'group', draft: newGroupDraft() })}
            >
              + Add group
            </button>
          ) : null}
        </div>
      ) : null}

      {editing?.kind === 'group' && editing.original === undefined && groupSchema ? (
        <div class="card group-card">
          <RowEditor
            title="New group"
            schema={groupSchema}
            omit={derives ? ['tags'] : ['tags', 'trigger']}
            value={editing.draft}
            onChange={(draft) => setEditing({ ...editing, draft })}
            errors={errors}
            error={error}
            idPrefix="group-new"
            saving={saving}
            saveLabel="Add group"
            onSave={() => void saveEdit()}
            onCancel={() => startEdit(undefined)}
          />
        </div>
      ) : null}

      {device.groups.map((group) => {
        const groupStatus = live?.groups.find((g) => g.name === group.name);
        const editingGroup = editing?.kind === 'group' && editing.original === group.name;
        return (
          <div class="card group-card" key={group.name} data-group={group.name}>
            {editingGroup && groupSchema ? (
              <RowEditor
                title={`Group ${group.name}`}
                schema={groupSchema}
                omit={derives ? ['tags'] : ['tags', 'trigger']}
                value={editing.draft}
                onChange={(draft) => setEditing({ ...editing, draft })}
                errors={errors}
                error={error}
                idPrefix={`group-${group.name}`}
                saving={saving}
                saveLabel="Save group"
                onSave={() => void saveEdit()}
                onCancel={() => startEdit(undefined)}
              />
            ) : (
              <div class="group-head">
                <h2>
                  <span class="muted">Group</span> {group.name}
                </h2>
                <span class="chip">
                  every {group.intervalMs >= 1000 ? `${group.intervalMs / 1000} s` : `${group.intervalMs} ms`}
                </span>
                <span class="chip">
                  {group.publish === 'change' ? 'on change' : 'every read'}
                  {group.publish === 'change' && group.heartbeatMs > 0
                    ? `, heartbeat ${group.heartbeatMs / 1000} s`
                    : ''}
                </span>
                {groupStatus && groupStatus.overruns > 0 ? (
                  <span class="chip chip-warn" title="Reads skipped because the previous read was still running">
                    {groupStatus.overruns} overruns
                  </span>
                ) : null}
                {configure ? (
                  <div class="group-actions">
                    <button
                      type="button"
                      class="button small"
                      onClick={() => {
                        const { tags: _tags, ...draft } = group;
                        startEdit({ kind: 'group', original: group.name, draft });
                      }}
                    >
                      Edit group
                    </button>
                    <button
                      type="button"
                      class="button small danger-outline"
                      onClick={() => setDeleting({ kind: 'group', group: group.name, tags: group.tags.length })}
                    >
                      Delete group
                    </button>
                  </div>
                ) : null}
              </div>
            )}
            {tagSchema ? (
              <TagTable
                device={name}
                group={group}
                tagSchema={tagSchema}
                values={values}
                alarmsOf={(tag) => alarms?.filter((a) => a.device === name && a.tag === tag) ?? []}
                editing={editing?.kind === 'tag' && editing.group === group.name ? editing : undefined}
                onEdit={startEdit}
                onDraft={(draft) => editing && setEditing({ ...editing, draft })}
                errors={errors}
                error={error}
                saving={saving}
                onSave={() => void saveEdit()}
                onWrite={setWriting}
                onDelete={(tag) => setDeleting({ kind: 'tag', group: group.name, tag })}
                onBulkEdit={(tags, field, value) => bulkEdit(group.name, tags, field, value)}
                onBulkDelete={(tags) => setDeleting({ kind: 'tags', group: group.name, tags })}
                onTestRead={
                  driver?.capabilities.testRead ? (address, type) => setTestRead({ address, type }) : undefined
                }
                references={references}
                usedBy={(tag) => usedBy.get(`${name}/${tag}`) ?? []}
                onDecode={
                  canDecode
                    ? (tag) =>
                        setDecoding(
                          tag
                            ? { kind: 'tag', group: group.name, tag }
                            : {
                                kind: 'editor',
                                address: String(editing?.draft.address ?? ''),
                                current: {
                                  type: String(editing?.draft.type ?? 'uint16'),
                                  byteOrder: String(editing?.draft.byteOrder ?? deviceByteOrder),
                                },
                              },
                        )
                    : undefined
                }
              />
            ) : null}
          </div>
        );
      })}

      <div class="csv-bar" data-testid="tags-csv">
        <span>
          <strong>Tags as CSV</strong> <span class="muted">— edit them in a spreadsheet</span>
        </span>
        <a class="button small" href={tagsCsvPath(name)} download={`${name}-tags.csv`}>
          Export CSV
        </a>
        {configure ? (
          <button type="button" class="button small" onClick={() => setImporting(true)}>
            Import CSV…
          </button>
        ) : null}
      </div>

      {testRead ? (
        <TestReadDialog
          device={name}
          address={testRead.address}
          type={testRead.type}
          types={tagTypes}
          typeDefault={driver ? `Default: ${driver.address.typeDefault}` : 'Default for the address'}
          examples={driver?.address.examples.map((e) => e.address)}
          onClose={() => setTestRead(undefined)}
        />
      ) : null}
      {decoding ? (
        <DecodeLabDialog
          device={name}
          address={
            decoding.kind === 'tag' ? decoding.tag.address : decoding.kind === 'editor' ? decoding.address : undefined
          }
          current={
            decoding.kind === 'tag'
              ? { type: decoding.tag.type ?? 'uint16', byteOrder: String(decoding.tag.byteOrder ?? deviceByteOrder) }
              : decoding.kind === 'editor'
                ? decoding.current
                : undefined
          }
          applyLabel={
            decoding.kind === 'tag'
              ? `Use for ${decoding.tag.name}`
              : decoding.kind === 'editor'
                ? 'Use in the tag'
                : 'Add a tag with'
          }
          onApply={(choice) => applyDecoding(decoding, choice)}
          onClose={() => setDecoding(undefined)}
        />
      ) : null}
      {importing ? <CsvImportDialog device={name} onClose={() => setImporting(false)} onImported={reload} /> : null}
      {writing ? (
        <WriteDialog
          device={name}
          tag={writing}
          live={values.get(name, writing.name)}
          onClose={() => setWriting(undefined)}
        />
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title={
            deleting.kind === 'group'
              ? `Delete group ${deleting.group}?`
              : deleting.kind === 'tag'
                ? `Delete tag ${deleting.tag}?`
                : `Delete ${deleting.tags.length} tags?`
          }
          message={
            deleting.kind === 'group'
              ? `The group ${deleting.group} and its ${deleting.tags} tags are removed. The configuration history keeps the previous version.`
              : deleting.kind === 'tag'
                ? `The tag ${deleting.tag} is removed and no longer published.`
                : `${deleting.tags.join(', ')} are removed and no longer published.`
          }
          confirmLabel={
            deleting.kind === 'group' ? 'Delete group' : deleting.kind === 'tag' ? 'Delete tag' : 'Delete tags'
          }
          onCancel={() => setDeleting(undefined)}
          onConfirm={() => void confirmDelete(deleting)}
        />
      ) : null}
    </section>
  );
}
