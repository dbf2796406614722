/** Longest user-supplied text (a user name, a path) that goes into a log line as it is. */
export const LOG_TEXT_LIMIT = 64;

/**
 * Text that came from outside, cut for a log line: a 10 MB user name must not become
 * 10 MB of log. The length says how much was cut.
 */
export function clipForLog(text: unknown, limit = LOG_TEXT_LIMIT): string {
  const value = typeof text === 'string' ? text : String(text);
  if (value.length <= limit) return value;
  return `${value.slice(0, limit)}… (${value.length} characters)`;
}
