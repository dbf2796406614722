import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { sentence } from '../format';
import { usePermissions } from '../me';
import { notify } from '../notice';

/** Seconds until `at`, ticking once a second while shown. */
function useSecondsUntil(at: number | undefined): number | undefined {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (at === undefined) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [at]);
  return at === undefined ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * While a device backs off after a failed connection: when the next attempt is, and a
 * *Retry now* button (operator, admin) for a device known to be back.
 */
export function RetryNow({ device, nextRetryAt }: { device: string; nextRetryAt: number | undefined }) {
  const { operate } = usePermissions();
  const [busy, setBusy] = useState(false);
  const seconds = useSecondsUntil(nextRetryAt);
  if (nextRetryAt === undefined || seconds === undefined) return null;

  const retry = async () => {
    setBusy(true);
    try {
      await api('POST', `/api/v1/devices/${encodeURIComponent(device)}/retry`);
      notify(`${device}: connecting now.`);
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(0, 'internal', String(err));
      notify(`${device}: ${sentence(e.message)}`, 'error');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="retry-now" data-testid="retry-now">
      <span class="cell-note">{seconds > 0 ? `Next attempt in ${seconds} s` : 'Connecting…'}</span>
      {operate ? (
        <button
          type="button"
          class="button small"
          disabled={busy}
          aria-label={`Retry ${device} now`}
          title="Connect now instead of waiting for the next attempt"
          onClick={() => void retry()}
        >
          {busy ? 'Retrying…' : 'Retry now'}
        </button>
      ) : null}
    </div>
  );
}
