import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { StateBadge } from '../components/Badges';
import { ConnectionTest, ErrorCode } from '../components/ConnectionTest';
import { CertificateHint } from '../components/DeviceError';
import { DeviceModelCard } from '../components/DeviceModelCard';
import { ConfirmDialog } from '../components/Dialog';
import { DriverPicker, DriverSettings, withDriver } from '../components/DriverFields';
import { ErrorBox } from '../components/ErrorBox';
import { ReadOnlyBanner } from '../components/ReadOnlyBanner';
import { RetryNow } from '../components/RetryNow';
import { SchemaForm } from '../components/SchemaForm';
import { EditError, removeDeviceFromNorth, renameDeviceInNorth, updateConfig } from '../config-edit';
import { humanApiError, humanFieldErrors } from '../errors-text';
import { useConfig, useDocumentTitle, useSchema, useStatus } from '../live';
import { usePermissions } from '../me';
import { notify } from '../notice';
import { isCertificateUntrusted } from '../plugins';
import { devicePath, Link, navigate } from '../router';
import { itemSchemaWithSettings, subSchema, withDefaults } from '../schema-util';
import type { DeviceConfig } from '../types';

type Draft = Omit<DeviceConfig, 'groups'>;

/** Add (no `name`) or edit a device: name, driver, UNS path, enabled, and the driver's settings form. */
export function DeviceFormPage({ name }: { name?: string | undefined }) {
  const editing = name !== undefined;
  useDocumentTitle(editing ? `Edit ${name}` : 'Add device');
  const { config, error: configError } = useConfig();
  const { schema, error: schemaError } = useSchema();
  const { status } = useStatus();
  const [draft, setDraft] = useState<Draft>();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ApiError>();
  const { configure } = usePermissions();
  const [errors, setErrors] = useState<Map<string, string[]>>(new Map());
  const [confirmDelete, setConfirmDelete] = useState(false);

  // The draft starts from the stored device, or from the first driver's defaults.
  useEffect(() => {
    if (!config || !schema || draft) return;
    if (editing) {
      const d = config.devices.find((x) => x.name === name);
      // Every device-level field but the groups (edited on the Tags page), so none is lost on save.
      if (d) {
        const { groups: _groups, ...fields } = d;
        setDraft(fields);
      }
    } else {
      // The first registered driver (the built-in list starts with the most common, Modbus TCP).
      const driver = Object.keys(schema.drivers)[0] ?? '';
      const settingsSchema = schema.drivers[driver]?.settings;
      setDraft({ name: '', driver, enabled: true, settings: settingsSchema ? withDefaults(settingsSchema) : {} });
    }
  }, [config, schema, draft, editing, name]);

  const driver = draft ? schema?.drivers[draft.driver] : undefined;

  if (configError || schemaError) return <ErrorBox error={configError ?? schemaError} title="Cannot load the form" />;
  if (!config || !schema) return <p class="muted">Loading…</p>;
  if (editing && !config.devices.some((d) => d.name === name)) {
    return (
      <section>
        <h1>Device not found</h1>
        <p>
          There is no device named <strong>{name}</strong>. <Link href="/devices">Back to the devices</Link>
        </p>
      </section>
    );
  }
  if (!draft) return <p class="muted">Loading…</p>;

  const live = editing ? status?.devices.find((d) => d.name === name) : undefined;
  const deviceSchema = subSchema(schema.config, ['devices', '[]']) ?? {};
  const formSchema = itemSchemaWithSettings(deviceSchema, driver?.settings);
  const showRefusal = (err: ApiError | undefined, prefix: string) => {
    setErrors(err ? humanFieldErrors(err.details, prefix, formSchema) : new Map());
  };
  // Tested as it is in the form; an existing device brings its tags, so that the first one is read.
  const testBody = () => ({
    ...draft,
    name: draft.name.trim(),
    groups: config.devices.find((d) => d.name === name)?.groups ?? [],
  });

  const save = async (e: Event) => {
    e.preventDefault();
    setSaving(true);
    setError(undefined);
    let index = -1;
    try {
      const device: Draft = { ...draft, name: draft.name.trim() };
      if (!device.uns) delete device.uns;
      await updateConfig((c) => {
        if (editing) {
          index = c.devices.findIndex((d) => d.name === name);
          const old = c.devices[index];
          if (!old) throw new EditError(`device "${name}" no longer exists; reload the page`);
          c.devices[index] = { ...device, groups: old.groups };
          renameDeviceInNorth(c, name, device.name);
        } else {
          index = c.devices.length;
          c.devices.push({ ...device, groups: [] });
        }
      });
      setErrors(new Map());
      notify(editing ? `${device.name} saved; the change is applied.` : `${device.name} added: now add its tags.`);
      // A new device has no tags yet: its Tags page is where the work goes on.
      navigate(editing ? '/devices' : devicePath(device.name));
    } catch (err) {
      const apiErr = err instanceof ApiError ? err : new ApiError(0, 'edit', (err as Error).message);
      setError(humanApiError(apiErr, `devices[${index}].`, formSchema));
      showRefusal(apiErr, `devices[${index}].`);
    } finally {
      setSaving(false);
    }
  };

  const deleteDevice = async () => {
    setConfirmDelete(false);
    try {
      await updateConfig((c) => {
        c.devices = c.devices.filter((d) => d.name !== name);
        if (name) removeDeviceFromNorth(c, name);
      });
      notify(`${name} deleted`);
      navigate('/devices');
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'edit', (err as Error).message));
    }
  };

  return (
    <section>
      <nav class="breadcrumbs" aria-label="Breadcrumb">
        <Link href="/devices">Devices</Link> <span aria-hidden="true">›</span> {editing ? name : 'Add device'}
      </nav>
      <div class="page-head">
        <h1>{editing ? `Edit ${name}` : 'Add device'}</h1>
        {live ? <StateBadge state={live.state} /> : null}
        {live?.error ? (
          <span class="device-error-line" data-testid="device-error">
            <ErrorCode code={live.error} />
          </span>
        ) : null}
        {live ? <RetryNow device={live.name} nextRetryAt={live.nextRetryAt} /> : null}
      </div>
      <ReadOnlyBanner what="this device" />
      <div class="form-layout">
        <form class="card form-card" onSubmit={save} noValidate aria-label="Device">
          <h2 class="card-title">Device</h2>
          <SchemaForm
            schema={deviceSchema}
            omit={['driver', 'settings', 'groups', 'model', 'params']}
            value={draft as unknown as Record<string, unknown>}
            onChange={(next) => setDraft(next as unknown as Draft)}
            errors={errors}
            idPrefix="device"
            placeholders={{ uns: draft.name || 'the device name' }}
            prepend={
              <DriverPicker
                schema={schema}
                value={draft.driver}
                onChange={(next) => setDraft(withDriver(schema, draft, next))}
                errors={errors}
                idPrefix="device"
                help="The protocol the device speaks. Changing it keeps the settings that still apply."
              />
            }
          />
          <DriverSettings
            schema={schema}
            driver={draft.driver}
            value={draft.settings}
            onChange={(settings) => setDraft({ ...draft, settings })}
            errors={errors}
          />
          {driver?.capabilities.certificates ? (
            <p class="help">
              Unless <code>trustServerCertificate</code> is set, the server's certificate must be trusted by an admin on
              the <Link href="/certificates">Certificates</Link> page after the first connection attempt.
            </p>
          ) : null}
          {isCertificateUntrusted(live?.error) ? <CertificateHint /> : null}
          {configure && !driver?.capabilities.derivesValues ? (
            <ConnectionTest
              url="/api/v1/devices/test-connection"
              body={testBody}
              onInvalid={(err) => showRefusal(err, '')}
              what="the device"
            />
          ) : null}
          <div class="form-actions">
            <button type="submit" class="button primary" disabled={saving || !configure}>
              {saving ? 'Saving…' : editing ? 'Save device' : 'Add device'}
            </button>
            <Link class="button" href="/devices">
              Cancel
            </Link>
            {editing && configure ? (
              <button type="button" class="button danger-outline push-right" onClick={() => setConfirmDelete(true)}>
                Delete device
              </button>
            ) : null}
          </div>
        </form>
        <aside class="form-aside">
          {editing && config ? (
            <DeviceModelCard
              config={config}
              device={{ ...draft, name: name ?? draft.name, groups: [] }}
              configure={configure}
            />
          ) : null}
          {error ? (
            <ErrorBox error={error} title="Not saved" />
          ) : (
            <div class="card hint-card">
              <h2 class="card-title">How saving works</h2>
              <p>
                Saving checks the whole configuration first. If anything is wrong, nothing changes and every problem is
                listed here and under its field.
              </p>
              <p>Only this device restarts; other devices keep polling.</p>
              {editing ? (
                <p>
                  Tags are edited on the <Link href={devicePath(name ?? '', '/tags')}>Tags</Link> page.
                </p>
              ) : (
                <p>After adding the device, open its Tags to add groups and tags.</p>
              )}
            </div>
          )}
        </aside>
      </div>
      {confirmDelete ? (
        <ConfirmDialog
          title={`Delete ${name}?`}
          message={`The device ${name} and all its tags are removed and it stops polling. This cannot be undone.`}
          confirmLabel="Delete device"
          onCancel={() => setConfirmDelete(false)}
          onConfirm={() => void deleteDevice()}
        />
      ) : null}
    </section>
  );
}
