import { useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { notify } from '../notice';
import { Dialog } from './Dialog';
import { ErrorBox } from './ErrorBox';

interface Props {
  device: string;
  onClose(): void;
  onImported(): Promise<void>;
}

export const tagsCsvPath = (device: string) => `/api/v1/devices/${encodeURIComponent(device)}/tags.csv`;

/**
 * Replaces a device's tags with a CSV file's rows (`PUT …/tags.csv`). A refused file changes
 * nothing; every problem is listed with its CSV line.
 */
export function CsvImportDialog({ device, onClose, onImported }: Props) {
  const [file, setFile] = useState<File>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(undefined);
    try {
      const text = await file.text();
      const res = await api<{ ok: boolean; tags?: number }>('PUT', tagsCsvPath(device), undefined, {
        rawBody: text,
        contentType: 'text/csv',
      });
      notify(`${res.tags ?? 'The'} tags imported from ${file.name}; ${device} restarts with them.`);
      await onImported();
      onClose();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'internal', String(err)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={`Import tags of ${device}`}
      labelId="csv-import-title"
      onClose={onClose}
      footer={
        <>
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="csv-import-form" class="button primary" disabled={busy || !file}>
            {busy ? 'Importing…' : 'Import'}
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
        to get the columns right.
      </p>
      <form id="csv-import-form" class="write-form" onSubmit={submit}>
        <label for="csv-file" class="field-label">
          CSV file
        </label>
        <input
          id="csv-file"
          type="file"
          accept=".csv,text/csv"
          onChange={(e) => {
            setFile(e.currentTarget.files?.[0]);
            setError(undefined);
          }}
        />
      </form>
      <ErrorBox
        error={error}
        title="Nothing was imported"
        advice="Nothing was changed. Correct the CSV lines listed and import the file again."
      />
    </Dialog>
  );
}
