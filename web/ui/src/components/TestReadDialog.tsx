import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { formatAny, formatTimestamp } from '../format';
import type { ReadResult } from '../types';
import { QualityBadge } from './Badges';
import { Dialog } from './Dialog';
import { ErrorBox } from './ErrorBox';

interface Props {
  device: string;
  /** Address to read at once (e.g. a tag being edited, a browsed node); empty: the user types one. */
  address?: string | undefined;
  type?: string | undefined;
  /** The tag types offered; empty for none. */
  types: string[];
  /** What an empty type means for this device (OPC UA: the server's type). */
  typeDefault: string;
  /** Addresses of this device's driver, shown as the placeholder. */
  examples?: string[] | undefined;
  onClose(): void;
}

/** Reads one address once ("test read"), outside every group, and shows value, quality and data type. */
export function TestReadDialog({
  device,
  address: initialAddress = '',
  type: initialType = '',
  types,
  typeDefault,
  examples,
  onClose,
}: Props) {
  const [address, setAddress] = useState(initialAddress);
  const [type, setType] = useState(initialType);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ReadResult & { address: string }>();
  const [error, setError] = useState<ApiError>();

  const read = async (what = address, as = type) => {
    if (!what.trim()) return;
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      const query = new URLSearchParams({ address: what.trim() });
      if (as) query.set('type', as);
      const res = await api<ReadResult>('GET', `/api/v1/devices/${encodeURIComponent(device)}/read?${query}`);
      setResult({ ...res, address: what.trim() });
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'internal', String(err)));
    } finally {
      setBusy(false);
    }
  };

  // A given address is read at once, when the dialog opens.
  useEffect(() => {
    if (initialAddress) void read(initialAddress, initialType);
  }, []);

  return (
    <Dialog
      title={`Test read on ${device}`}
      labelId="test-read-title"
      onClose={onClose}
      footer={
        <>
          <button type="button" class="button" onClick={onClose}>
            Close
          </button>
          <button type="submit" form="test-read-form" class="button primary" disabled={busy || !address.trim()}>
            {busy ? 'Reading…' : 'Read'}
          </button>
        </>
      }
    >
      <form
        id="test-read-form"
        class="test-read-form"
        onSubmit={(e) => {
          e.preventDefault();
          void read();
        }}
      >
        <div class="field">
          <label for="test-read-address" class="field-label">
            Address
          </label>
          <input
            id="test-read-address"
            type="text"
            autocomplete="off"
            spellcheck={false}
            value={address}
            placeholder={examples && examples.length > 0 ? `${examples.slice(0, 3).join(', ')} …` : ''}
            onInput={(e) => setAddress(e.currentTarget.value)}
            autoFocus={!initialAddress}
          />
        </div>
        {types.length > 0 ? (
          <div class="field">
            <label for="test-read-type" class="field-label">
              Type
            </label>
            <select id="test-read-type" value={type} onChange={(e) => setType(e.currentTarget.value)}>
              <option value="">{typeDefault}</option>
              {types.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </div>
        ) : null}
      </form>
      <p class="help">Reads once, now; nothing is saved or published.</p>
      {result ? (
        <dl class="facts read-result" data-testid="read-result">
          <dt>Address</dt>
          <dd>
            <code>{result.address}</code>
          </dd>
          <dt>Value</dt>
          <dd>
            <strong class="value" data-testid="read-value">
              {formatAny(result.value)}
            </strong>
          </dd>
          <dt>Quality</dt>
          <dd>
            <QualityBadge quality={result.quality} error={result.error} />
          </dd>
          <dt>Data type</dt>
          <dd data-testid="read-type">{result.dataType ?? (type || typeDefault)}</dd>
          <dt>Timestamp</dt>
          <dd class="muted">{formatTimestamp(result.timestamp)}</dd>
        </dl>
      ) : null}
      <ErrorBox error={error} title="The read failed" />
    </Dialog>
  );
}
