/**
 * An expression evaluated over the current values of tags, with the quality and time rules of SPEC §3.4:
 * the newest input's timestamp, the worst input quality, `input-bad` for a bad or missing input.
 */
import type { Quality, TagValue } from '../values.js';
import type { CompiledExpression, ExpressionValue } from './index.js';

const QUALITY_RANK: Record<Quality, number> = { good: 0, uncertain: 1, bad: 2 };

/** Evaluates `formula` once; throws the ExpressionError of a failed evaluation. */
export function evaluateOverTags(
  formula: CompiledExpression,
  current: (reference: string) => TagValue | undefined,
  now: number,
): TagValue {
  const inputs: Array<ExpressionValue | undefined> = [];
  let newest = 0;
  let worst: Quality = 'good';
  for (const reference of formula.references) {
    const value = current(reference);
    inputs.push(value?.value as ExpressionValue | undefined);
    if (value && value.timestamp > newest) newest = value.timestamp;
    if (!value || value.quality === 'bad') worst = 'bad';
    else if (QUALITY_RANK[value.quality] > QUALITY_RANK[worst]) worst = value.quality;
  }
  const timestamp = newest || now;
  if (worst === 'bad') return { value: null, timestamp, quality: 'bad', error: 'input-bad' };
  const value = formula.evaluateInputs(inputs);
  return { value, timestamp, quality: worst };
}
