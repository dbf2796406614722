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

/** `replace`: the tags become the file's rows; `merge`: the file's rows are added or updated, the rest kept. */
type Mode = 'replace' | 'merge';

/** The dry run's answer: with bad rows `ok` is false, `problems` lists them and `changes` is what the good rows do. */
interface Preview {
  ok: boolean;
  tags: number;
  changes: CsvChanges;
  problems?: string[];
}

export const tagsCsvPath = (device: string) => `/api/v1/devices/${encodeURIComponent(device)}/tags.csv`;

const asApiError = (err: unknown) => (err instanceof ApiError ? err : new ApiError(0, 'internal', String(err)));

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * Imports a device's tags from a CSV file (`PUT …/tags.csv`) in two steps: the file is
 * checked first and the dialog shows what it would add, change and remove — and, when some
 * rows are bad, those rows by CSV line beside the preview of the good ones; only a file
 * without bad rows is imported. Replace makes the tags exactly the file's rows; merge adds
 * and updates only the rows in the file.
 */
export function CsvImportDialog({ device, onClose, onImported }: Props) {
  const [file, setFile] = useState<{ name: string; text: string }>();
  const [mode, setMode] = useState<Mode>('replace');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [preview, setPreview] = useState<Preview>();

  const send = <T,>(text: string, chosen: Mode, dryRun: boolean) => {
    const query = new URLSearchParams({
      ...(dryRun ? { dryRun: 'true' } : {}),
      ...(chosen === 'merge' ? { mode: 'merge' } : {}),
    });
    const search = query.size > 0 ? `?${query}` : '';
    return api<T>('PUT', `${tagsCsvPath(device)}${search}`, undefined, { rawBody: text, contentType: 'text/csv' });
  };

  /** Checks the file in the chosen mode; nothing changes. */
  const check = async (picked: { name: string; text: string } | undefined, chosen: Mode) => {
    setError(undefined);
    setPreview(undefined);
    if (!picked) return;
    setBusy(true);
    try {
      setPreview(await send<Preview>(picked.text, chosen, true));
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };

  const choose = async (picked: File | undefined) => {
    setFile(undefined);
    const read = picked ? { name: picked.name, text: await picked.text() } : undefined;
    setFile(read);
    await check(read, mode);
  };

  const changeMode = (chosen: Mode) => {
    setMode(chosen);
    void check(file, chosen);
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!file || !preview?.ok) return;
    setBusy(true);
    setError(undefined);
    try {
      const res = await send<{ ok: boolean; tags?: number }>(file.text, mode, false);
      const what = mode === 'merge' ? `Tags from ${file.name} merged` : `Tags replaced by ${file.name}`;
      notify(`${what}: ${device} has ${res.tags ?? 'its'} tags now and restarts with them.`);
      await onImported();
      onClose();
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };

  const problems = preview?.problems ?? [];
  const rowsRefused =
    problems.length > 0
      ? new ApiError(
          400,
          'invalid-config',
          `${plural(problems.length, 'row')} of the file cannot be imported`,
          problems,
        )
      : undefined;

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
          <button type="submit" form="csv-import-form" class="button primary" disabled={busy || !preview?.ok}>
            {busy && preview ? 'Importing…' : 'Import'}
          </button>
        </>
      }
    >
      <p>
        Rows are matched to groups by the <code>group</code> column; a new group name makes a group with default
        settings. Comma or semicolon separated files (as Excel saves them) are read, headers in any case. Start from an{' '}
        <a href={tagsCsvPath(device)} download>
          export
        </a>{' '}
        to get the columns right. The file is checked first: you see what changes before anything does.
      </p>
      <form id="csv-import-form" class="write-form" onSubmit={submit}>
        <fieldset class="csv-mode">
          <legend class="field-label">What the file does</legend>
          <label class="checkbox">
            <input
              type="radio"
              name="csv-mode"
              value="replace"
              checked={mode === 'replace'}
              onChange={() => changeMode('replace')}
            />
            Replace: the file's rows become all tags of {device} (tags not in the file are removed)
          </label>
          <label class="checkbox">
            <input
              type="radio"
              name="csv-mode"
              value="merge"
              checked={mode === 'merge'}
              onChange={() => changeMode('merge')}
            />
            Merge: add and update only the rows in the file, keep every other tag
          </label>
        </fieldset>
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
      {preview ? (
        <CsvPreview
          changes={preview.changes}
          tags={preview.tags}
          scope={mode === 'merge' ? 'after the merge' : problems.length > 0 ? 'in the good rows' : 'in the file'}
          badRows={problems.length}
        />
      ) : null}
      <ErrorBox
        error={rowsRefused}
        title="These rows cannot be imported"
        advice="Nothing is imported while a row is bad. Correct the CSV lines listed and choose the file again."
      />
      <ErrorBox
        error={error}
        title={preview ? 'Nothing was imported' : 'The file cannot be imported'}
        advice="Nothing was changed. Correct the CSV lines listed and choose the file again."
      />
    </Dialog>
  );
}
