import type { ErrorDeclaration } from '../../core/plugin.js';

/** The error codes of computed tags (SPEC §3.4), in their values' `error`. */
export const COMPUTE_ERROR_DECLARATIONS: readonly ErrorDeclaration[] = [
  {
    code: 'input-bad',
    httpStatus: 502,
    explanation: 'a computed tag has an input whose quality is bad (or that has no value yet)',
    advice: 'Look at the inputs the expression references: the device they come from is down or reports an error.',
  },
  {
    code: 'expression-error',
    httpStatus: 500,
    explanation: 'a computed tag’s expression failed or gave a number that is not finite',
    advice: 'Check the expression against its inputs’ current values, e.g. a division by zero.',
  },
  {
    code: 'no-data',
    httpStatus: 502,
    explanation: 'an aggregate window ended without a good sample of its input',
  },
];
