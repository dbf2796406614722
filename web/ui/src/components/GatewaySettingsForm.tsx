import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { fieldErrors, updateConfig } from '../config-edit';
import { usePermissions } from '../me';
import { notify } from '../notice';
import type { Config, GatewayConfig, JsonSchema } from '../types';
import { ErrorBox } from './ErrorBox';
import { SchemaForm } from './SchemaForm';

interface Props {
  config: Config;
  gatewaySchema: JsonSchema;
  onSaved(): Promise<void>;
}

/** Gateway id, UNS prefix, embedded broker and HTTP listener, as one form from the schema. */
export function GatewaySettingsForm({ config, gatewaySchema, onSaved }: Props) {
  const [draft, setDraft] = useState<GatewayConfig>(() => structuredClone(config.gateway));
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [errors, setErrors] = useState<Map<string, string[]>>(new Map());
  const { configure } = usePermissions();

  // A change applied elsewhere (rollback, upload) shows up here unless the user is typing.
  const saved = JSON.stringify(config.gateway);
  const [base, setBase] = useState(saved);
  useEffect(() => {
    if (saved !== base && JSON.stringify(draft) === base) setDraft(structuredClone(config.gateway));
    setBase(saved);
  }, [saved]);

  const save = async (e: Event) => {
    e.preventDefault();
    setSaving(true);
    setError(undefined);
    try {
      const before = config.gateway;
      await updateConfig((c) => {
        c.gateway = draft;
      });
      setErrors(new Map());
      const httpChanged = JSON.stringify(before.http) !== JSON.stringify(draft.http);
      notify(
        httpChanged
          ? 'Gateway settings saved. The web UI moves to the new address when the service restarts.'
          : 'Gateway settings saved and applied.',
      );
      await onSaved();
    } catch (err) {
      const apiErr = err instanceof ApiError ? err : new ApiError(0, 'edit', (err as Error).message);
      setError(apiErr);
      setErrors(fieldErrors(apiErr.details, 'gateway.'));
    } finally {
      setSaving(false);
    }
  };

  return (
    <form class="card form-card" onSubmit={save} noValidate aria-label="Gateway settings">
      <h2 class="card-title">Gateway</h2>
      <p class="help">
        The id names this gateway in its status topics and is the Sparkplug edge node id; the UNS prefix comes before
        every topic it publishes. Changing either republishes the whole tree under the new topics.
      </p>
      <SchemaForm
        schema={gatewaySchema}
        value={draft as unknown as Record<string, unknown>}
        onChange={(next) => setDraft(next as unknown as GatewayConfig)}
        errors={errors}
        idPrefix="gateway"
        placeholders={{ uns: '(no prefix)' }}
      />
      <p class="help">The HTTP listener (host, port) changes when the service restarts; the rest applies at once.</p>
      <ErrorBox error={error} title="Not saved" />
      <div class="form-actions">
        <button type="submit" class="button primary" disabled={saving || !configure}>
          {saving ? 'Saving…' : 'Save gateway settings'}
        </button>
      </div>
    </form>
  );
}
