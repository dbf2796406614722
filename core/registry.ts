import { type TProperties, type TSchema, Type } from '@sinclair/typebox';
import { buildConfigSchema, TAG_FIELDS, tagSchemaWith } from './config/schema.js';
import { type ErrorDeclaration, explainFrom, httpStatusFrom } from './error-table.js';
import { CORE_ERRORS } from './errors.js';
import { type DriverManifest, type NorthManifest, PLUGIN_API_VERSION, type PluginManifest } from './plugin.js';

/** The drivers and north plugins available to this gateway, by name, and what is made of them. */
export interface PluginRegistry {
  drivers: ReadonlyMap<string, DriverManifest>;
  north: ReadonlyMap<string, NorthManifest>;
  /** The configuration's schema, tags with every driver's own fields. */
  configSchema: TSchema;
  /** Every error code: the core's, then each plugin's. */
  errors: readonly ErrorDeclaration[];
  /** A driver's tag schema: the core's fields with the driver's own (its overrides in place). */
  tagSchema(driver: string): TSchema | undefined;
  /** Tag fields some driver adds, with the drivers that declare each. */
  driverTagFields: ReadonlyMap<string, readonly string[]>;
  /** The schema each driver tag field has in `configSchema` (anything, when drivers declare it differently). */
  mergedTagFields: TProperties;
  /** One line for people about an error code; undefined if nobody declared it. */
  explain(code: string): string | undefined;
  /** HTTP status of an API answer failing with `code` (500 when undeclared). */
  httpStatus(code: string): number;
}

/** A manifest the core cannot run: its problem in words, thrown before anything starts. */
function manifestProblem(m: PluginManifest, kind: PluginManifest['kind']): string | undefined {
  if (m.kind !== kind) return `is a ${m.kind} plugin, registered as a ${kind}`;
  if (m.apiVersion !== PLUGIN_API_VERSION) {
    return `was written for plugin API version ${m.apiVersion}; this gateway runs version ${PLUGIN_API_VERSION}`;
  }
  if (!/^[a-z0-9][a-z0-9-]*$/.test(m.name)) return 'needs a name of lower-case letters, digits and "-"';
  for (const e of m.errors ?? []) {
    if (!e.code.includes('-')) return `declares error code "${e.code}": plugin codes carry a prefix and "-"`;
  }
  return undefined;
}

function byName<M extends PluginManifest>(list: M[], kind: M['kind']): Map<string, M> {
  const map = new Map<string, M>();
  for (const m of list) {
    const problem = manifestProblem(m, kind) ?? (map.has(m.name) ? 'is registered twice' : undefined);
    if (problem) throw new Error(`${kind} plugin "${m.name}" ${problem}`);
    map.set(m.name, m);
  }
  return map;
}

/**
 * Tag fields of the configuration schema that drivers add: one driver's declaration as it
 * is, a field two drivers declare differently accepted as anything here and checked per
 * device against its driver's. Core fields a driver narrows (Modbus `length`) stay the core's.
 */
function mergedTagFields(drivers: Iterable<DriverManifest>): { fields: TProperties; owners: Map<string, string[]> } {
  const fields: TProperties = {};
  const owners = new Map<string, string[]>();
  for (const d of drivers) {
    for (const [field, schema] of Object.entries(d.tagFields ?? {})) {
      if (TAG_FIELDS.includes(field)) continue;
      owners.set(field, [...(owners.get(field) ?? []), d.name]);
      const known = fields[field];
      fields[field] = known === undefined || known === schema ? schema : Type.Optional(Type.Unknown());
    }
  }
  return { fields, owners };
}

export function createRegistry(drivers: DriverManifest[], north: NorthManifest[]): PluginRegistry {
  const driverMap = byName(drivers, 'driver');
  const northMap = byName(north, 'north');
  const { fields, owners } = mergedTagFields(driverMap.values());
  const errors = [...CORE_ERRORS, ...[...driverMap.values(), ...northMap.values()].flatMap((m) => m.errors ?? [])];
  const tagSchemas = new Map<string, TSchema>();
  return {
    drivers: driverMap,
    north: northMap,
    configSchema: buildConfigSchema(fields),
    errors,
    driverTagFields: owners,
    mergedTagFields: fields,
    tagSchema(driver) {
      const manifest = driverMap.get(driver);
      if (!manifest) return undefined;
      let schema = tagSchemas.get(driver);
      if (!schema) {
        const examples = manifest.address.examples.map((e) => e.address).join(', ');
        const addressHelp =
          manifest.capabilities.derivesValues === true
            ? false
            : `${manifest.address.text}${examples ? ` E.g. ${examples}.` : ''}`;
        schema = tagSchemaWith(manifest.tagFields ?? {}, addressHelp);
        tagSchemas.set(driver, schema);
      }
      return schema;
    },
    explain: (code) => explainFrom(errors, code),
    httpStatus: (code) => httpStatusFrom(errors, code),
  };
}
