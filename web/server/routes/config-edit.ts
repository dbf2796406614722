import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config, GatewayFileConfig } from '../../../core/config/schema.js';
import { redactSecrets, restoreSecrets } from '../../../core/config/secrets.js';
import type { PluginRegistry } from '../../../core/registry.js';
import type { Runtime } from '../../../core/runtime.js';
import { sendError, sendGatewayError } from '../errors.js';

/**
 * The configuration as the API shows it (secrets as `********`), a copy an edit may change.
 * What an edit puts in is unchecked until the whole document is validated.
 */
export type EditableConfig = GatewayFileConfig;

/** A refusal decided by a route (unknown name, duplicate name, body of the wrong shape). */
export class ApiRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

/** A device or north app renamed by an edit: its stored secrets follow it to the new name. */
export interface Renamed {
  kind: 'devices' | 'north';
  from: string;
  to: string;
}

export function shownConfig(runtime: Runtime): EditableConfig {
  return redactSecrets(runtime.config, runtime.registry) as unknown as EditableConfig;
}

/** Answers with what `read` returns, or with its refusal (e.g. 404 for an unknown name). */
export function answerRead(reply: FastifyReply, read: () => unknown) {
  try {
    return read();
  } catch (err) {
    if (err instanceof ApiRefusal) return sendError(reply, err.status, err.code, err.message, err.details);
    throw err;
  }
}

/** Secrets are looked up by name, so a renamed item is restored under its old name. */
function restoreRenamed(doc: EditableConfig, current: Config, registry: PluginRegistry, renamed?: Renamed): unknown {
  const list = renamed ? (doc[renamed.kind] as Array<{ name: string }>) : [];
  const index = renamed ? list.findIndex((item) => item.name === renamed.to) : -1;
  const item = list[index];
  if (!renamed || !item) return restoreSecrets(doc, current, registry);
  item.name = renamed.from;
  const restored = restoreSecrets(doc, current, registry) as EditableConfig;
  (restored[renamed.kind][index] as { name: string }).name = renamed.to;
  return restored;
}

/**
 * One change through the API: `edit` changes the configuration as the API shows it (and may
 * throw an ApiRefusal), secrets are put back, and the whole document is validated, stored
 * with `source` in the history and applied as a diff. Answers any refusal itself and then
 * returns undefined; otherwise returns what was restarted.
 */
export async function applyEdit(
  req: FastifyRequest,
  reply: FastifyReply,
  runtime: Runtime,
  source: string,
  edit: (doc: EditableConfig) => Renamed | undefined,
): Promise<{ devices: string[]; north: string[] } | undefined> {
  try {
    return await runtime.updateConfig(
      (current) => {
        const doc = redactSecrets(current, runtime.registry) as unknown as EditableConfig;
        const renamed = edit(doc);
        const document = restoreRenamed(doc, current, runtime.registry, renamed);
        // A renamed north app keeps its undelivered messages.
        return { document, renamedNorth: renamed?.kind === 'north' ? renamed : undefined };
      },
      { source, user: req.user?.username, address: req.ip },
    );
  } catch (err) {
    if (err instanceof ApiRefusal) sendError(reply, err.status, err.code, err.message, err.details);
    else sendGatewayError(reply, err);
    return undefined;
  }
}
