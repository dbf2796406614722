import { useState } from 'preact/hooks';
import { ApiError } from './api';
import { updateConfig } from './config-edit';
import { notify } from './notice';
import type { Config } from './types';

/**
 * One change to the configuration from a list page (enable, disable, delete): which item is
 * busy, the refusal if any, a notice when it worked, and a reload either way.
 */
export function useConfigChange(reload: () => Promise<void>) {
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState<string>();

  const change = async (name: string, done: string, mutate: (c: Config) => void) => {
    setBusy(name);
    setError(undefined);
    try {
      await updateConfig(mutate);
      notify(done);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'edit', (err as Error).message));
    } finally {
      setBusy(undefined);
      await reload();
    }
  };
  return { change, busy, error };
}
