import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { ErrorBox } from '../components/ErrorBox';
import { useConfig, useDocumentTitle } from '../live';
import { usersOf } from '../models';
import { notify } from '../notice';
import { Link, navigate } from '../router';

const NEW_MODEL = {
  name: '',
  description: '',
  driver: 'modbus-tcp',
  params: [],
  settings: { port: 502 },
  groups: [{ name: 'main', intervalMs: 1000, tags: [] }],
};

/**
 * A model as JSON, the way it is written in the configuration file; saved whole, checked as
 * a whole configuration (every error named), and every device built from it restarts with it.
 */
export function ModelFormPage({ name }: { name?: string }) {
  useDocumentTitle(name ? `Edit model ${name}` : 'New model');
  const { config, error: configError } = useConfig();
  const [text, setText] = useState<string>();
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const model = name ? config?.models.find((m) => m.name === name) : undefined;

  useEffect(() => {
    if (!config || text !== undefined) return;
    setText(JSON.stringify(name ? model : NEW_MODEL, null, 2));
  }, [config, model]);

  const save = async () => {
    setBusy(true);
    setError(undefined);
    try {
      let body: unknown;
      try {
        body = JSON.parse(text ?? '');
      } catch (err) {
        throw new ApiError(400, 'invalid-request', `not valid JSON: ${(err as Error).message}`);
      }
      if (name) await api('PUT', `/api/v1/models/${encodeURIComponent(name)}`, body);
      else await api('POST', '/api/v1/models', body);
      notify(`Model ${(body as { name?: string }).name ?? name} saved.`);
      navigate('/models');
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'error', String(err)));
    } finally {
      setBusy(false);
    }
  };

  if (configError) return <ErrorBox error={configError} title="Cannot read the configuration" />;
  if (!config || text === undefined) return <p class="muted">Loading…</p>;
  if (name && !model) return <p>There is no model named {name}.</p>;
  const users = name ? usersOf(config, name).length : 0;
  return (
    <section>
      <nav class="breadcrumbs" aria-label="Breadcrumb">
        <Link href="/models">Models</Link> <span aria-hidden="true">›</span> {name ?? 'new'}
      </nav>
      <h1>{name ? `Edit model ${name}` : 'New model'}</h1>
      {users > 0 ? (
        <p class="muted" data-testid="model-users">
          {users} devices are built from this model; saving restarts each of them with the new definition.
        </p>
      ) : null}
      <label class="field">
        <span>The model as in the configuration file (JSON)</span>
        <textarea
          rows={24}
          value={text}
          spellcheck={false}
          data-testid="model-json"
          onInput={(e) => setText(e.currentTarget.value)}
        />
      </label>
      <ErrorBox error={error} />
      <div class="form-actions">
        <button type="button" class="button primary" disabled={busy} onClick={() => void save()}>
          Save model
        </button>
        <Link class="button" href="/models">
          Cancel
        </Link>
      </div>
    </section>
  );
}
