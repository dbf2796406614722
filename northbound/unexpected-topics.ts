import type { Logger } from 'pino';

/** Topics remembered as already reported; past this, nothing more is logged (bounded memory). */
const MAX_REPORTED = 100;

/**
 * Logs, once per topic, a message that arrived on a subscription but matches nothing the app
 * expects — e.g. a broker that rewrote the topic (RabbitMQ turns `.` into `/`), so that a
 * request is not silently lost without a trace.
 */
export class UnexpectedTopics {
  private readonly reported = new Set<string>();

  constructor(private readonly log: Logger) {}

  report(topic: string, expected: string): void {
    this.once(
      topic,
      `ignored a message on "${topic}": it matches no ${expected} (does the broker rewrite topics? RabbitMQ turns "." into "/")`,
    );
  }

  /** A request under a device's topic for a tag the device does not have (a typo, or another gateway's tag). */
  reportUnknownTag(topic: string, device: string, tag: string): void {
    this.once(topic, `ignored a write request on "${topic}": device "${device}" has no tag "${tag}"`);
  }

  private once(topic: string, message: string): void {
    if (this.reported.has(topic) || this.reported.size >= MAX_REPORTED) return;
    this.reported.add(topic);
    this.log.warn({ topic }, message);
  }
}

/** A topic as RabbitMQ's MQTT plugin delivers it: every `.` becomes a level separator. */
export function dotsAsLevels(topic: string): string {
  return topic.replaceAll('.', '/');
}
