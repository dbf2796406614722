import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { DriverPicker, DriverSettings, withDriver } from '../components/DriverFields';
import { ErrorBox } from '../components/ErrorBox';
import { ReadOnlyBanner } from '../components/ReadOnlyBanner';
import { FieldErrors, SchemaForm } from '../components/SchemaForm';
import { humanApiError, humanFieldErrors } from '../errors-text';
import { useConfig, useDocumentTitle, useSchema } from '../live';
import { usePermissions } from '../me';
import { usersOf } from '../models';
import { notify } from '../notice';
import { Link, navigate } from '../router';
import { itemSchemaWithSettings, subSchema, withDefaults } from '../schema-util';
import type { ModelConfig } from '../types';

type Draft = Omit<ModelConfig, 'groups' | 'params'>;

/** A new model's groups: one empty group (the gateway fills in the defaults of the rest). */
const NEW_GROUPS = [{ name: 'main', intervalMs: 1000, tags: [] }];

/** `"line, cabinet"` → `['line', 'cabinet']`. */
const paramList = (text: string) =>
  text
    .split(/[,\s]+/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);

/** Messages whose key starts with `prefix` (`groups`, `groups[0].tags[1].address`), each with its path. */
function errorsUnder(errors: Map<string, string[]>, prefix: string): string[] {
  const out: string[] = [];
  for (const [key, list] of errors) {
    if (key === prefix) out.push(...list);
    else if (key.startsWith(prefix)) out.push(...list.map((m) => `${key}: ${m}`));
  }
  return out;
}

/**
 * Add (no `name`) or edit a model like a device: name, description, driver and its settings
 * form, the parameter names; the groups and tags as JSON below. Saved whole through
 * `/api/v1/models`; every device built from it restarts with it.
 */
export function ModelFormPage({ name }: { name?: string }) {
  const editing = name !== undefined;
  useDocumentTitle(editing ? `Edit model ${name}` : 'New model');
  const { config, error: configError } = useConfig();
  const { schema, error: schemaError } = useSchema();
  const { configure } = usePermissions();
  const [draft, setDraft] = useState<Draft>();
  const [params, setParams] = useState('');
  const [groupsText, setGroupsText] = useState('');
  const [errors, setErrors] = useState<Map<string, string[]>>(new Map());
  const [error, setError] = useState<ApiError>();
  const [saving, setSaving] = useState(false);
  const model = editing ? config?.models.find((m) => m.name === name) : undefined;

  // The draft starts from the stored model, or from the first driver's defaults.
  useEffect(() => {
    if (!config || !schema || draft) return;
    if (editing) {
      if (!model) return;
      const { groups, params: names, ...fields } = model;
      setDraft(fields);
      setParams(names.join(', '));
      setGroupsText(JSON.stringify(groups, null, 2));
    } else {
      const driver = Object.keys(schema.drivers)[0] ?? '';
      const settingsSchema = schema.drivers[driver]?.settings;
      setDraft({ name: '', description: '', driver, settings: settingsSchema ? withDefaults(settingsSchema) : {} });
      setGroupsText(JSON.stringify(NEW_GROUPS, null, 2));
    }
  }, [config, schema, draft, editing, model]);

  if (configError || schemaError) return <ErrorBox error={configError ?? schemaError} title="Cannot load the form" />;
  if (!config || !schema) return <p class="muted">Loading…</p>;
  if (editing && !model) {
    return (
      <section>
        <h1>Model not found</h1>
        <p>
          There is no model named <strong>{name}</strong>. <Link href="/models">Back to the models</Link>
        </p>
      </section>
    );
  }
  if (!draft) return <p class="muted">Loading…</p>;

  const driver = schema.drivers[draft.driver];
  const modelSchema = subSchema(schema.config, ['models', '[]']) ?? {};
  const formSchema = itemSchemaWithSettings(modelSchema, driver?.settings);
  const users = editing ? usersOf(config, name).length : 0;

  const save = async (e: Event) => {
    e.preventDefault();
    setSaving(true);
    setError(undefined);
    const index = editing ? config.models.findIndex((m) => m.name === name) : config.models.length;
    const prefix = `models[${index}].`;
    try {
      let groups: unknown;
      try {
        groups = JSON.parse(groupsText);
      } catch (err) {
        throw new ApiError(400, 'invalid-config', 'the groups are not valid JSON', [
          `${prefix}groups: not valid JSON (${(err as Error).message})`,
        ]);
      }
      const body: Record<string, unknown> = { ...draft, name: draft.name.trim(), params: paramList(params), groups };
      if (!body.description) delete body.description;
      if (editing) await api('PUT', `/api/v1/models/${encodeURIComponent(name)}`, body);
      else await api('POST', '/api/v1/models', body);
      setErrors(new Map());
      notify(`Model ${body.name} saved.`);
      navigate('/models');
    } catch (err) {
      const apiErr = err instanceof ApiError ? err : new ApiError(0, 'error', String(err));
      setError(humanApiError(apiErr, prefix, formSchema));
      setErrors(humanFieldErrors(apiErr.details, prefix, formSchema));
    } finally {
      setSaving(false);
    }
  };

  const paramErrors = errorsUnder(errors, 'params');
  const groupErrors = errorsUnder(errors, 'groups');
  return (
    <section>
      <nav class="breadcrumbs" aria-label="Breadcrumb">
        <Link href="/models">Models</Link> <span aria-hidden="true">›</span> {name ?? 'new'}
      </nav>
      <h1>{editing ? `Edit model ${name}` : 'New model'}</h1>
      <ReadOnlyBanner what="this model" />
      {users > 0 ? (
        <p class="muted" data-testid="model-users">
          {users} devices are built from this model; saving restarts each of them with the new definition.
        </p>
      ) : null}
      <div class="form-layout">
        <form class="card form-card" onSubmit={save} noValidate aria-label="Model">
          <h2 class="card-title">Model</h2>
          <SchemaForm
            schema={modelSchema}
            omit={['driver', 'settings', 'groups', 'params']}
            value={draft as unknown as Record<string, unknown>}
            onChange={(next) => setDraft(next as unknown as Draft)}
            errors={errors}
            idPrefix="model"
            prepend={
              <DriverPicker
                schema={schema}
                value={draft.driver}
                onChange={(next) => setDraft(withDriver(schema, draft, next))}
                errors={errors}
                idPrefix="model"
                help="The protocol of every device built from this model. Changing it keeps the settings that still apply."
              />
            }
          />
          <div class={`field${paramErrors.length > 0 ? ' has-error' : ''}`}>
            <div class="field-head">
              <label for="model-params" class="field-label">
                Parameters
              </label>
              <code class="field-key">params</code>
            </div>
            <input
              id="model-params"
              type="text"
              value={params}
              placeholder="e.g. line, cabinet"
              spellcheck={false}
              data-testid="model-params"
              onInput={(e) => setParams(e.currentTarget.value)}
            />
            <p class="help">
              Names separated by commas. Each device built from the model gives each one a value; write{' '}
              <code>{'${name}'}</code> in a setting or a tag address (and a device's UNS path) to use it
              {paramList(params).length > 0 ? (
                <>
                  {' '}
                  — here:{' '}
                  {paramList(params).map((p, i) => (
                    <span key={p}>
                      {i > 0 ? ', ' : ''}
                      <code>{`\${${p}}`}</code>
                    </span>
                  ))}
                </>
              ) : null}
              .
            </p>
            <FieldErrors messages={paramErrors} />
          </div>
          <DriverSettings
            schema={schema}
            driver={draft.driver}
            value={draft.settings}
            onChange={(settings) => setDraft({ ...draft, settings })}
            errors={errors}
            allOptional
          />
          <p class="help">
            These are defaults: a device's own settings win (typically its host and unit id). A text setting may use a
            parameter as <code>{'${name}'}</code>.
          </p>
          <h2 class="card-title">Groups and tags (JSON)</h2>
          <div class={`field${groupErrors.length > 0 ? ' has-error' : ''}`}>
            <label for="model-groups" class="field-label">
              The model's groups and their tags, as in the configuration file
            </label>
            <textarea
              id="model-groups"
              rows={16}
              value={groupsText}
              spellcheck={false}
              data-testid="model-groups-json"
              onInput={(e) => setGroupsText(e.currentTarget.value)}
            />
            <p class="help">
              A list of groups: <code>{'{"name", "intervalMs", "tags": [{"name", "address", "type", "unit"}]}'}</code>.
              Tag addresses may use parameters, e.g. <code>{'"hr:${base}"'}</code>.
            </p>
            <FieldErrors messages={groupErrors} />
          </div>
          <div class="form-actions">
            <button type="submit" class="button primary" disabled={saving || !configure}>
              {saving ? 'Saving…' : 'Save model'}
            </button>
            <Link class="button" href="/models">
              Cancel
            </Link>
          </div>
        </form>
        <aside class="form-aside">
          {error ? (
            <ErrorBox error={error} title="Not saved" />
          ) : (
            <div class="card hint-card">
              <h2 class="card-title">How saving works</h2>
              <p>
                Saving checks the whole configuration first. If anything is wrong, nothing changes and every problem is
                listed here and under its field.
              </p>
              <p>Every device built from this model restarts with the new definition; other devices keep polling.</p>
            </div>
          )}
        </aside>
      </div>
    </section>
  );
}
