import { useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { notify } from '../notice';
import { type CsvChanges, CsvPreview } from './CsvPreview';
import { Dialog } from './Dialog';
import { ErrorBox } from './ErrorBox';

interface Props {
  device: string;
  onClose(): void;
  onImported(): Promise<void>;
}

export const tagsCsvPath = (device: string) => `/api/v1/devices/${encodeURIComponent(device)}/tags.csv`;

const asApiError = (err: unknown) => (err instanceof ApiError ? err : new ApiError(0, 'internal', String(err)));

/**
 * Replaces a device's tags with a CSV file's rows (`PUT …/tags.csv`) in two steps: the file
 * is checked first and the dialog shows what it would add, change and remove; only then is
 * it imported. A refused file changes nothing; every problem is listed with its CSV line.
 */
export function CsvImportDialog({ device, onClose, onImported }: Props) {
  const [file, setFile] = useState<{ name: string; text: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [preview, setPreview] = useState<{ tags: number; changes: CsvChanges }>();

  const send = <T,>(text: string, dryRun: boolean) =>
    api<T>('PUT', `${tagsCsvPath(device)}${dryRun ? '?dryRun=true' : ''}`, undefined, {
      rawBody: text,
      contentType: 'text/csv',
    });

  const choose = async (picked: File | undefined) => {
    setError(undefined);
    setPreview(undefined);
    setFile(undefined);
    if (!picked) return;
    setBusy(true);
    try {
      const text = await picked.text();
      setFile({ name: picked.name, text });
      setPreview(await send<{ tags: number; changes: CsvChanges }>(text, true));
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!file || !preview) return;
    setBusy(true);
    setError(undefined);
    try {
      const res = await send<{ ok: boolean; tags?: number }>(file.text, false);
      notify(`${res.tags ?? 'The'} tags imported from ${file.name}; ${device} restarts with them.`);
      await onImported();
      onClose();
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={`Import tags of ${device}`}
      labelId="csv-import-title"
      wide={preview !== undefined}
      onClose={onClose}
      footer={
        <>
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="csv-import-form" class="button primary" disabled={busy || !preview}>
            {busy && preview ? 'Importing…' : 'Import'}
          </button>
        </>
      }
    >
      <p>
        The file <strong>replaces all tags</strong> of {device}. Rows are matched to groups by the <code>group</code>{' '}
        column; a new group name makes a group with default settings. Start from an{' '}
        <a href={tagsCsvPath(device)} download>
          export
        </a>{' '}
        to get the columns right. The file is checked first: you see what changes before anything does.
      </p>
      <form id="csv-import-form" class="write-form" onSubmit={submit}>
        <label for="csv-file" class="field-label">
          CSV file
        </label>
        <input
          id="csv-file"
          type="file"
          accept=".csv,text/csv"
          onChange={(e) => void choose(e.currentTarget.files?.[0])}
        />
      </form>
      {busy && !preview ? <p class="muted">Checking the file…</p> : null}
      {preview ? <CsvPreview changes={preview.changes} tags={preview.tags} /> : null}
      <ErrorBox
        error={error}
        title={preview ? 'Nothing was imported' : 'The file cannot be imported'}
        advice="Nothing was changed. Correct the CSV lines listed and choose the file again."
      />
    </Dialog>
  );
}
