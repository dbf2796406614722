import { ACK_SUFFIX, ALARM_LEVEL, alarmId } from '../../core/alarms/alarm-service.js';
import type { AlarmPayload, AlarmStatus } from '../../core/alarms/alarm-types.js';
import { errorCode, errorMessage, GatewayError } from '../../core/errors.js';
import { parseExact, stringifyExact } from '../../core/json.js';
import type { NorthContext, NorthDevice } from '../../core/plugin.js';
import { joinTopic, tagTopic } from '../../core/uns.js';

export interface AckTarget {
  device: string;
  id: string;
}

/** The `{tag topic}/_alarm/{alarm}/_ack` topics of an app's devices, and the alarm each acknowledges. */
export class AckTargets {
  private targets = new Map<string, AckTarget>();

  refresh(devices: NorthDevice[]): void {
    this.targets = new Map();
    for (const d of devices) {
      for (const g of d.config.groups) {
        for (const t of g.tags) {
          for (const a of t.alarms ?? []) {
            const topic = joinTopic(tagTopic(d.topic, t.name), ALARM_LEVEL, a.name) + ACK_SUFFIX;
            this.targets.set(topic, { device: d.config.name, id: alarmId(d.config.name, t.name, a.name) });
          }
        }
      }
    }
  }

  /** Every `_ack` topic of the devices `wanted` accepts. */
  topics(wanted: (device: string) => boolean): string[] {
    const topics: string[] = [];
    for (const [topic, target] of this.targets) if (wanted(target.device)) topics.push(topic);
    return topics;
  }

  match(topic: string): AckTarget | undefined {
    return this.targets.get(topic);
  }
}

/** SPEC §3.5: `{"state", "acked", "severity", "message", "value", "timestamp", "activeSince"?, "quality"?}`. */
export function alarmPayload(alarm: AlarmStatus): string {
  const p: AlarmPayload = {
    state: alarm.state,
    acked: alarm.acked,
    severity: alarm.severity,
    message: alarm.message,
    value: alarm.value,
    timestamp: alarm.timestamp,
  };
  if (alarm.activeSince !== undefined) p.activeSince = alarm.activeSince;
  if (alarm.quality !== undefined) p.quality = alarm.quality;
  return stringifyExact(p);
}

/** `_ack` payload: `{"by": "…", "comment": "…"}`; `by` is required, `comment` may be left out. */
export function parseAckPayload(payload: Buffer): { by: string; comment: string } {
  let parsed: unknown;
  try {
    parsed = parseExact(payload.toString('utf8'));
  } catch {
    throw new GatewayError('invalid-value', 'payload is not JSON; send {"by": "name", "comment": "…"}');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new GatewayError('invalid-value', 'payload must be an object: {"by": "name", "comment": "…"}');
  }
  const { by, comment } = parsed as Record<string, unknown>;
  if (typeof by !== 'string' || by.trim() === '') {
    throw new GatewayError('invalid-value', '"by" must name who acknowledges');
  }
  if (comment !== undefined && typeof comment !== 'string') {
    throw new GatewayError('invalid-value', '"comment" must be a string');
  }
  return { by, comment: comment ?? '' };
}

/** Acts on an `_ack` message this app owns; a retained or malformed one is logged and ignored. */
export function acknowledge(
  ctx: NorthContext,
  target: AckTarget,
  topic: string,
  payload: Buffer,
  retained: boolean,
): void {
  if (retained) {
    // A retained acknowledgement would be replayed on every reconnect: never act on it.
    if (payload.length > 0)
      ctx.log.warn({ topic }, 'ignored a retained acknowledgement; publish _ack without the retain flag');
    return;
  }
  try {
    const { by, comment } = parseAckPayload(payload);
    ctx.alarms.ack(target.id, by, comment);
  } catch (err) {
    ctx.log.info({ topic, error: errorCode(err) }, `acknowledgement refused: ${errorMessage(err)}`);
  }
}
