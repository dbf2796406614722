/**
 * Looking up an error code in the table of declared codes (the core's and every plugin's):
 * its HTTP status and its one-line explanation. No imports, so that the web UI uses the
 * same lookup on the table `GET /api/v1/schema` sends.
 */

/**
 * An error code a plugin (or the core) produces: one exact code (`s7-pdu-too-small`) or,
 * with `prefix`, every code starting with it (`modbus-exception-` + the exception number).
 */
export interface ErrorDeclaration {
  code: string;
  prefix?: boolean;
  /** The HTTP status of an API answer failing with this code. */
  httpStatus: number;
  /** One line for a plant engineer; for a prefix, `{rest}` stands for what follows it. */
  explanation?: string;
  /** For a prefix: explanations of particular codes, by what follows the prefix (`2`, `BadNodeIdUnknown`). */
  known?: Readonly<Record<string, string>>;
  /** What the user should do about it, in a sentence (shown under an API error in the UI). */
  advice?: string;
}

/** The declaration that covers `code`: an exact one first, else the longest matching prefix. */
export function findDeclaration(table: readonly ErrorDeclaration[], code: string): ErrorDeclaration | undefined {
  let best: ErrorDeclaration | undefined;
  for (const d of table) {
    if (!d.prefix) {
      if (d.code === code) return d;
    } else if (code.startsWith(d.code) && (!best || d.code.length > best.code.length)) {
      best = d;
    }
  }
  return best;
}

/** A one-line explanation of `code` for people (UI, `tagwire` output); undefined if unknown. */
export function explainFrom(table: readonly ErrorDeclaration[], code: string): string | undefined {
  const d = findDeclaration(table, code);
  if (!d) return undefined;
  if (!d.prefix) return d.explanation;
  const rest = code.slice(d.code.length);
  const known = d.known && Object.hasOwn(d.known, rest) ? d.known[rest] : undefined;
  return known ?? d.explanation?.replaceAll('{rest}', rest);
}

/** What the user should do about `code`, if its declaration says. */
export function adviceFrom(table: readonly ErrorDeclaration[], code: string): string | undefined {
  return findDeclaration(table, code)?.advice;
}

/** The HTTP status of an API answer failing with `code`: 500 for a code nobody declared. */
export function httpStatusFrom(table: readonly ErrorDeclaration[], code: string): number {
  return findDeclaration(table, code)?.httpStatus ?? 500;
}
