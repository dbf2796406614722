import type { FastifyInstance } from 'fastify';
import { stringifyExact } from '../../../core/json.js';
import { logTap } from '../../../core/log-tap.js';
import type { Runtime } from '../../../core/runtime.js';
import type { OpenStreams } from '../open-streams.js';
import { routeDocs } from '../route-docs.js';

/** Bytes a slow SSE client may have unsent before it is dropped (it reconnects and re-reads /values). */
const MAX_BACKLOG_BYTES = 4 * 1024 * 1024;

/**
 * `GET /api/v1/events`: Server-Sent Events. `value` events carry published values
 * (`{device, group, tag, topic, value, timestamp, quality, error?}`), `state` events
 * device states (`{device, state, timestamp, error?}`), `alarm` events every change of an
 * alarm (as one entry of `GET /api/v1/alarms`), `log` events log lines
 * (`{level, time, msg, device?, north?}`); a comment every 15 s keeps
 * proxies from closing the stream. The stream ends when its login does (signed out
 * elsewhere, password or role changed, user deleted).
 */
export function registerEvents(app: FastifyInstance, runtime: Runtime, streams: OpenStreams): void {
  app.get(
    '/api/v1/events',
    { schema: routeDocs('Values', 'Server-Sent Events: value, state, alarm and log events') },
    (req, reply) => {
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write('retry: 2000\n\n');
      const send = (event: string, data: unknown) => {
        if (res.writableLength > MAX_BACKLOG_BYTES) {
          res.destroy();
          return;
        }
        res.write(`event: ${event}\ndata: ${stringifyExact(data)}\n\n`);
      };
      const unsubscribe = runtime.gateway.bus.subscribe({
        reading: (r) => {
          for (const item of r.items) {
            if (!item.publish) continue;
            send('value', {
              device: r.device,
              group: r.group,
              tag: item.tag.name,
              topic: item.topic,
              ...item.value,
            });
          }
        },
        state: (device, state) => send('state', { device, ...state }),
      });
      const unsubscribeAlarms = runtime.gateway.alarms.subscribe((alarm) => send('alarm', alarm));
      const unsubscribeLog = logTap.subscribe((line) => send('log', line));
      const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
      const forget =
        req.user && req.authToken
          ? streams.add({ token: req.authToken, role: req.user.role, end: () => res.end() })
          : () => undefined;
      req.raw.on('close', () => {
        clearInterval(ping);
        unsubscribe();
        unsubscribeAlarms();
        unsubscribeLog();
        forget();
      });
      reply.hijack();
    },
  );
}
