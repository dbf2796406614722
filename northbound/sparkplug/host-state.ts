/**
 * The primary host application's STATE (Sparkplug 3.0 §4.2.3): retained JSON
 * `{"online": true|false, "timestamp": ms}` on spBv1.0/STATE/{host id}. A message older
 * than the newest one seen is stale (a late retained copy) and ignored.
 */
export class PrimaryHostState {
  private isOnline = false;
  private newest = Number.NEGATIVE_INFINITY;

  constructor(readonly hostId: string) {}

  get online(): boolean {
    return this.isOnline;
  }

  /** A new MQTT session must see the host online again before it births. */
  reset(): void {
    this.isOnline = false;
  }

  /** Takes a STATE message; returns 'online' or 'offline' when the host's state changed, else undefined. */
  update(payload: Buffer): 'online' | 'offline' | undefined {
    const state = parseStatePayload(payload);
    if (!state) return undefined;
    if (state.timestamp !== undefined) {
      if (state.timestamp < this.newest) return undefined;
      this.newest = state.timestamp;
    }
    if (state.online === this.isOnline) return undefined;
    this.isOnline = state.online;
    return state.online ? 'online' : 'offline';
  }
}

export function parseStatePayload(payload: Buffer): { online: boolean; timestamp?: number } | undefined {
  const text = payload.toString('utf8').trim();
  // Sparkplug 2.2 hosts sent plain ONLINE / OFFLINE.
  if (text === 'ONLINE' || text === 'OFFLINE') return { online: text === 'ONLINE' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { online, timestamp } = parsed as { online?: unknown; timestamp?: unknown };
  if (typeof online !== 'boolean') return undefined;
  return typeof timestamp === 'number' && Number.isFinite(timestamp) ? { online, timestamp } : { online };
}
