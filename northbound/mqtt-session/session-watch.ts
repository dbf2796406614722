/**
 * Explains broker connection losses that mqtt.js reports only as `close`, for the `mqtt` and
 * `sparkplug-b` plugins: a broker that closes the socket without a CONNACK (e.g. a
 * 3.1.1-only broker such as RabbitMQ's MQTT plugin offered MQTT 5), and a connection that the
 * broker ends again and again right after accepting it (another client with the same client
 * id: each new connection with that id ends the other's).
 */

/** A connection ended within this time after CONNACK counts as "right after". */
export const SHORT_SESSION_MS = 10_000;
/** Short sessions counted within this window … */
export const TAKEOVER_WINDOW_MS = 60_000;
/** … and this many of them in a row suggest a client id shared with another client. */
export const TAKEOVER_SHORT_SESSIONS = 3;

/** MQTT 5 DISCONNECT reason code 0x8E: another connection with the same client id took over. */
const SESSION_TAKEN_OVER = 0x8e;

/** Socket errors that only mean "the broker closed it" (said better by the diagnosis). */
const CLOSED_BY_PEER = new Set(['ECONNRESET', 'EPIPE']);

export interface CloseExplanation {
  text: string;
  /** False while the same explanation applied to the previous close too (log it once, not per retry). */
  fresh: boolean;
}

export class BrokerSessionWatch {
  private acceptedAt: number | undefined;
  private errored = false;
  private takenOver = false;
  private shortSessions: number[] = [];
  /** The client id warning, kept while connections stay short (the state is mostly `connected` then). */
  private takeoverWarning: string | undefined;
  private lastExplained: string | undefined;

  constructor(
    private readonly protocolVersion: 4 | 5,
    private readonly clientId: string,
  ) {}

  /** A new connection attempt begins. */
  connecting(): void {
    this.acceptedAt = undefined;
    this.errored = false;
    this.takenOver = false;
  }

  /** mqtt.js reported an error on this attempt (it says what happened better than we can). */
  error(err: Error & { code?: unknown }): void {
    if (typeof err.code === 'string' && CLOSED_BY_PEER.has(err.code)) return;
    this.errored = true;
  }

  accepted(now = Date.now()): void {
    this.acceptedAt = now;
  }

  /** The broker sent an MQTT 5 DISCONNECT. */
  disconnectPacket(reasonCode: number | undefined): void {
    if (reasonCode === SESSION_TAKEN_OVER) this.takenOver = true;
  }

  /** The connection closed: an explanation when there is one worth showing, else undefined. */
  closed(now = Date.now()): CloseExplanation | undefined {
    const text = this.explain(now);
    const fresh = text !== this.lastExplained;
    this.lastExplained = text;
    return text === undefined ? undefined : { text, fresh };
  }

  private explain(now: number): string | undefined {
    if (this.acceptedAt === undefined) {
      if (this.errored) return undefined;
      return this.protocolVersion === 5
        ? 'the broker closed the connection before accepting it — does it support MQTT 5? try protocolVersion 4'
        : 'the broker closed the connection before accepting it — does it accept this client (user name, client id, MQTT 3.1.1)?';
    }
    if (this.takenOver) return this.takeover('the broker says another connection with the same client id took over');
    if (now - this.acceptedAt > SHORT_SESSION_MS) {
      this.shortSessions = [];
      this.takeoverWarning = undefined;
      return undefined;
    }
    this.shortSessions = this.shortSessions.filter((t) => now - t < TAKEOVER_WINDOW_MS);
    this.shortSessions.push(now);
    if (this.shortSessions.length < TAKEOVER_SHORT_SESSIONS) return undefined;
    return this.takeover('the broker closed the connection again and again within seconds of accepting it');
  }

  /** A warning that holds even while connected: until a connection outlives SHORT_SESSION_MS. */
  warning(now = Date.now()): string | undefined {
    if (this.takeoverWarning && this.acceptedAt !== undefined && now - this.acceptedAt > SHORT_SESSION_MS) {
      this.takeoverWarning = undefined;
    }
    return this.takeoverWarning;
  }

  private takeover(what: string): string {
    this.takeoverWarning = `${what}: another client may be using the same client id "${this.clientId}" (give each gateway and north app its own clientId)`;
    return this.takeoverWarning;
  }
}
