import { type ApiError, errorAdvice } from '../api';
import { parseDetail } from '../config-edit';
import { explainCode } from '../errors-text';
import { sentence } from '../format';

/** An API error as the user should see it: what happened, what to do, and every detail. */
export function ErrorBox({
  error,
  title,
  advice: given,
}: {
  error: ApiError | undefined;
  title?: string;
  advice?: string;
}) {
  if (!error) return null;
  const advice = error.code === 'invalid-config' && given ? given : errorAdvice(error);
  // What the code means, unless the message already says just that.
  const meaning = explainCode(error.code);
  const explanation = meaning && meaning !== error.message ? meaning : undefined;
  return (
    <div class="error-box" role="alert" data-testid="error-box">
      <p class="error-title">
        {title ?? 'The gateway refused this'}
        <code class="error-code">{error.code}</code>
      </p>
      {explanation ? <p class="error-explanation">{sentence(explanation)}.</p> : null}
      <p class="error-message">{sentence(error.message)}</p>
      {advice ? <p class="error-advice">{advice}</p> : null}
      {error.details.length > 0 ? (
        <ul class="error-details">
          {error.details.map((d) => {
            const { path, message } = parseDetail(d);
            return (
              <li key={d}>
                {path ? <code>{path}</code> : null} {message}
              </li>
            );
          })}
        </ul>
      ) : null}
    </div>
  );
}
