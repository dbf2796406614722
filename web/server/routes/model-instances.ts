import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DeviceEntry } from '../../../core/config/schema.js';
import { redactSecrets, restoreSecrets } from '../../../core/config/secrets.js';
import { GatewayError } from '../../../core/errors.js';
import type { Runtime } from '../../../core/runtime.js';
import { sendError, sendGatewayError } from '../errors.js';
import { ApiRefusal, type EditableConfig } from './config-edit.js';

/** Keys a row may give as they are; any other key is a parameter of the model or else a setting. */
const DEVICE_KEYS = new Set(['name', 'enabled', 'uns', 'settings', 'params', 'groups', 'reconnectMaxMs', 'model']);

/**
 * The rows of a bulk creation as device entries built from `model`. A row is a device as in
 * the configuration file without `model`, or flat: `{"name", "uns", "host": …, "line": …}`,
 * where a parameter's name goes to `params` and any other key to `settings`.
 */
export function instancesIn(body: unknown, model: string, paramNames: readonly string[]): DeviceEntry[] {
  const list = Array.isArray(body) ? body : (body as { devices?: unknown } | null)?.devices;
  if (!Array.isArray(list) || list.length === 0) {
    throw new ApiRefusal(400, 'invalid-request', 'send {"devices": [{"name": …, "uns": …, "settings": {…}}, …]}');
  }
  const problems: string[] = [];
  const rows = list.map((row, i) => {
    if (!row || typeof row !== 'object' || Array.isArray(row)) {
      problems.push(`rows[${i}]: must be an object with at least a name`);
      return {} as DeviceEntry;
    }
    const entry: Record<string, unknown> = {};
    const settings: Record<string, unknown> = {};
    const params: Record<string, string> = {};
    for (const [key, value] of Object.entries(row as Record<string, unknown>)) {
      if (DEVICE_KEYS.has(key)) entry[key] = value;
      else if (paramNames.includes(key)) params[key] = String(value);
      else settings[key] = value;
    }
    if (entry.model !== undefined && entry.model !== model) {
      problems.push(`rows[${i}].model: the rows are devices of model ${model}; leave model out`);
    }
    entry.model = model;
    if (Object.keys(settings).length > 0) entry.settings = { ...(entry.settings as object | undefined), ...settings };
    if (Object.keys(params).length > 0) entry.params = { ...(entry.params as object | undefined), ...params };
    return entry as unknown as DeviceEntry;
  });
  if (problems.length > 0) throw new ApiRefusal(400, 'invalid-config', 'the rows are invalid', problems);
  return rows;
}

/** `devices[12].params.line: is required` → `rows[2] (meter-03): params.line: is required`. */
function byRow(details: readonly string[], first: number, rows: readonly DeviceEntry[]): string[] {
  return details.map((d) => {
    const m = /^devices\[(\d+)\](?:\.)?(.*)$/s.exec(d);
    const i = m ? Number(m[1]) - first : -1;
    if (!m || i < 0 || i >= rows.length) return d;
    const name = typeof rows[i]?.name === 'string' ? ` (${rows[i]?.name})` : '';
    return `rows[${i}]${name}: ${m[2]}`;
  });
}

/**
 * Adds the rows as devices of `model` in one change: all of them, or none with every problem
 * named by its row. Answers the request itself; returns the created names, or undefined.
 */
export async function createInstances(
  req: FastifyRequest,
  reply: FastifyReply,
  runtime: Runtime,
  model: string,
): Promise<{ created: string[]; restarted: { devices: string[]; north: string[] } } | undefined> {
  let rows: DeviceEntry[] = [];
  let first = 0;
  try {
    const restarted = await runtime.updateConfig(
      (current) => {
        const doc = redactSecrets(current, runtime.registry) as unknown as EditableConfig;
        const found = doc.models.find((m) => m.name === model);
        if (!found) throw new ApiRefusal(404, 'unknown-model', `no model named "${model}"`);
        rows = instancesIn(req.body, model, found.params);
        first = doc.devices.length;
        doc.devices.push(...rows);
        return { document: restoreSecrets(doc, current, runtime.registry) };
      },
      { source: `api: create devices from model ${model}`, user: req.user?.username, address: req.ip },
    );
    return { created: rows.map((r) => r.name), restarted };
  } catch (err) {
    if (err instanceof ApiRefusal) sendError(reply, err.status, err.code, err.message, err.details);
    else if (err instanceof GatewayError && err.code === 'invalid-config') {
      sendError(reply, 400, err.code, 'no device was created: the rows are invalid', byRow(err.details, first, rows));
    } else sendGatewayError(reply, err);
    return undefined;
  }
}
