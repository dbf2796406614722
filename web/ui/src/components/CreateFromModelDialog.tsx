import { useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { parseInstanceCsv } from '../models';
import { notify } from '../notice';
import type { ModelConfig } from '../types';
import { Dialog } from './Dialog';
import { ErrorBox } from './ErrorBox';

interface Props {
  model: ModelConfig;
  onClose(): void;
  onCreated(): void;
}

const asApiError = (err: unknown) =>
  err instanceof ApiError ? err : new ApiError(0, 'error', err instanceof Error ? err.message : String(err));

/**
 * "Create devices from model": a CSV of the new devices (name, uns, the settings that are
 * each device's own, the model's parameters), previewed as a table, created all or nothing.
 */
export function CreateFromModelDialog({ model, onClose, onCreated }: Props) {
  const example = ['name', 'uns', 'host', 'unitId', ...model.params].join(',');
  const [text, setText] = useState(`${example}\n`);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const parsed = parseInstanceCsv(text, model.params);
  const columns = parsed.headers;

  const create = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const url = `/api/v1/models/${encodeURIComponent(model.name)}/devices`;
      const done = await api<{ created: string[] }>('POST', url, { devices: parsed.rows });
      notify(`${done.created.length} devices created from ${model.name}.`);
      onCreated();
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };

  const canCreate = parsed.rows.length > 0 && parsed.problems.length === 0 && !busy;
  return (
    <Dialog
      title={`Create devices from ${model.name}`}
      onClose={onClose}
      wide
      footer={
        <>
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" class="button primary" disabled={!canCreate} onClick={() => void create()}>
            {`Create ${parsed.rows.length} device${parsed.rows.length === 1 ? '' : 's'}`}
          </button>
        </>
      }
    >
      <p class="muted">
        One line per device, a header first. Columns: <code>name</code>, <code>uns</code> (may use{' '}
        <code>{'${param}'}</code>), the device's own settings (e.g. <code>host</code>, <code>port</code>,{' '}
        <code>unitId</code>) and the model's parameters
        {model.params.length > 0 ? (
          <>
            {' '}
            (<code>{model.params.join(', ')}</code>)
          </>
        ) : null}
        . Nothing is created unless every row is valid.
      </p>
      <label class="field">
        <span>Devices as CSV (paste from a spreadsheet)</span>
        <textarea
          rows={8}
          value={text}
          data-testid="instances-csv"
          onInput={(e) => setText(e.currentTarget.value)}
          spellcheck={false}
        />
      </label>
      {parsed.problems.length > 0 ? (
        <ul class="error-details">
          {parsed.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      ) : null}
      <ErrorBox error={error} title="No device was created" />
      {parsed.rows.length > 0 ? (
        <div class="table-wrap">
          <table class="data-table" data-testid="instances-preview">
            <caption class="muted">Preview: {parsed.rows.length} devices</caption>
            <thead>
              <tr>
                <th>#</th>
                {columns.map((c) => (
                  <th key={c}>{c}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {parsed.rows.map((row, i) => (
                <tr key={`${i}-${String(row.name)}`}>
                  <td>{i}</td>
                  {columns.map((c) => (
                    <td key={c}>{row[c] === undefined ? '' : String(row[c])}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </Dialog>
  );
}
