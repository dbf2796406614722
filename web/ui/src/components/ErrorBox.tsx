import { type ApiError, errorAdvice } from '../api';
import { parseDetail } from '../config-edit';
import { explainCode, ReadableApiError } from '../errors-text';
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
      {error instanceof ReadableApiError ? (
        <ul class="error-details">
          {error.readable.map((m) => (
            <li key={m}>{m}</li>
          ))}
          <li class="raw-details">
            <details>
              <summary>As the API reports them</summary>
              <ul>
                <RawDetails details={error.details} />
              </ul>
            </details>
          </li>
        </ul>
      ) : error.details.length > 0 ? (
        <ul class="error-details">
          <RawDetails details={error.details} />
        </ul>
      ) : null}
    </div>
  );
}

/** `path: message` lines as the API sends them, the path as code. */
function RawDetails({ details }: { details: string[] }) {
  return (
    <>
      {details.map((d) => {
        const { path, message } = parseDetail(d);
        return (
          <li key={d}>
            {path ? <code>{path}</code> : null} {message}
          </li>
        );
      })}
    </>
  );
}
