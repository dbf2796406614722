/** Types only, with no imports: the web UI takes this shape as it is. */

/** What "Test connection" reports: ok with timings, or the step that failed and why, in words. */
export interface ConnectionTestResult {
  ok: boolean;
  /** The step that failed (or `done`). */
  step: 'connect' | 'read' | 'done';
  /** Milliseconds the whole test took. */
  ms: number;
  /** Device tests: the address read and what came back. */
  address?: string;
  value?: unknown;
  error?: { code: string; message: string; explanation?: string };
}
