import { useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { modelOf, overriddenSettings } from '../models';
import { notify } from '../notice';
import { Link, modelPath, navigate } from '../router';
import type { Config, DeviceConfig } from '../types';
import { Dialog } from './Dialog';
import { ErrorBox } from './ErrorBox';

/**
 * On a device's page: the model it is built from, its parameters and which settings it sets
 * itself over the model's; or, for a hand-built device, *Save as model*.
 */
export function DeviceModelCard({
  config,
  device,
  configure,
}: {
  config: Config;
  device: DeviceConfig;
  configure: boolean;
}) {
  const [saving, setSaving] = useState(false);
  const model = modelOf(config, device);
  if (!model) {
    if (!configure || device.model !== undefined) return null;
    return (
      <div class="card hint-card" data-testid="device-model">
        <h2 class="card-title">Model</h2>
        <p>Many devices like this one? Save it as a model, then create the others from a list.</p>
        <button type="button" class="button" onClick={() => setSaving(true)}>
          Save as model
        </button>
        {saving ? <SaveAsModelDialog device={device.name} onClose={() => setSaving(false)} /> : null}
      </div>
    );
  }
  const overridden = overriddenSettings(device, model);
  const own = Object.keys(device.settings).filter((k) => !overridden.includes(k));
  const inherited = Object.entries(model.settings).filter(([k]) => !(k in device.settings));
  return (
    <div class="card hint-card" data-testid="device-model">
      <h2 class="card-title">
        Built from model <Link href={modelPath(model.name, '/edit')}>{model.name}</Link>
      </h2>
      {model.description ? <p class="muted">{model.description}</p> : null}
      {device.params && Object.keys(device.params).length > 0 ? (
        <p>
          Parameters:{' '}
          {Object.entries(device.params).map(([k, v]) => (
            <code key={k} class="chip">
              {k}={v}
            </code>
          ))}
        </p>
      ) : null}
      <p data-testid="overridden-settings">
        Overrides the model's settings:{' '}
        {overridden.length > 0 ? overridden.map((k) => <code key={k}>{k} </code>) : 'none'}
      </p>
      {own.length > 0 ? (
        <p>
          Its own settings:{' '}
          {own.map((k) => (
            <code key={k}>{k} </code>
          ))}
        </p>
      ) : null}
      {inherited.length > 0 ? (
        <p class="muted">
          From the model:{' '}
          {inherited.map(([k, v]) => (
            <code key={k}>{`${k}=${JSON.stringify(v)} `}</code>
          ))}
        </p>
      ) : null}
      <p class="muted">The model's groups and tags are edited on the model; this device may add groups of its own.</p>
    </div>
  );
}

function SaveAsModelDialog({ device, onClose }: { device: string; onClose(): void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const save = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api('POST', `/api/v1/devices/${encodeURIComponent(device)}/save-as-model`, {
        model: name,
        ...(description ? { description } : {}),
      });
      notify(`Model ${name} saved; ${device} is its first device.`);
      navigate('/models');
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'error', String(err)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={`Save ${device} as a model`}
      onClose={onClose}
      footer={
        <>
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" class="button primary" disabled={busy || !name} onClick={() => void save()}>
            Save as model
          </button>
        </>
      }
    >
      <p class="muted">
        The model takes the device's driver, settings, groups and tags; the settings that are each device's own (such as
        host and unit id) stay with {device}, which becomes the model's first device and goes on publishing as before.
      </p>
      <label class="field">
        <span>Model name</span>
        <input value={name} data-testid="model-name" onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span>Description</span>
        <input value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
      </label>
      <ErrorBox error={error} title="Not saved" />
    </Dialog>
  );
}
