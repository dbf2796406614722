/**
 * The audit trail's entries as the API sends them (`GET /api/v1/audit`); types and constants
 * only, with no imports, so that the web UI takes them as they are.
 */

/** What an audit entry is about (`GET /api/v1/audit?kind=`). */
export const AUDIT_KINDS = ['login', 'config', 'write', 'ack', 'certificate', 'user', 'token'] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

export interface AuditEntry {
  kind: AuditKind;
  /** What was done, in words: `login`, `add device tank`, `write plc/motor/speed`. */
  action: string;
  ok: boolean;
  /** Who: the logged-in user, or the user name tried for a failed login; absent for MQTT writes. */
  user?: string | undefined;
  /** Through what: `http`, `mqtt:{north app}`, `sparkplug:{north app}`, `cli`. */
  source: string;
  /** From where: the client's address for HTTP. */
  address?: string | undefined;
  /** For writes: the value asked for; for refusals: the error code. */
  value?: unknown;
  error?: string | undefined;
}

export interface AuditRow extends Omit<AuditEntry, 'value'> {
  id: number;
  at: number;
  value?: string;
}
