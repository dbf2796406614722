/**
 * What the gateway's plugins declare, as `GET /api/v1/schema` sends it: the error table
 * (explanations, advice) and which codes mean "trust the server certificate". Loaded once
 * after login, so that any page explains a plugin's error codes the way its manifest does.
 */
import { adviceFrom, explainFrom } from '../../../core/error-table';
import { CORE_ERRORS } from '../../../core/errors';
import { api } from './api';
import type { DriverSchema, SchemaDoc } from './types';

let schemaLoad: Promise<SchemaDoc> | undefined;
let errorTable = CORE_ERRORS;
let untrustedCodes = new Set<string>();

/** `GET /api/v1/schema`, fetched once per page load (again after a failure). */
export function loadSchema(): Promise<SchemaDoc> {
  schemaLoad ??= api<SchemaDoc>('GET', '/api/v1/schema').then(
    (doc) => {
      errorTable = doc.errors;
      untrustedCodes = new Set(
        Object.values(doc.drivers).flatMap((d) => (d.certificateUntrustedCode ? [d.certificateUntrustedCode] : [])),
      );
      return doc;
    },
    (err: unknown) => {
      schemaLoad = undefined;
      throw err;
    },
  );
  return schemaLoad;
}

/** A one-line explanation of an error code (`modbus-exception-2` → "illegal data address: …"). */
export function explainCode(code: string | undefined): string | undefined {
  return code ? explainFrom(errorTable, code) : undefined;
}

/** What to do about a plugin's error code, as its manifest says. */
export function pluginAdvice(code: string): string | undefined {
  return adviceFrom(errorTable, code);
}

/** The device waits for its server certificate to be trusted on the Certificates page. */
export function isCertificateUntrusted(code: string | undefined): boolean {
  return code !== undefined && untrustedCodes.has(code);
}

/** A driver's manifest entry, if the gateway has that driver. */
export function driverOf(schema: SchemaDoc | undefined, driver: string | undefined): DriverSchema | undefined {
  return schema && driver !== undefined ? schema.drivers[driver] : undefined;
}
