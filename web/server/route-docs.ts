import type { FastifySchema } from 'fastify';

declare module 'fastify' {
  interface FastifySchema {
    /**
     * A request body shown in /api/docs only. Fastify never sees it as `body`: bodies are
     * checked by the configuration schema, which reports every error in the API's own format.
     */
    documentedBody?: unknown;
    /** The path shown in /api/docs when the route pattern says less (e.g. `…/tags/:tag/write`). */
    documentedUrl?: string;
  }
}

/** The sections of /api/docs. */
export type ApiSection =
  | 'Auth'
  | 'Config'
  | 'Devices'
  | 'Models'
  | 'Groups'
  | 'Tags'
  | 'North'
  | 'Values'
  | 'Users'
  | 'Tools'
  | 'Certificates'
  | 'Operations'
  | 'Audit'
  | 'Alarms';

/** A route's description for /api/docs: section, one-line summary, and its parameters. */
export function routeDocs(section: ApiSection, summary: string, more: FastifySchema = {}): FastifySchema {
  return { summary, tags: [section], ...more };
}

function stringProperties(descriptions: Record<string, string>) {
  return Object.fromEntries(
    Object.entries(descriptions).map(([name, description]) => [name, { type: 'string', description }]),
  );
}

/**
 * Path parameters. Fastify passes them as strings, so this schema never refuses a request;
 * `*` is the rest of the path, always a tag name here (tag names may contain `/`).
 */
export function pathParams(descriptions: Record<string, string>) {
  return { type: 'object', properties: stringProperties(descriptions), required: Object.keys(descriptions) };
}

/** Optional query parameters (strings; the handler checks their values and says what is wrong). */
export function queryParams(descriptions: Record<string, string>) {
  return { type: 'object', properties: stringProperties(descriptions) };
}

export const DEVICE_PARAM = { device: 'Device name' };
export const CONFIG_FORMAT_QUERY = queryParams({ format: 'json (default) or yaml' });
export const GROUP_PARAM = { ...DEVICE_PARAM, group: 'Group name' };
export const TAG_PARAM = { ...GROUP_PARAM, '*': 'Tag name; may contain "/"' };
