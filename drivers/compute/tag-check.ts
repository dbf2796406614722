/** Checks of one computed tag on its own (SPEC §3.4), as `field: message` strings. */

import type { TagConfig } from '../../core/config/schema.js';
import { compileExpression, ExpressionError } from '../../core/expression/index.js';
import type { TagCheck } from '../../core/plugin.js';
import { computeFields } from './tag-fields.js';

export function checkComputeTag(raw: TagConfig): TagCheck {
  const tag = computeFields(raw);
  const errors: string[] = [];
  if (tag.address !== undefined) errors.push('address: a computed tag has an expression or an aggregate instead');
  if (tag.expression === undefined && tag.aggregate === undefined) {
    errors.push('expression: required (or an aggregate): the formula this tag is computed by');
  }
  if (tag.expression !== undefined && tag.aggregate !== undefined) {
    errors.push('aggregate: give either an expression or an aggregate, not both');
  }
  if (tag.expression !== undefined) errors.push(...expressionErrors('expression', tag.expression));
  if (tag.aggregate?.of !== undefined) errors.push(...expressionErrors('aggregate.of', tag.aggregate.of));
  if (tag.access !== 'read') errors.push(`access: computed tags are read-only (access: read), not ${tag.access}`);
  if (tag.length !== undefined) errors.push('length: not used by computed tags');
  if (tag.scale !== 1 || tag.offset !== 0) errors.push('scale: computed tags are not scaled; put it in the expression');
  if (tag.aggregate && (tag.type === 'string' || tag.type === 'bool')) {
    errors.push(`type: an aggregate is a number, not ${tag.type}`);
  }
  return { errors };
}

function expressionErrors(field: string, source: string): string[] {
  try {
    compileExpression(source);
    return [];
  } catch (error) {
    return [`${field}: ${error instanceof ExpressionError ? error.message : String(error)}`];
  }
}
