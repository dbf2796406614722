import { useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { restartedText } from '../format';
import { usePermissions } from '../me';
import { notify } from '../notice';
import { ErrorBox } from './ErrorBox';

/**
 * The whole configuration as a YAML file: download it (secrets stay on the gateway as
 * placeholders), edit it, upload it. An uploaded file is checked whole; a refused one
 * changes nothing and every problem is listed.
 */
export function ConfigFileCard({ onApplied }: { onApplied(): Promise<void> }) {
  const [file, setFile] = useState<File>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const { configure } = usePermissions();

  const upload = async (e: Event) => {
    e.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(undefined);
    try {
      const text = await file.text();
      const res = await api<{ restarted?: { devices?: string[]; north?: string[] } }>(
        'PUT',
        '/api/v1/config',
        undefined,
        {
          rawBody: text,
          contentType: /\.json$/i.test(file.name) ? 'application/json' : 'application/yaml',
        },
      );
      notify(`${file.name} applied; ${restartedText(res.restarted)}.`);
      await onApplied();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'internal', String(err)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card form-card" onSubmit={upload} aria-label="Configuration file">
      <h2 class="card-title">Configuration file</h2>
      <p class="help">
        Everything on this gateway — devices, tags, north apps, gateway settings — in one YAML file, the same format as{' '}
        <code>tagwire export</code>. Passwords and keys are not in the download; leave their placeholders as they are
        and the stored ones are kept.
      </p>
      <div class="form-actions">
        <a class="button" href="/api/v1/config?format=yaml" download>
          Download configuration (YAML)
        </a>
      </div>
      {configure ? (
        <>
          <div class="field upload-field">
            <label for="config-file" class="field-label">
              Upload a configuration file
            </label>
            <input
              id="config-file"
              type="file"
              accept=".yaml,.yml,.json,application/yaml,application/json"
              onChange={(e) => {
                setFile(e.currentTarget.files?.[0]);
                setError(undefined);
              }}
            />
            <p class="help">
              It replaces the whole configuration. Only devices and north apps that change restart; the previous version
              stays in the history below.
            </p>
          </div>
          <ErrorBox
            error={error}
            title="The file was not applied"
            advice="Nothing was changed. Correct the places listed and upload the file again."
          />
          <div class="form-actions">
            <button type="submit" class="button primary" disabled={busy || !file}>
              {busy ? 'Applying…' : 'Check and apply'}
            </button>
          </div>
        </>
      ) : null}
    </form>
  );
}
