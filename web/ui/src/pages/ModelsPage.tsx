import { useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { CreateFromModelDialog } from '../components/CreateFromModelDialog';
import { ConfirmDialog } from '../components/Dialog';
import { ErrorBox } from '../components/ErrorBox';
import { useConfig, useDocumentTitle } from '../live';
import { usePermissions } from '../me';
import { tagCount, usersOf } from '../models';
import { notify } from '../notice';
import { Link, modelPath } from '../router';
import type { ModelConfig } from '../types';

/** Models (SPEC §3.6): each with the devices built from it, and how to make more of them. */
export function ModelsPage() {
  useDocumentTitle('Models');
  const { config, error: configError, reload } = useConfig();
  const { configure } = usePermissions();
  const [creating, setCreating] = useState<ModelConfig>();
  const [deleting, setDeleting] = useState<ModelConfig>();
  const [error, setError] = useState<ApiError>();

  const remove = async (model: ModelConfig) => {
    setDeleting(undefined);
    try {
      await api('DELETE', `/api/v1/models/${encodeURIComponent(model.name)}`);
      notify(`Model ${model.name} deleted.`);
      await reload();
    } catch (err) {
      if (err instanceof ApiError) setError(err);
    }
  };

  return (
    <section>
      <nav class="breadcrumbs" aria-label="Breadcrumb">
        <Link href="/devices">Devices</Link> <span aria-hidden="true">›</span> Models
      </nav>
      <div class="page-head">
        <h1>Models</h1>
        {configure ? (
          <Link class="button primary push-right" href="/models/new">
            + Add model
          </Link>
        ) : null}
      </div>
      <p class="muted">
        A model is one device definition — driver, default settings, groups and tags — that many devices are built from.
        Its data contract is published at <code>{`${config?.gateway.uns || '…'}/_models/{model}`}</code>. Turn a device
        into a model with <em>Save as model</em> on its Edit page.
      </p>
      <ErrorBox error={configError} title="Cannot read the configuration" />
      <ErrorBox error={error} />
      {config && config.models.length === 0 ? <p class="empty">No models yet.</p> : null}
      {config && config.models.length > 0 ? (
        <div class="table-wrap">
          <table class="data-table" data-testid="models-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Driver</th>
                <th>Parameters</th>
                <th class="num">Tags</th>
                <th class="num">Devices</th>
                <th class="actions-col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {config.models.map((m) => {
                const users = usersOf(config, m.name);
                return (
                  <tr key={m.name} data-model={m.name}>
                    <td>
                      <strong>{m.name}</strong>
                      {m.description ? <div class="cell-note">{m.description}</div> : null}
                    </td>
                    <td>{m.driver}</td>
                    <td>{m.params.length > 0 ? <code>{m.params.join(', ')}</code> : '—'}</td>
                    <td class="num">{tagCount(m.groups)}</td>
                    <td class="num" data-testid="where-used">
                      {users.length}
                    </td>
                    <td class="actions">
                      {configure ? (
                        <>
                          <button type="button" class="button small primary" onClick={() => setCreating(m)}>
                            Create devices
                          </button>
                          <Link class="button small" href={modelPath(m.name, '/edit')}>
                            Edit
                          </Link>
                          <button
                            type="button"
                            class="button small danger-outline"
                            disabled={users.length > 0}
                            title={users.length > 0 ? `${users.length} devices are built from it` : undefined}
                            onClick={() => setDeleting(m)}
                          >
                            Delete
                          </button>
                        </>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {creating ? (
        <CreateFromModelDialog
          model={creating}
          onClose={() => setCreating(undefined)}
          onCreated={() => {
            setCreating(undefined);
            void reload();
          }}
        />
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title={`Delete model ${deleting.name}?`}
          message="No device is built from it. The model and its published data contract are removed."
          confirmLabel="Delete model"
          onCancel={() => setDeleting(undefined)}
          onConfirm={() => void remove(deleting)}
        />
      ) : null}
    </section>
  );
}
