import { useState } from 'preact/hooks';
import { enumOptions, fieldLabel, schemaType } from '../schema-util';
import type { JsonSchema } from '../types';

/** The tag fields that make sense to set on many tags at once (not name or address). */
/** Core fields set on many tags at once; a driver's own tag fields (Modbus byteOrder) go after `type`. */
const CORE_BULK_FIELDS = ['type', 'access', 'unit', 'scale', 'offset', 'deadband', 'description'];
/** Fields that differ per tag by nature. */
const PER_TAG_FIELDS = ['name', 'address', 'length'];

interface Props {
  group: string;
  count: number;
  tagSchema: JsonSchema;
  busy: boolean;
  /** `value` undefined: remove the field (the tag falls back to its default). */
  onApply(field: string, value: unknown): void;
  onDelete(): void;
  onClear(): void;
}

/** Shown while tags of a group are ticked: set one column on all of them, or delete them. */
export function BulkEditBar({ group, count, tagSchema, busy, onApply, onDelete, onClear }: Props) {
  const driverFields = Object.keys(tagSchema.properties ?? {}).filter(
    (f) => !CORE_BULK_FIELDS.includes(f) && !PER_TAG_FIELDS.includes(f),
  );
  const fields = ['type', ...driverFields, ...CORE_BULK_FIELDS.slice(1)].filter((f) => tagSchema.properties?.[f]);
  const [field, setField] = useState(fields[0] ?? '');
  const [value, setValue] = useState('');
  const prop = tagSchema.properties?.[field] ?? {};
  const options = enumOptions(prop);
  const numeric = schemaType(prop) === 'number' || schemaType(prop) === 'integer';
  const id = `bulk-${group}`;

  const parsed = (): { ok: boolean; value: unknown } => {
    if (value === '') return { ok: true, value: undefined };
    if (!numeric) return { ok: true, value };
    const n = Number(value);
    return { ok: Number.isFinite(n), value: n };
  };
  const current = parsed();

  return (
    <form
      class="bulk-bar"
      aria-label={`Edit selected tags of ${group}`}
      onSubmit={(e) => {
        e.preventDefault();
        if (current.ok) onApply(field, current.value);
      }}
    >
      <strong>{count} selected</strong>
      <label for={`${id}-field`}>Set</label>
      <select
        id={`${id}-field`}
        value={field}
        onChange={(e) => {
          setField(e.currentTarget.value);
          setValue('');
        }}
      >
        {fields.map((f) => (
          <option key={f} value={f}>
            {fieldLabel(f, tagSchema.properties?.[f] ?? {})}
          </option>
        ))}
      </select>
      <label for={`${id}-value`}>to</label>
      {options ? (
        <select id={`${id}-value`} value={value} onChange={(e) => setValue(e.currentTarget.value)}>
          <option value="">(default)</option>
          {options.map((o) => (
            <option key={String(o)} value={String(o)}>
              {String(o)}
            </option>
          ))}
        </select>
      ) : (
        <input
          id={`${id}-value`}
          type="text"
          inputMode={numeric ? 'decimal' : 'text'}
          placeholder="(empty: default)"
          value={value}
          aria-invalid={!current.ok}
          onInput={(e) => setValue(e.currentTarget.value)}
        />
      )}
      <button type="submit" class="button small primary" disabled={busy || !current.ok}>
        Apply to {count}
      </button>
      <span class="bulk-spacer" />
      <button type="button" class="button small danger-outline" disabled={busy} onClick={onDelete}>
        Delete {count}
      </button>
      <button type="button" class="button small" onClick={onClear}>
        Clear selection
      </button>
    </form>
  );
}
