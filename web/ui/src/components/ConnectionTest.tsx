import { useState } from 'preact/hooks';
import type { ConnectionTestResult } from '../../../../core/connection-test-result';
import { ApiError, api } from '../api';
import { explainCode } from '../errors-text';
import { sentence } from '../format';

const STEP_TEXT = { connect: 'Could not connect', read: 'Connected, but the read failed', done: 'Failed' } as const;

/**
 * A *Test connection* button for a device or north-app form: sends the settings as they
 * are in the form (nothing is saved) and says what happened in words. Settings the gateway
 * refuses are handed to `onInvalid`, to show under their fields.
 */
export function ConnectionTest({
  url,
  body,
  onInvalid,
  what,
}: {
  url: string;
  body: () => unknown;
  onInvalid(err: ApiError | undefined): void;
  /** "the device" or "the broker". */
  what: string;
}) {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ConnectionTestResult>();
  const [refused, setRefused] = useState<string>();

  const run = async () => {
    setBusy(true);
    setResult(undefined);
    setRefused(undefined);
    try {
      const answer = await api<ConnectionTestResult>('POST', url, body());
      setResult(answer);
      onInvalid(undefined);
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(0, 'internal', String(err));
      if (e.code === 'invalid-config') {
        onInvalid(e);
        setRefused('Not tested: correct the fields marked in the form first.');
      } else setRefused(`Not tested: ${sentence(e.message)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="connection-test" data-testid="connection-test">
      <button type="button" class="button" disabled={busy} onClick={() => void run()}>
        {busy ? 'Testing…' : 'Test connection'}
      </button>
      <div aria-live="polite">
        {refused ? <p class="test-result test-bad">{refused}</p> : null}
        {result?.ok ? (
          <p class="test-result test-ok">
            Connected to {what} in {result.ms} ms
            {result.address !== undefined ? (
              <>
                {' '}
                and read <code>{result.address}</code> = <code>{JSON.stringify(result.value)}</code>
              </>
            ) : null}
            .
          </p>
        ) : null}
        {result && !result.ok && result.error ? (
          <div class="test-result test-bad">
            <p>
              <strong>{STEP_TEXT[result.step]}</strong>
              {result.address ? (
                <>
                  {' '}
                  (<code>{result.address}</code>)
                </>
              ) : null}
              : <ErrorCode code={result.error.code} explanation={result.error.explanation} />
            </p>
            <p class="test-detail">{result.error.message}</p>
          </div>
        ) : null}
      </div>
    </div>
  );
}

/** An error code with its one-line explanation beside it. */
export function ErrorCode({ code, explanation }: { code: string; explanation?: string | undefined }) {
  const text = explanation ?? explainCode(code);
  return (
    <>
      <code class="error-code">{code}</code>
      {text ? <span class="error-explanation"> — {text}</span> : null}
    </>
  );
}
