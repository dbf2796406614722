import { useState } from 'preact/hooks';
import { ApiError, api, errorAdvice } from '../api';
import { sentence } from '../format';
import { usePermissions } from '../me';
import { notify } from '../notice';

/** Disconnects a device and connects it again now (operator and admin); nothing for a viewer. */
export function RestartButton({ device, small, primary }: { device: string; small?: boolean; primary?: boolean }) {
  const { operate } = usePermissions();
  const [busy, setBusy] = useState(false);
  if (!operate) return null;

  const restart = async () => {
    setBusy(true);
    try {
      await api('POST', `/api/v1/devices/${encodeURIComponent(device)}/restart`);
      notify(`${device} restarted: it connects again now.`);
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(0, 'internal', String(err));
      notify(`${device} was not restarted: ${sentence(e.message)}. ${errorAdvice(e)}`.trim(), 'error');
    } finally {
      setBusy(false);
    }
  };

  return (
    <button
      type="button"
      class={`button${small ? ' small' : ''}${primary ? ' primary' : ''}`}
      disabled={busy}
      aria-label={`Restart ${device}`}
      title="Disconnect and connect again now (e.g. after trusting a certificate)"
      onClick={() => void restart()}
    >
      {busy ? 'Restarting…' : 'Restart'}
    </button>
  );
}
