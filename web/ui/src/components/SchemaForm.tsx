import type { ComponentChildren } from 'preact';
import { nestedErrors } from '../config-edit';
import { enumOptions, fieldLabel, isSecret, schemaType } from '../schema-util';
import type { JsonSchema } from '../types';

export interface SchemaFormProps {
  /** An object schema (a driver's or north plugin's `settings`, a group, a tag). */
  schema: JsonSchema;
  value: Record<string, unknown>;
  onChange(next: Record<string, unknown>): void;
  /** Messages keyed by property path relative to this form (`port`, `tls.ca`). */
  errors?: Map<string, string[]> | undefined;
  /** Unique prefix for element ids (labels point at their inputs). */
  idPrefix: string;
  /** Values offered while typing (e.g. serial port paths), per property. */
  suggestions?: Record<string, string[]> | undefined;
  /** Properties not shown here (edited elsewhere). */
  omit?: string[];
  /** `compact` puts more fields on a row (inline tag editing). */
  layout?: 'normal' | 'compact';
  /** Placeholder text per property (e.g. what an empty optional field means). */
  placeholders?: Record<string, string> | undefined;
  /** Fields rendered first in the same grid (e.g. a driver picker). */
  prepend?: ComponentChildren;
}

/**
 * A form generated from a JSON Schema: labels from `title` (or the property name), help from
 * `description`, defaults and ranges shown, enums as selects, booleans as checkboxes, secrets
 * (`x-ui.secret`) as password inputs, nested objects as fieldsets. Values are not checked
 * here: the gateway validates the whole document and its messages appear under each field.
 */
export function SchemaForm(props: SchemaFormProps) {
  const { schema, value, onChange, errors, idPrefix, suggestions, omit = [], layout = 'normal', placeholders } = props;
  const required = new Set(schema.required ?? []);
  // Nested objects (TLS, buffer) after the plain fields, so that the grid stays even.
  const isGroup = (s: JsonSchema) => schemaType(s) === 'object' && s.properties !== undefined;
  const entries = Object.entries(schema.properties ?? {})
    .filter(([key]) => !omit.includes(key))
    .sort(([, a], [, b]) => Number(isGroup(a)) - Number(isGroup(b)));
  const basic = entries.filter(([, s]) => s['x-ui']?.advanced !== true);
  const advanced = entries.filter(([, s]) => s['x-ui']?.advanced === true);

  const set = (key: string, v: unknown) => {
    const next = { ...value };
    if (v === undefined) delete next[key];
    else next[key] = v;
    onChange(next);
  };

  const render = ([key, s]: [string, JsonSchema]) => (
    <SchemaField
      key={key}
      name={key}
      schema={s}
      value={value[key]}
      required={required.has(key)}
      onChange={(v) => set(key, v)}
      errors={errors}
      id={`${idPrefix}-${key}`}
      suggestions={suggestions?.[key]}
      placeholder={placeholders?.[key]}
    />
  );

  return (
    <div class={`schema-form schema-form-${layout}`}>
      {props.prepend}
      {basic.map(render)}
      {advanced.length > 0 ? (
        <details class="advanced" open={advanced.some(([k]) => hasErrors(errors, k))}>
          <summary>More settings</summary>
          <div class={`schema-form schema-form-${layout}`}>{advanced.map(render)}</div>
        </details>
      ) : null}
    </div>
  );
}

function hasErrors(errors: Map<string, string[]> | undefined, key: string): boolean {
  if (!errors) return false;
  for (const k of errors.keys()) if (k === key || k.startsWith(`${key}.`)) return true;
  return false;
}

interface FieldProps {
  name: string;
  schema: JsonSchema;
  value: unknown;
  required: boolean;
  onChange(v: unknown): void;
  errors: Map<string, string[]> | undefined;
  id: string;
  suggestions: string[] | undefined;
  placeholder: string | undefined;
}

function SchemaField({ name, schema, value, required, onChange, errors, id, suggestions, placeholder }: FieldProps) {
  const type = schemaType(schema);
  const options = enumOptions(schema);
  const label = fieldLabel(name, schema);
  const messages = errors?.get(name) ?? [];

  if (type === 'object' && schema.properties) {
    const nested = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
    const nestedErr = nestedErrors(errors, name);
    const hasValues = Object.keys(nested).length > 0;
    return (
      <details class="field-group" open={required || hasValues || nestedErr.size > 0 || messages.length > 0}>
        <summary>
          {label} <code class="field-key">{name}</code>
        </summary>
        {schema.description ? <p class="help">{schema.description}</p> : null}
        <FieldErrors messages={messages} />
        <SchemaForm
          schema={schema}
          value={nested}
          idPrefix={id}
          errors={nestedErr}
          onChange={(next) => onChange(Object.keys(next).length === 0 && !required ? undefined : next)}
        />
      </details>
    );
  }

  let control: ComponentChildren;
  if (type === 'boolean' && !options) {
    const checked = value === undefined ? schema.default === true : value === true;
    return (
      <div class={`field field-checkbox${messages.length ? ' has-error' : ''}`}>
        <div class="field-head">
          <label class="checkbox" for={id}>
            <input
              id={id}
              type="checkbox"
              checked={checked}
              onChange={(e) => onChange(e.currentTarget.checked)}
              aria-describedby={`${id}-help`}
            />
            <span>{label}</span>
          </label>
          <code class="field-key">{name}</code>
        </div>
        <Help id={`${id}-help`} schema={schema} />
        <FieldErrors messages={messages} />
      </div>
    );
  }

  if (options) {
    const index = options.indexOf(value);
    const blank =
      schema.default !== undefined ? `Default (${String(schema.default)})` : required ? 'Choose…' : 'Default';
    control = (
      <select
        id={id}
        value={index >= 0 ? String(index) : ''}
        onChange={(e) => {
          const i = e.currentTarget.value;
          onChange(i === '' ? undefined : options[Number(i)]);
        }}
        aria-invalid={messages.length > 0}
      >
        {index < 0 || !required || schema.default !== undefined ? <option value="">{blank}</option> : null}
        {options.map((o, i) => (
          <option key={String(o)} value={String(i)}>
            {String(o)}
          </option>
        ))}
      </select>
    );
  } else if (type === 'integer' || type === 'number') {
    control = (
      <input
        id={id}
        type="number"
        inputMode={type === 'integer' ? 'numeric' : 'decimal'}
        step={type === 'integer' ? 1 : 'any'}
        value={typeof value === 'number' ? String(value) : ''}
        placeholder={schema.default !== undefined ? String(schema.default) : ''}
        onInput={(e) => {
          const raw = e.currentTarget.value;
          onChange(raw === '' ? undefined : Number(raw));
        }}
        aria-invalid={messages.length > 0}
      />
    );
  } else if (type === 'array' && schemaType(schema.items ?? {}) === 'string') {
    control = (
      <input
        id={id}
        type="text"
        value={Array.isArray(value) ? value.join(', ') : ''}
        placeholder="comma-separated"
        onChange={(e) => {
          const parts = e.currentTarget.value
            .split(',')
            .map((p) => p.trim())
            .filter(Boolean);
          onChange(parts.length === 0 && !required ? undefined : parts);
        }}
        aria-invalid={messages.length > 0}
      />
    );
  } else if (isSecret(schema)) {
    control = (
      <input
        id={id}
        type="password"
        autocomplete="new-password"
        value={typeof value === 'string' ? value : ''}
        onInput={(e) => {
          const raw = e.currentTarget.value;
          onChange(raw === '' && !required ? undefined : raw);
        }}
        aria-invalid={messages.length > 0}
        aria-describedby={`${id}-help`}
      />
    );
  } else {
    const listId = suggestions?.length ? `${id}-suggestions` : undefined;
    control = (
      <>
        <input
          id={id}
          type="text"
          autocomplete="off"
          spellcheck={false}
          value={typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value)}
          placeholder={placeholder ?? (schema.default !== undefined ? String(schema.default) : '')}
          list={listId}
          onInput={(e) => {
            const raw = e.currentTarget.value;
            onChange(raw === '' && !required ? undefined : raw);
          }}
          aria-invalid={messages.length > 0}
          aria-describedby={`${id}-help`}
        />
        {listId ? (
          <datalist id={listId}>
            {suggestions?.map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
        ) : null}
      </>
    );
  }

  return (
    <div class={`field${messages.length ? ' has-error' : ''}`}>
      <div class="field-head">
        <label for={id} class="field-label">
          {label}
        </label>
        {required && schema.default === undefined ? <span class="required">required</span> : null}
        <code class="field-key">{name}</code>
      </div>
      {control}
      <Help id={`${id}-help`} schema={schema} />
      <FieldErrors messages={messages} />
    </div>
  );
}

function Help({ id, schema }: { id: string; schema: JsonSchema }) {
  const parts: string[] = [];
  if (schema.minimum !== undefined && schema.maximum !== undefined) {
    parts.push(`${schema.minimum} – ${schema.maximum}`);
  } else if (schema.minimum !== undefined) parts.push(`≥ ${schema.minimum}`);
  else if (schema.maximum !== undefined) parts.push(`≤ ${schema.maximum}`);
  if (schema.default !== undefined && typeof schema.default !== 'object' && typeof schema.default !== 'boolean') {
    parts.push(`default ${String(schema.default)}`);
  }
  if (!schema.description && parts.length === 0 && !schema.patternHint) return null;
  return (
    <p class="help" id={id}>
      {schema.description}
      {schema.patternHint && !schema.description ? `Use ${schema.patternHint}.` : null}
      {parts.length ? <span class="help-meta"> ({parts.join(', ')})</span> : null}
    </p>
  );
}

export function FieldErrors({ messages }: { messages: string[] }) {
  if (messages.length === 0) return null;
  return (
    <ul class="field-errors">
      {messages.map((m) => (
        <li key={m}>{m}</li>
      ))}
    </ul>
  );
}
