import { useEffect, useState } from 'preact/hooks';
import type { PreviewResult } from '../../../../core/expression/preview-result';
import { api } from '../api';
import { formatTimestamp, formatValue } from '../format';
import type { Scalar } from '../types';
import { QualityBadge } from './Badges';

interface Props {
  /** The expression as typed (a computed tag's expression or its aggregate's input). */
  expression: string;
  /** Every tag of the gateway as `device/tag`, for completing a reference. */
  references: readonly string[];
  /** Replaces the expression (a completed reference). */
  onChange(next: string): void;
}

const DEBOUNCE_MS = 300;

/** The reference being typed: the text after the last `{` that is not closed yet. */
function openReference(expression: string): { start: number; prefix: string } | undefined {
  const start = expression.lastIndexOf('{');
  if (start < 0 || expression.indexOf('}', start) >= 0) return undefined;
  return { start, prefix: expression.slice(start + 1).trim() };
}

/**
 * Live preview of an expression while it is typed: evaluated by the gateway against the current values
 * (debounced), showing the result or the error with a marker at its position; and completion of the
 * `{device/tag}` reference being typed.
 */
export function ExpressionPreview({ expression, references, onChange }: Props) {
  const [result, setResult] = useState<PreviewResult>();
  const [failed, setFailed] = useState<string>();

  useEffect(() => {
    if (!expression.trim()) {
      setResult(undefined);
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      api<PreviewResult>('POST', '/api/v1/compute/preview', { expression })
        .then((r) => {
          if (!current) return;
          setResult(r);
          setFailed(undefined);
        })
        .catch((err: Error) => current && setFailed(err.message));
    }, DEBOUNCE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [expression]);

  const open = openReference(expression);
  const suggestions = open
    ? references.filter((r) => r.toLowerCase().includes(open.prefix.toLowerCase())).slice(0, 8)
    : [];

  return (
    <div class="expression-preview" data-testid="expression-preview">
      {suggestions.length > 0 && open ? (
        <div class="reference-suggestions" role="listbox" aria-label="References">
          {suggestions.map((r) => (
            <button
              type="button"
              role="option"
              aria-selected="false"
              class="chip"
              key={r}
              onClick={() => onChange(`${expression.slice(0, open.start)}{${r}}`)}
            >
              {`{${r}}`}
            </button>
          ))}
        </div>
      ) : null}
      {failed ? <p class="field-error">Preview failed: {failed}</p> : null}
      {result?.ok ? (
        <p class="preview-result" data-testid="preview-result">
          <span class="muted">Now:</span> <strong>{formatValue(result.value as Scalar)}</strong>{' '}
          <QualityBadge quality={result.quality} error={result.error} />{' '}
          <span class="muted">{formatTimestamp(result.timestamp)}</span>
        </p>
      ) : null}
      {result && !result.ok ? (
        <div class="preview-error" data-testid="preview-error" role="alert">
          <p class="field-error">{result.error.message}</p>
          {result.error.position !== null ? (
            <pre class="expression-marker" title="Where the problem is">
              {expression}
              {'\n'}
              {`${' '.repeat(Math.min(result.error.position, expression.length))}^`}
            </pre>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
