import type { ComponentChildren } from 'preact';
import type { ApiError } from '../api';
import type { JsonSchema } from '../types';
import { ErrorBox } from './ErrorBox';
import { SchemaForm } from './SchemaForm';

interface Props {
  title: string;
  schema: JsonSchema;
  value: Record<string, unknown>;
  onChange(next: Record<string, unknown>): void;
  errors: Map<string, string[]>;
  error: ApiError | undefined;
  idPrefix: string;
  omit?: string[];
  saving: boolean;
  saveLabel: string;
  onSave(): void;
  onCancel(): void;
  children?: ComponentChildren;
}

/**
 * The inline editor of one tag or group: its schema's fields in a compact grid, validation
 * messages under each field, and every refused detail beside it.
 */
export function RowEditor(props: Props) {
  const { title, schema, value, onChange, errors, error, idPrefix, omit, saving, saveLabel, onSave, onCancel } = props;
  return (
    <form
      class="row-editor"
      aria-label={title}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        onSave();
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onCancel();
      }}
    >
      <div class="row-editor-head">
        <h3>{title}</h3>
      </div>
      <SchemaForm
        schema={schema}
        value={value}
        onChange={onChange}
        errors={errors}
        idPrefix={idPrefix}
        omit={omit ?? []}
        layout="compact"
      />
      {props.children}
      <ErrorBox error={error} title="Not saved" />
      <div class="form-actions">
        <button type="submit" class="button primary" disabled={saving}>
          {saving ? 'Saving…' : saveLabel}
        </button>
        <button type="button" class="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
