import { useEffect, useState } from 'preact/hooks';
import type { AlarmStatus } from '../../../../core/alarms/alarm-types';
import { alarmStateText } from '../alarms';
import type { ApiError } from '../api';
import { aggregateOf } from '../computed-tags';
import { formatTimestamp, formatValue } from '../format';
import { usePermissions } from '../me';
import type { Editing } from '../pages/TagsPage';
import { devicePath, Link } from '../router';
import { withDefaults } from '../schema-util';
import type { GroupConfig, JsonSchema, TagConfig, ValueRow } from '../types';
import { AlarmsEditor } from './AlarmsEditor';
import { QualityBadge } from './Badges';
import { BulkEditBar } from './BulkEditBar';
import { ExpressionPreview } from './ExpressionPreview';
import { RowActions } from './RowActions';
import { RowEditor } from './RowEditor';

const COLUMNS = 9;

interface Props {
  device: string;
  group: GroupConfig;
  tagSchema: JsonSchema;
  values: { get(device: string, tag: string): ValueRow | undefined };
  editing: Extract<Editing, { kind: 'tag' }> | undefined;
  onEdit(next: Editing | undefined): void;
  onDraft(draft: Record<string, unknown>): void;
  errors: Map<string, string[]>;
  error: ApiError | undefined;
  saving: boolean;
  onSave(): void;
  onWrite(tag: TagConfig): void;
  onDelete(tag: string): void;
  /** Opens the test read of an address (with its type, if any). */
  /** Absent when the device's driver cannot read one address on demand. */
  onTestRead?: ((address: string, type: string | undefined) => void) | undefined;
  /** Sets one field on many tags; resolves true when saved (the selection is then cleared). */
  onBulkEdit(tags: string[], field: string, value: unknown): Promise<boolean>;
  onBulkDelete(tags: string[]): void;
  /** Opens the decode lab for a saved tag, or for the tag being edited (Modbus only). */
  onDecode?: ((tag: TagConfig | undefined) => void) | undefined;
  /** The alarms of a tag of this device as they stand now (badges on the rows). */
  alarmsOf?: ((tag: string) => AlarmStatus[]) | undefined;
  /** Set for a device whose tags are computed: every tag of the gateway as `device/tag`, for references. */
  references?: readonly string[] | undefined;
  /** The computed tags (`device/tag`) that use a tag of this device. */
  usedBy(tag: string): string[];
}

/** Addresses of whole registers: the ones the decode lab can show as numbers. */
export const isRegisterAddress = (address: string) => /^\s*((hr|ir):\d+|[34]\d{4,5})\s*$/.test(address);
const decodable = (tag: { address?: unknown; type?: unknown }) =>
  isRegisterAddress(String(tag.address ?? '')) && tag.type !== 'bool' && tag.type !== 'string';

/** Fields that do not apply: a computed tag has no address, byte order, length or scaling; a read tag no formula. */
const COMPUTED_OMITS = ['address', 'byteOrder', 'length', 'scale', 'offset', 'alarms'];
const READ_OMITS = ['expression', 'aggregate', 'alarms'];

const ACCESS_LABEL: Record<TagConfig['access'], string> = { read: 'read', readwrite: 'read/write', write: 'write' };

/** One group's tags with live value, quality and timestamp; a row turns into its editor in place. */
export function TagTable(props: Props) {
  const { device, group, tagSchema, values, editing, onEdit, onDraft, errors, error, saving, onSave } = props;
  const { configure, operate } = usePermissions();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [bulkBusy, setBulkBusy] = useState(false);
  const columns = COLUMNS + (configure ? 1 : 0);
  // Names that no longer exist (deleted, renamed) drop out of the selection, so that a tag
  // added again later under the same name is not ticked already.
  useEffect(() => {
    const names = new Set(group.tags.map((t) => t.name));
    if ([...selected].some((n) => !names.has(n))) setSelected(new Set([...selected].filter((n) => names.has(n))));
  }, [group.tags]);
  const picked = group.tags.filter((t) => selected.has(t.name)).map((t) => t.name);
  const allPicked = picked.length > 0 && picked.length === group.tags.length;
  const toggle = (name: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(name);
    else next.delete(name);
    setSelected(next);
  };

  const editorRow = (title: string, key: string) =>
    editing ? (
      <tr class="edit-row" key={key}>
        <td colSpan={columns}>
          <RowEditor
            title={title}
            schema={tagSchema}
            value={editing.draft}
            onChange={onDraft}
            errors={errors}
            error={error}
            idPrefix={`tag-${group.name}`}
            omit={props.references ? COMPUTED_OMITS : READ_OMITS}
            saving={saving}
            saveLabel={editing.original === undefined ? 'Add tag' : 'Save tag'}
            onSave={onSave}
            onCancel={() => onEdit(undefined)}
          >
            <AlarmsEditor
              alarms={editing.draft.alarms as TagConfig['alarms']}
              tagType={typeof editing.draft.type === 'string' ? editing.draft.type : undefined}
              onChange={(alarms) => {
                const { alarms: _old, ...rest } = editing.draft;
                onDraft(alarms ? { ...rest, alarms } : rest);
              }}
            />
            {props.references ? (
              <ExpressionPreview
                expression={draftFormula(editing.draft)}
                references={props.references}
                onChange={(next) => onDraft(withFormula(editing.draft, next))}
              />
            ) : null}
            {props.onTestRead ? (
              <button
                type="button"
                class="button small test-read-button"
                disabled={!String(editing.draft.address ?? '').trim()}
                onClick={() =>
                  props.onTestRead?.(
                    String(editing.draft.address ?? ''),
                    typeof editing.draft.type === 'string' ? editing.draft.type : undefined,
                  )
                }
              >
                Test read this address
              </button>
            ) : null}
            {props.onDecode ? (
              <button
                type="button"
                class="button small"
                disabled={!decodable(editing.draft)}
                title="Show the registers at this address in every type and byte order"
                onClick={() => props.onDecode?.(undefined)}
              >
                Decode lab
              </button>
            ) : null}
          </RowEditor>
        </td>
      </tr>
    ) : null;

  const addTag = (
    base: Partial<TagConfig> = props.references ? { name: '', expression: '' } : { name: '', address: '' },
  ) => onEdit({ kind: 'tag', group: group.name, draft: withDefaults(tagSchema, base as Record<string, unknown>) });

  return (
    <>
      {configure && picked.length > 0 ? (
        <BulkEditBar
          group={group.name}
          count={picked.length}
          tagSchema={tagSchema}
          busy={bulkBusy}
          onApply={async (field, value) => {
            setBulkBusy(true);
            try {
              if (await props.onBulkEdit(picked, field, value)) setSelected(new Set());
            } finally {
              setBulkBusy(false);
            }
          }}
          onDelete={() => props.onBulkDelete(picked)}
          onClear={() => setSelected(new Set())}
        />
      ) : null}
      <div class="table-wrap">
        <table class="data-table tag-table" data-testid={`tags-${group.name}`}>
          <thead>
            <tr>
              {configure ? (
                <th class="select-col">
                  <input
                    type="checkbox"
                    aria-label={`Select all tags of ${group.name}`}
                    checked={allPicked}
                    disabled={group.tags.length === 0}
                    onChange={(e) => setSelected(new Set(e.currentTarget.checked ? group.tags.map((t) => t.name) : []))}
                  />
                </th>
              ) : null}
              <th>Name</th>
              <th class="col-phone-hide">Address</th>
              <th class="col-phone-hide">Type</th>
              <th class="col-optional">Access</th>
              <th class="col-phone-hide">Unit</th>
              <th class="num">Value</th>
              <th>Quality</th>
              <th class="col-phone-hide">Timestamp</th>
              <th class="actions-col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {group.tags.length === 0 && !editing ? (
              <tr>
                <td colSpan={columns} class="empty-row">
                  No tags in this group yet.
                </td>
              </tr>
            ) : null}
            {group.tags.map((tag) => {
              if (editing?.original === tag.name) return editorRow(`Tag ${tag.name}`, tag.name);
              const v = values.get(device, tag.name);
              const writable = tag.access !== 'read' && operate;
              return (
                <tr key={tag.name} data-tag={tag.name} class={selected.has(tag.name) ? 'is-selected' : undefined}>
                  {configure ? (
                    <td class="select-col">
                      <input
                        type="checkbox"
                        aria-label={`Select ${tag.name}`}
                        checked={selected.has(tag.name)}
                        onChange={(e) => toggle(tag.name, e.currentTarget.checked)}
                      />
                    </td>
                  ) : null}
                  <td class="tag-name">
                    <span class="tag-title">{tag.name}</span>
                    {(props.alarmsOf?.(tag.name) ?? [])
                      .filter((a) => a.state === 'active' || !a.acked)
                      .map((a) => (
                        <span
                          key={a.id}
                          class={`badge alarm-badge severity-${a.severity}`}
                          data-testid="alarm-badge"
                          title={`${alarmStateText(a)}: ${a.message}`}
                        >
                          {a.alarm}
                          {a.acked ? '' : ' !'}
                        </span>
                      ))}
                    {tag.description ? <div class="cell-note">{tag.description}</div> : null}
                    <UsedBy references={props.usedBy(tag.name)} />
                    {v?.topic ? (
                      <div class="topic" title="MQTT topic (UNS)">
                        <Topic topic={v.topic} />
                      </div>
                    ) : null}
                  </td>
                  <td class="address-cell col-phone-hide">
                    {tag.address === undefined ? (
                      <Formula tag={tag} />
                    ) : (
                      <>
                        <Address address={tag.address} />
                        {props.onTestRead ? (
                          <button
                            type="button"
                            class="link-button"
                            aria-label={`Test read ${tag.name}`}
                            title="Read this address once, now"
                            onClick={() => props.onTestRead?.(tag.address ?? '', tag.type)}
                          >
                            test read
                          </button>
                        ) : null}
                        {props.onDecode && decodable(tag) ? (
                          <button
                            type="button"
                            class="link-button"
                            aria-label={`Decode ${tag.name}`}
                            title="Show the registers in every type and byte order, and pick the right one"
                            onClick={() => props.onDecode?.(tag)}
                          >
                            decode
                          </button>
                        ) : null}
                      </>
                    )}
                  </td>
                  <td class="col-phone-hide">
                    {tag.type ?? <span class="muted">default</span>}
                    {tag.byteOrder ? <span class="cell-note"> {tag.byteOrder}</span> : null}
                  </td>
                  <td class="col-optional">
                    <span class={`access access-${tag.access}`}>{ACCESS_LABEL[tag.access]}</span>
                  </td>
                  <td class="col-phone-hide">{tag.unit ?? ''}</td>
                  <td class="num value-cell" data-testid="value">
                    <span class="value flash" key={v?.timestamp}>
                      {formatValue(v?.value)}
                    </span>
                  </td>
                  <td>
                    <QualityBadge quality={v?.quality} error={v?.error} />
                  </td>
                  <td class="timestamp col-phone-hide">{formatTimestamp(v?.timestamp)}</td>
                  <td class="actions">
                    {writable ? (
                      <button type="button" class="button small accent" onClick={() => props.onWrite(tag)}>
                        Write
                      </button>
                    ) : null}
                    {configure ? (
                      <RowActions label={`More actions for ${tag.name}`}>
                        <button
                          type="button"
                          class="button small"
                          onClick={() =>
                            onEdit({ kind: 'tag', group: group.name, original: tag.name, draft: { ...tag } })
                          }
                        >
                          Edit
                        </button>
                        <button
                          type="button"
                          class="button small col-optional"
                          title="Add a copy of this tag"
                          onClick={() => addTag({ ...tag, name: `${tag.name}-copy` })}
                        >
                          Copy
                        </button>
                        <button
                          type="button"
                          class="button small danger-outline"
                          aria-label={`Delete ${tag.name}`}
                          onClick={() => props.onDelete(tag.name)}
                        >
                          Delete
                        </button>
                      </RowActions>
                    ) : null}
                  </td>
                </tr>
              );
            })}
            {editing && editing.original === undefined ? editorRow('New tag', '\u0000new') : null}
          </tbody>
        </table>
      </div>
      {(editing?.original === undefined && editing) || !configure ? null : (
        <div class="group-foot">
          <button type="button" class="button small" onClick={() => addTag()}>
            + Add tag
          </button>
        </div>
      )}
    </>
  );
}

/** The formula of a computed tag being edited: its expression, or its aggregate's input. */
function draftFormula(draft: Record<string, unknown>): string {
  if (typeof draft.expression === 'string') return draft.expression;
  const aggregate = draft.aggregate as { of?: unknown } | undefined;
  return typeof aggregate?.of === 'string' ? aggregate.of : '';
}

function withFormula(draft: Record<string, unknown>, formula: string): Record<string, unknown> {
  const aggregate = draft.aggregate as Record<string, unknown> | undefined;
  if (aggregate && draft.expression === undefined) return { ...draft, aggregate: { ...aggregate, of: formula } };
  return { ...draft, expression: formula };
}

/** What a computed tag is computed by, in place of an address. */
function Formula({ tag }: { tag: TagConfig }) {
  const aggregate = aggregateOf(tag);
  if (aggregate) {
    const { function: fn, of, windowMs } = aggregate;
    const per = windowMs % 1000 === 0 ? `${windowMs / 1000} s` : `${windowMs} ms`;
    return (
      <code class="formula">
        {fn} of {of} per {per}
      </code>
    );
  }
  return <code class="formula">{typeof tag.expression === 'string' ? tag.expression : ''}</code>;
}

/** Links to the computed tags that use this tag. */
function UsedBy({ references }: { references: string[] }) {
  if (references.length === 0) return null;
  return (
    <div class="cell-note used-by">
      used by{' '}
      {references.map((r, i) => {
        const slash = r.indexOf('/');
        return (
          <span key={r}>
            {i > 0 ? ', ' : ''}
            <Link href={devicePath(r.slice(0, slash), '/tags')}>{`{${r}}`}</Link>
          </span>
        );
      })}
    </div>
  );
}

/** An address that wraps only after its `.`, `;` and `:` (long OPC UA NodeIds). */
function Address({ address }: { address: string }) {
  const parts = address.split(/(?<=[.;:])/);
  return (
    <code>
      {parts.map((p, i) => (
        <span key={i}>
          {p}
          {i < parts.length - 1 ? <wbr /> : null}
        </span>
      ))}
    </code>
  );
}

/** A topic that wraps only at its `/` separators. */
function Topic({ topic }: { topic: string }) {
  const parts = topic.split('/');
  return (
    <>
      {parts.map((p, i) => (
        <span key={i}>
          {p}
          {i < parts.length - 1 ? (
            <>
              /<wbr />
            </>
          ) : null}
        </span>
      ))}
    </>
  );
}
