import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { LOG_LEVELS, type LogLevelName, logLevelsOf } from '../../../core/log-levels.js';
import type { Runtime } from '../../../core/runtime.js';
import { allow } from '../auth.js';
import { sendError } from '../errors.js';
import { routeDocs } from '../route-docs.js';

const DEFAULT_REVERT_SECONDS = 600;
const MAX_REVERT_SECONDS = 24 * 3600;

interface LevelRequest {
  target?: unknown;
  level?: unknown;
  revertAfterSeconds?: unknown;
}

/** Whether a target names the gateway or a configured device / north app. */
function knownTarget(runtime: Runtime, target: string): boolean {
  if (target === 'gateway') return true;
  const [kind, ...rest] = target.split(':');
  const name = rest.join(':');
  if (kind === 'device') return runtime.config.devices.some((d) => d.name === name);
  if (kind === 'north') return runtime.config.north.some((n) => n.name === name);
  return false;
}

/**
 * `PUT /api/v1/log-level` raises (or lowers) the log level of one device, north app or the
 * whole gateway for a while; it reverts by itself. `GET` lists the overrides in force.
 */
export function registerLogLevel(app: FastifyInstance, runtime: Runtime, log: Logger): void {
  const levels = logLevelsOf(log);

  app.get(
    '/api/v1/log-level',
    { schema: routeDocs('Operations', 'Log level overrides in force') },
    async () => levels?.list() ?? [],
  );

  app.put<{ Body: LevelRequest }>(
    '/api/v1/log-level',
    {
      schema: routeDocs('Operations', 'Raise a log level for a while (operator or admin)', {
        documentedBody: Type.Object({
          target: Type.String({ description: 'gateway, device:NAME or north:NAME' }),
          level: Type.Union(LOG_LEVELS.map((l) => Type.Literal(l))),
          revertAfterSeconds: Type.Optional(
            Type.Integer({ minimum: 1, maximum: MAX_REVERT_SECONDS, default: DEFAULT_REVERT_SECONDS }),
          ),
        }),
      }),
    },
    async (req, reply) => {
      // Operational, like restarting a device: operators may, viewers may not.
      if (!allow(req, reply, ['admin', 'operator'])) return reply;
      if (!levels) return sendError(reply, 400, 'not-supported', 'this logger does not take runtime levels');
      const { target, level, revertAfterSeconds = DEFAULT_REVERT_SECONDS } = req.body ?? {};
      if (typeof target !== 'string' || !/^(gateway|device:.+|north:.+)$/.test(target)) {
        return sendError(reply, 400, 'invalid-value', 'target must be "gateway", "device:NAME" or "north:NAME"');
      }
      if (typeof level !== 'string' || !(LOG_LEVELS as readonly string[]).includes(level)) {
        return sendError(reply, 400, 'invalid-value', `level must be one of ${LOG_LEVELS.join(', ')}`);
      }
      if (
        typeof revertAfterSeconds !== 'number' ||
        !Number.isInteger(revertAfterSeconds) ||
        revertAfterSeconds < 1 ||
        revertAfterSeconds > MAX_REVERT_SECONDS
      ) {
        return sendError(reply, 400, 'invalid-value', `revertAfterSeconds must be an integer 1..${MAX_REVERT_SECONDS}`);
      }
      if (!knownTarget(runtime, target)) return sendError(reply, 404, 'not-found', `no ${target.replace(':', ' ')}`);
      const override = levels.set(target, level as LogLevelName, revertAfterSeconds);
      // `level` is pino's own field; the new level goes under another name.
      log.info(
        { target, newLevel: level, revertAfterSeconds, user: req.user?.username },
        'log level changed until it reverts',
      );
      return override;
    },
  );
}
