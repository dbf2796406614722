import { withParams } from '../models';
import { Link, modelPath } from '../router';
import type { DeviceConfig, ModelConfig } from '../types';

/** On a model device's Tags page: the model's groups and tags, as this device reads them (read-only here). */
export function ModelGroupsCard({ model, device }: { model: ModelConfig; device: DeviceConfig }) {
  return (
    <div class="card" data-testid="model-groups">
      <h2 class="card-title">
        From model <Link href={modelPath(model.name, '/edit')}>{model.name}</Link>
      </h2>
      <p class="muted">
        These groups and tags come from the model (edit them there: every device built from it changes). Groups added
        below are this device's own.
      </p>
      <div class="table-wrap">
        <table class="data-table">
          <thead>
            <tr>
              <th>Group</th>
              <th>Tag</th>
              <th>Address</th>
              <th>Type</th>
              <th>Unit</th>
            </tr>
          </thead>
          <tbody>
            {model.groups.flatMap((g) =>
              g.tags.map((t) => (
                <tr key={`${g.name}/${t.name}`}>
                  <td>{g.name}</td>
                  <td>{t.name}</td>
                  <td>
                    <code>{t.address === undefined ? '—' : withParams(t.address, device.params)}</code>
                  </td>
                  <td>{t.type ?? '—'}</td>
                  <td>{t.unit ?? ''}</td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
