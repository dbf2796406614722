import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { compileExpression, ExpressionError } from '../../../core/expression/index.js';
import type { PreviewResult } from '../../../core/expression/preview-result.js';
import { evaluateOverTags } from '../../../core/expression/tag-evaluation.js';
import { stringifyExact } from '../../../core/json.js';
import type { Runtime } from '../../../core/runtime.js';
import type { TagValue } from '../../../core/values.js';
import { routeDocs } from '../route-docs.js';

/** Where `{reference}` first appears in the source (spaces inside the braces allowed). */
function referencePosition(source: string, reference: string): number | null {
  const escaped = reference.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`\\{\\s*${escaped}\\s*\\}`).exec(source);
  return match ? match.index : null;
}

/**
 * Evaluates an expression against the current values, as a computed tag would (SPEC §3.4), so an
 * expression can be tried while it is typed. It changes nothing, so any logged-in user may.
 */
export function registerComputePreview(app: FastifyInstance, runtime: Runtime): void {
  app.post<{ Body: { expression: string } }>(
    '/api/v1/compute/preview',
    {
      schema: routeDocs('Tools', 'Evaluate an expression against the current tag values', {
        description:
          '{ok: true, value, quality, timestamp, references} or {ok: false, error: {message, position}}; ' +
          'position is the zero-based character offset of the problem.',
        body: Type.Object(
          { expression: Type.String({ maxLength: 100_000, description: 'e.g. {meter1/voltage} * {meter1/current}' }) },
          { additionalProperties: false },
        ),
      }),
    },
    async (req, reply) => {
      const source = req.body.expression;
      const result = preview(runtime, source);
      return reply.type('application/json').send(stringifyExact(result));
    },
  );
}

function preview(runtime: Runtime, source: string): PreviewResult {
  let formula: ReturnType<typeof compileExpression>;
  try {
    formula = compileExpression(source);
  } catch (error) {
    return failure(error);
  }
  const references = [...formula.references];
  const tags = tagIndex(runtime);
  for (const reference of references) {
    if (!tags.has(reference)) {
      const message = `unknown reference {${reference}}: no such device or tag`;
      return { ok: false, error: { message, position: referencePosition(source, reference) }, references };
    }
  }
  try {
    const value = evaluateOverTags(formula, (reference) => currentValue(runtime, reference), Date.now());
    return {
      ok: true,
      value: value.value,
      quality: value.quality,
      timestamp: value.timestamp,
      ...(value.error ? { error: value.error } : {}),
      references,
    };
  } catch (error) {
    return { ...failure(error), references };
  }
}

function failure(error: unknown): { ok: false; error: { message: string; position: number | null } } {
  if (error instanceof ExpressionError)
    return { ok: false, error: { message: error.message, position: error.position ?? null } };
  return { ok: false, error: { message: error instanceof Error ? error.message : String(error), position: null } };
}

function tagIndex(runtime: Runtime): Set<string> {
  const set = new Set<string>();
  for (const device of runtime.config.devices) {
    for (const group of device.groups) for (const tag of group.tags) set.add(`${device.name}/${tag.name}`);
  }
  return set;
}

function currentValue(runtime: Runtime, reference: string): TagValue | undefined {
  const slash = reference.indexOf('/');
  try {
    return runtime.gateway.device(reference.slice(0, slash)).currentValue(reference.slice(slash + 1));
  } catch {
    return undefined; // a device that is not running has no values
  }
}
