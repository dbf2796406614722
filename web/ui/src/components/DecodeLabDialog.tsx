import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { formatAny } from '../format';
import type { DecodeResult } from '../types';
import { Dialog } from './Dialog';
import { ErrorBox } from './ErrorBox';

export interface Decoding {
  type: string;
  byteOrder: string;
}

interface Props {
  device: string;
  address?: string | undefined;
  /** The tag's current choice, marked in the table. */
  current?: Partial<Decoding> | undefined;
  /** What a click on "apply" does, e.g. "Use for motor/speed". */
  applyLabel: string;
  onApply(choice: Decoding & { address: string }): void | Promise<void>;
  onClose(): void;
}

const BYTE_ORDER_HELP: Record<string, string> = {
  ABCD: 'big-endian (Modbus standard)',
  CDAB: 'word swap',
  BADC: 'byte swap',
  DCBA: 'little-endian',
};

/** Register values as the hex and decimal an engineer compares with a register map. */
function RegisterList({ result }: { result: DecodeResult }) {
  const base = /^(\w+):(\d+)/.exec(result.address);
  return (
    <ul class="register-list" data-testid="decode-registers" aria-label="Raw registers">
      {result.registers.map((r, i) => (
        <li key={i}>
          <code class="register-name">{base ? `${base[1]}:${Number(base[2]) + i}` : `+${i}`}</code>
          <code class="register-hex">0x{r.toString(16).toUpperCase().padStart(4, '0')}</code>
          <span class="muted">{r}</span>
        </li>
      ))}
    </ul>
  );
}

/**
 * The decode lab: reads the raw registers at an address once and shows them as every type
 * in every byte order side by side. The user picks the one that matches the machine's
 * display, and applies it to the tag with one click.
 */
/** Registers a type of the lab takes (the read may stop early where the device's map ends). */
function registersFor(type: string): number {
  return /64/.test(type) ? 4 : /32/.test(type) ? 2 : 1;
}

export function DecodeLabDialog({ device, address: initial = '', current, applyLabel, onApply, onClose }: Props) {
  const [address, setAddress] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<DecodeResult & { asTyped: string }>();
  const [error, setError] = useState<ApiError>();
  const [choice, setChoice] = useState<Decoding | undefined>(
    current?.type && current.byteOrder ? { type: current.type, byteOrder: current.byteOrder } : undefined,
  );
  const [applying, setApplying] = useState(false);

  const read = async (what = address) => {
    if (!what.trim()) return;
    setBusy(true);
    setError(undefined);
    try {
      const query = new URLSearchParams({ address: what.trim() });
      const res = await api<DecodeResult>('GET', `/api/v1/devices/${encodeURIComponent(device)}/decode?${query}`);
      // Applied as the user wrote it (e.g. Modicon 40001), not as the gateway normalised it.
      setResult({ ...res, asTyped: what.trim() });
    } catch (err) {
      setResult(undefined);
      setError(err instanceof ApiError ? err : new ApiError(0, 'internal', String(err)));
    } finally {
      setBusy(false);
    }
  };

  useEffect(() => {
    if (initial) void read(initial);
  }, []);

  // Applying also sets the address read here: say so when it is not the one the dialog opened with.
  const movedTo = result && initial && result.asTyped !== initial.trim() ? ` at ${result.asTyped}` : '';
  const types = result ? [...new Set(result.decodes.map((d) => d.type))] : [];
  const readCount = result?.registers.length ?? 0;
  const orders = result ? [...new Set(result.decodes.map((d) => d.byteOrder))] : [];
  const cell = (type: string, byteOrder: string) =>
    result?.decodes.find((d) => d.type === type && d.byteOrder === byteOrder);

  const apply = async () => {
    if (!choice || !result) return;
    setApplying(true);
    try {
      await onApply({ ...choice, address: result.asTyped });
    } finally {
      setApplying(false);
    }
  };

  return (
    <Dialog
      title={`Decode lab · ${device}`}
      labelId="decode-lab-title"
      wide
      onClose={onClose}
      footer={
        <>
          <button type="button" class="button" onClick={onClose}>
            Close
          </button>
          <button
            type="button"
            class="button primary"
            disabled={!choice || !result || applying}
            onClick={() => void apply()}
            data-testid="decode-apply"
          >
            {choice ? `${applyLabel}: ${choice.type} · ${choice.byteOrder}${movedTo}` : applyLabel}
          </button>
        </>
      }
    >
      <form
        class="test-read-form"
        onSubmit={(e) => {
          e.preventDefault();
          void read();
        }}
      >
        <div class="field">
          <label for="decode-address" class="field-label">
            First register
          </label>
          <input
            id="decode-address"
            type="text"
            autocomplete="off"
            spellcheck={false}
            value={address}
            placeholder="hr:100 or ir:0"
            onInput={(e) => setAddress(e.currentTarget.value)}
            autoFocus={!initial}
          />
        </div>
        <div class="field">
          <span class="field-label" aria-hidden="true">
            &nbsp;
          </span>
          <button type="submit" class="button" disabled={busy || !address.trim()}>
            {busy ? 'Reading…' : result ? 'Read again' : 'Read'}
          </button>
        </div>
      </form>
      <p class="help">
        Reads up to four registers once, now. Find the value that matches the machine's display or its manual, click it,
        then apply it. Nothing is saved until you do.
      </p>
      <ErrorBox error={error} title="The read failed" />
      {result ? (
        <div class="decode-lab" data-testid="decode-lab">
          <RegisterList result={result} />
          <div class="table-wrap">
            <table class="data-table decode-table" data-testid="decode-table">
              <thead>
                <tr>
                  <th>Type</th>
                  {orders.map((o) => (
                    <th key={o} class="num" title={BYTE_ORDER_HELP[o]}>
                      {o}
                      <div class="cell-note">{BYTE_ORDER_HELP[o]}</div>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {types.map((t) => (
                  <tr key={t}>
                    <th scope="row">
                      {t}
                      {registersFor(t) > readCount ? (
                        <div class="cell-note" data-testid={`decode-short-${t}`}>
                          needs {registersFor(t)} registers; the device gave {readCount} here (its register map ends)
                        </div>
                      ) : null}
                    </th>
                    {orders.map((o) => {
                      const d = cell(t, o);
                      const available = d !== undefined && d.value !== null;
                      const picked = choice?.type === t && choice.byteOrder === o;
                      const isCurrent = current?.type === t && current.byteOrder === o;
                      return (
                        <td key={o} class="num">
                          {available ? (
                            <button
                              type="button"
                              class={`decode-cell${picked ? ' picked' : ''}${isCurrent ? ' current' : ''}`}
                              aria-pressed={picked}
                              aria-label={`${t} ${o}: ${formatAny(d.value)}`}
                              data-decode={`${t}-${o}`}
                              onClick={() => setChoice({ type: t, byteOrder: o })}
                            >
                              {formatAny(d.value)}
                            </button>
                          ) : (
                            <span
                              class="muted"
                              title={
                                registersFor(t) > readCount
                                  ? `needs ${registersFor(t)} registers; only ${readCount} could be read here`
                                  : 'not a number in this byte order'
                              }
                            >
                              —
                            </span>
                          )}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {current?.type ? (
            <p class="help">
              Outlined: what the tag uses now ({current.type}
              {current.byteOrder ? ` · ${current.byteOrder}` : ''}).
            </p>
          ) : null}
        </div>
      ) : null}
    </Dialog>
  );
}
