import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { StateBadge } from '../components/Badges';
import { ConnectionTest, ErrorCode } from '../components/ConnectionTest';
import { ErrorBox } from '../components/ErrorBox';
import { ReadOnlyBanner } from '../components/ReadOnlyBanner';
import { FieldErrors, SchemaForm } from '../components/SchemaForm';
import { EditError, nestedErrors, updateConfig } from '../config-edit';
import { humanApiError, humanFieldErrors } from '../errors-text';
import { useConfig, useDocumentTitle, useSchema, useStatus } from '../live';
import { usePermissions } from '../me';
import { notify } from '../notice';
import { Link, navigate } from '../router';
import { itemSchemaWithSettings, keepFitting, subSchema, withDefaults } from '../schema-util';
import type { NorthConfig } from '../types';

/** Add (no `name`) or edit a north app: name, plugin, enabled, which devices, and the plugin's settings. */
export function NorthFormPage({ name }: { name?: string | undefined }) {
  const editing = name !== undefined;
  useDocumentTitle(editing ? `Edit ${name}` : 'Add north app');
  const { config, error: configError } = useConfig();
  const { schema, error: schemaError } = useSchema();
  const { status } = useStatus();
  const [draft, setDraft] = useState<NorthConfig>();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ApiError>();
  const { configure } = usePermissions();
  const [errors, setErrors] = useState<Map<string, string[]>>(new Map());

  useEffect(() => {
    if (!config || !schema || draft) return;
    if (editing) {
      const app = config.north.find((n) => n.name === name);
      if (app) setDraft(structuredClone(app));
    } else {
      // The first registered plugin (the built-in list starts with the most common, MQTT).
      const plugin = Object.keys(schema.north)[0] ?? '';
      const s = schema.north[plugin]?.settings;
      setDraft({ name: '', plugin, enabled: true, devices: ['*'], settings: s ? withDefaults(s) : {} });
    }
  }, [config, schema, draft, editing, name]);

  if (configError || schemaError) return <ErrorBox error={configError ?? schemaError} title="Cannot load the form" />;
  if (!config || !schema) return <p class="muted">Loading…</p>;
  if (editing && !config.north.some((n) => n.name === name)) {
    return (
      <section>
        <h1>North app not found</h1>
        <p>
          There is no north app named <strong>{name}</strong>. <Link href="/north">Back to the north apps</Link>
        </p>
      </section>
    );
  }
  if (!draft) return <p class="muted">Loading…</p>;

  const plugin = schema.north[draft.plugin];
  const northSchema = subSchema(schema.config, ['north', '[]']) ?? {};
  const formSchema = itemSchemaWithSettings(northSchema, plugin?.settings);
  const showRefusal = (err: ApiError | undefined, prefix: string) => {
    setErrors(err ? humanFieldErrors(err.details, prefix, formSchema) : new Map());
  };
  const live = editing ? status?.north.find((n) => n.name === name) : undefined;
  const all = draft.devices.includes('*');

  const toggleDevice = (device: string, on: boolean) => {
    const list = draft.devices.filter((d) => d !== '*' && d !== device);
    setDraft({ ...draft, devices: on ? [...list, device] : list });
  };

  const save = async (e: Event) => {
    e.preventDefault();
    setSaving(true);
    setError(undefined);
    let index = -1;
    try {
      const app: NorthConfig = { ...draft, name: draft.name.trim() };
      await updateConfig((c) => {
        if (editing) {
          index = c.north.findIndex((n) => n.name === name);
          if (index < 0) throw new EditError(`north app "${name}" no longer exists; reload the page`);
          c.north[index] = app;
        } else {
          index = c.north.length;
          c.north.push(app);
        }
      });
      setErrors(new Map());
      notify(editing ? `${app.name} saved; it reconnects with the new settings.` : `${app.name} added.`);
      navigate('/north');
    } catch (err) {
      const apiErr = err instanceof ApiError ? err : new ApiError(0, 'edit', (err as Error).message);
      setError(humanApiError(apiErr, `north[${index}].`, formSchema));
      showRefusal(apiErr, `north[${index}].`);
    } finally {
      setSaving(false);
    }
  };

  const deviceErrors = [...errors.entries()]
    .filter(([k]) => k === 'devices' || k.startsWith('devices['))
    .flatMap(([, v]) => v);

  return (
    <section>
      <nav class="breadcrumbs" aria-label="Breadcrumb">
        <Link href="/north">North apps</Link> <span aria-hidden="true">›</span> {editing ? name : 'Add north app'}
      </nav>
      <div class="page-head">
        <h1>{editing ? `Edit ${name}` : 'Add north app'}</h1>
        {live ? <StateBadge state={live.state} /> : null}
        {live?.error ? (
          <span class="device-error-line">
            <ErrorCode code={live.error} />
          </span>
        ) : null}
      </div>
      <ReadOnlyBanner what="this north app" />
      <div class="form-layout">
        <form class="card form-card" onSubmit={save} noValidate aria-label="North app">
          <h2 class="card-title">North app</h2>
          <SchemaForm
            schema={northSchema}
            omit={['plugin', 'settings', 'devices']}
            value={draft as unknown as Record<string, unknown>}
            onChange={(next) => setDraft(next as unknown as NorthConfig)}
            errors={errors}
            idPrefix="north"
            prepend={
              <div class="field">
                <div class="field-head">
                  <label for="north-plugin" class="field-label">
                    Plugin
                  </label>
                  <code class="field-key">plugin</code>
                </div>
                <select
                  id="north-plugin"
                  value={draft.plugin}
                  onChange={(e) => {
                    const next = e.currentTarget.value;
                    const s = schema.north[next]?.settings;
                    setDraft({
                      ...draft,
                      plugin: next,
                      settings: s ? withDefaults(s, keepFitting(s, draft.settings)) : {},
                    });
                  }}
                >
                  {Object.entries(schema.north).map(([key, p]) => (
                    <option key={key} value={key}>
                      {p.title} ({key})
                    </option>
                  ))}
                </select>
                <FieldErrors messages={errors.get('plugin') ?? []} />
              </div>
            }
          />
          <fieldset class="device-picker">
            <legend>Devices to publish</legend>
            <label class="checkbox">
              <input
                type="checkbox"
                checked={all}
                onChange={(e) => setDraft({ ...draft, devices: e.currentTarget.checked ? ['*'] : [] })}
              />
              <span>All devices, including ones added later</span>
            </label>
            {!all
              ? config.devices.map((d) => (
                  <label class="checkbox" key={d.name}>
                    <input
                      type="checkbox"
                      checked={draft.devices.includes(d.name)}
                      onChange={(e) => toggleDevice(d.name, e.currentTarget.checked)}
                    />
                    <span>{d.name}</span>
                  </label>
                ))
              : null}
            <FieldErrors messages={deviceErrors} />
          </fieldset>
          <h2 class="card-title">{plugin?.title ?? draft.plugin} settings</h2>
          {plugin ? (
            <SchemaForm
              schema={plugin.settings}
              value={draft.settings}
              onChange={(settings) => setDraft({ ...draft, settings })}
              errors={nestedErrors(errors, 'settings')}
              idPrefix="north-settings"
            />
          ) : (
            <p class="muted">This gateway has no north plugin "{draft.plugin}".</p>
          )}
          {configure && plugin?.probe ? (
            <ConnectionTest
              url="/api/v1/north/test-connection"
              body={() => ({ ...draft, name: draft.name.trim() })}
              onInvalid={(err) => showRefusal(err, '')}
              what="the broker"
            />
          ) : null}
          <div class="form-actions">
            <button type="submit" class="button primary" disabled={saving || !configure}>
              {saving ? 'Saving…' : editing ? 'Save north app' : 'Add north app'}
            </button>
            <Link class="button" href="/north">
              Cancel
            </Link>
          </div>
        </form>
        <aside class="form-aside">
          {error ? (
            <ErrorBox error={error} title="Not saved" />
          ) : (
            <div class="card hint-card">
              <h2 class="card-title">Good to know</h2>
              <p>
                Values are published under <code>{config.gateway.uns || '(no prefix)'}</code> followed by each device's
                UNS path and the tag name.
              </p>
              <p>Saving reconnects only this north app; devices keep polling.</p>
            </div>
          )}
        </aside>
      </div>
    </section>
  );
}
