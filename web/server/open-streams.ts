import type { Db } from '../../core/store/db.js';
import { userForToken } from '../../core/store/sessions.js';
import type { Role } from '../../core/store/users.js';

/** How often open streams are checked against the store (a `tagwire passwd` runs in another process). */
export const STREAM_RECHECK_MS = 5_000;

interface OpenStream {
  token: string;
  role: Role;
  end(): void;
}

/**
 * Long-lived responses (Server-Sent Events) end when the login they were opened with does:
 * a signed-out session, a revoked token, a deleted user or a changed role. Checked right
 * after such a change through the API and every few seconds for changes made elsewhere.
 */
export class OpenStreams {
  private readonly streams = new Set<OpenStream>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly db: Db,
    recheckMs = STREAM_RECHECK_MS,
  ) {
    this.timer = setInterval(() => this.recheck(), recheckMs);
    this.timer.unref();
  }

  /** Registers a stream; returns the function that forgets it (call it when the stream closes). */
  add(stream: OpenStream): () => void {
    this.streams.add(stream);
    return () => this.streams.delete(stream);
  }

  /** Ends every stream whose token no longer works or whose user's role changed. */
  recheck(): void {
    for (const stream of this.streams) {
      const user = userForToken(this.db, stream.token);
      if (user?.role === stream.role) continue;
      this.streams.delete(stream);
      stream.end();
    }
  }

  close(): void {
    clearInterval(this.timer);
    for (const stream of this.streams) stream.end();
    this.streams.clear();
  }
}
