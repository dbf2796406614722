import type { FastifyInstance } from 'fastify';

/**
 * Deepest nesting a request body may have. A configuration needs about ten levels; thousands
 * would overflow the stack of the code that walks the document and answer 500.
 */
export const MAX_BODY_DEPTH = 64;

/** A refused request body: 400 with a message that says what is wrong. */
export class BodyRefusal extends Error {
  readonly statusCode = 400;
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Whether JSON text nests arrays and objects deeper than `max`; scanned, not parsed, so any depth is safe. */
export function jsonTextTooDeep(text: string, max = MAX_BODY_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * Whether a parsed value (e.g. from YAML) nests deeper than `max`; walked without recursion.
 * A YAML alias inside its own anchor makes a cycle, which counts as endlessly deep.
 */
export function valueTooDeep(value: unknown, max = MAX_BODY_DEPTH): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop() as [unknown, number];
    if (typeof item !== 'object' || item === null) continue;
    if (depth + 1 > max) return true;
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * JSON bodies as Fastify parses them (`__proto__` keys refused), after a depth check: a body of
 * 100,000 nested brackets is answered 400 instead of overflowing the stack later.
 */
export function guardJsonBodies(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'ignore');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = String(body);
    if (jsonTextTooDeep(text)) {
      done(new BodyRefusal('invalid-request', `the JSON body nests deeper than ${MAX_BODY_DEPTH} levels`), undefined);
      return;
    }
    parse(req, text, done);
  });
}
