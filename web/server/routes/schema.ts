import type { FastifyInstance } from 'fastify';
import type { DriverManifest, NorthManifest } from '../../../core/plugin.js';
import type { PluginRegistry } from '../../../core/registry.js';
import type { DriverSchemaEntry, NorthSchemaEntry, SchemaDocument } from '../../../core/schema-document.js';
import { routeDocs } from '../route-docs.js';

function driverEntry(d: DriverManifest, registry: PluginRegistry): DriverSchemaEntry {
  return {
    title: d.title,
    apiVersion: d.apiVersion,
    settings: d.settingsSchema,
    tag: registry.tagSchema(d.name) ?? {},
    capabilities: d.capabilities,
    address: d.address,
    ...(d.probeAddress ? { probeAddress: d.probeAddress } : {}),
    ...(d.certificates ? { certificateUntrustedCode: d.certificates.untrustedCode } : {}),
    metrics: d.metrics ?? [],
  };
}

function northEntry(n: NorthManifest): NorthSchemaEntry {
  return {
    title: n.title,
    apiVersion: n.apiVersion,
    settings: n.settingsSchema,
    probe: n.probe !== undefined,
    metrics: n.metrics ?? [],
  };
}

/**
 * `GET /api/v1/schema`: the configuration's JSON Schema and every plugin's manifest (settings
 * schema, tag schema, capabilities, address help, metrics) with the table of error codes, so
 * that the UI generates its forms, buttons and explanations from what validates files and the API.
 */
export function registerSchema(app: FastifyInstance, registry: PluginRegistry): void {
  const document: SchemaDocument = {
    config: registry.configSchema,
    drivers: Object.fromEntries([...registry.drivers.values()].map((d) => [d.name, driverEntry(d, registry)])),
    north: Object.fromEntries([...registry.north.values()].map((n) => [n.name, northEntry(n)])),
    errors: registry.errors,
  };
  app.get(
    '/api/v1/schema',
    { schema: routeDocs('Config', 'JSON Schema of the configuration, every plugin’s manifest and the error codes') },
    async () => document,
  );
}
