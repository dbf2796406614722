import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../api';
import { formatTimestamp, formatValue } from '../format';
import { useMe } from '../me';
import type { TagConfig, ValueRow } from '../types';
import { asksBeforeWriting, setAskBeforeWriting } from '../write-confirm';
import { QualityBadge } from './Badges';
import { Dialog } from './Dialog';
import { ErrorBox } from './ErrorBox';

const INTEGER_TYPES = new Set(['int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64']);

type Kind = 'bool' | 'string' | 'integer' | 'number';

function kindOf(tag: TagConfig, live: ValueRow | undefined): Kind {
  if (tag.type === 'bool') return 'bool';
  if (tag.type === 'string') return 'string';
  // With scale/offset an integer register still takes a decimal engineering value.
  if (tag.type && INTEGER_TYPES.has(tag.type)) return tag.scale === 1 && tag.offset === 0 ? 'integer' : 'number';
  if (tag.type) return 'number';
  // No type (OPC UA: the server's type is used): go by the current value.
  const v = live?.value;
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'string';
  return 'number';
}

/** The request body and the value as the confirmation shows it; integers are sent as typed so 64-bit values stay exact. */
function body(kind: Kind, text: string): { raw: string; shown: string } | { problem: string } {
  const t = text.trim();
  if (kind === 'bool') return { raw: JSON.stringify({ value: t === 'true' }), shown: t === 'true' ? 'true' : 'false' };
  if (kind === 'string') return { raw: JSON.stringify({ value: text }), shown: JSON.stringify(text) };
  if (kind === 'integer' && /^-?\d+$/.test(t)) {
    const digits = t.replace(/^(-?)0+(?=\d)/, '$1');
    return { raw: `{"value":${digits}}`, shown: digits };
  }
  const n = Number(t);
  if (t === '' || !Number.isFinite(n)) return { problem: 'Enter a number, e.g. 42 or 21.5.' };
  return { raw: JSON.stringify({ value: n }), shown: String(n) };
}

interface Props {
  device: string;
  tag: TagConfig;
  live: ValueRow | undefined;
  onClose(): void;
}

/**
 * Writes one value to a writable tag and shows the result and the value read back. Unless
 * the user turned it off, the write is first shown as old → new value and sent only once
 * confirmed; cancelling sends nothing.
 */
export function WriteDialog({ device, tag, live, onClose }: Props) {
  const kind = kindOf(tag, live);
  const username = useMe()?.username ?? '';
  const initial = live?.value === null || live?.value === undefined ? '' : String(live.value);
  const [text, setText] = useState(kind === 'bool' ? (initial === 'true' ? 'true' : 'false') : initial);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();
  const [error, setError] = useState<ApiError>();
  const [writtenAt, setWrittenAt] = useState<number>();
  const [ask, setAsk] = useState(() => asksBeforeWriting(username));
  /** The write waiting for confirmation. */
  const [pending, setPending] = useState<{ raw: string; shown: string }>();
  const confirmRef = useRef<HTMLButtonElement>(null);
  const valueRef = useRef<HTMLInputElement & HTMLSelectElement>(null);
  const asked = useRef(false);
  const unit = tag.unit ? ` ${tag.unit}` : '';

  // The focus follows the step: on Confirm while asking, back on the value afterwards. Moved in
  // the same task that swaps the form for the confirmation, so a key pressed right after never
  // lands on the page behind the dialog.
  useLayoutEffect(() => {
    if (pending) confirmRef.current?.focus();
    else if (asked.current) valueRef.current?.focus();
    asked.current = pending !== undefined;
  }, [pending]);

  const send = async (raw: string) => {
    setPending(undefined);
    setBusy(true);
    try {
      const path = `/api/v1/devices/${encodeURIComponent(device)}/tags/${tag.name.split('/').map(encodeURIComponent).join('/')}/write`;
      const res = await api<{ ok: boolean; timestamp?: number }>('POST', path, undefined, { rawBody: raw });
      setWrittenAt(res.timestamp ?? Date.now());
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'internal', String(err)));
    } finally {
      setBusy(false);
    }
  };

  const submit = (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setWrittenAt(undefined);
    const b = body(kind, text);
    if ('problem' in b) {
      setProblem(b.problem);
      return;
    }
    setProblem(undefined);
    if (ask) setPending(b);
    else void send(b.raw);
  };

  const changeAsk = (value: boolean) => {
    setAsk(value);
    setAskBeforeWriting(username, value);
  };

  return (
    <Dialog
      title={`Write ${tag.name}`}
      labelId="write-dialog-title"
      onClose={onClose}
      footer={
        pending ? (
          <>
            <button type="button" class="button" onClick={() => setPending(undefined)}>
              Cancel
            </button>
            <button type="button" class="button primary" ref={confirmRef} onClick={() => void send(pending.raw)}>
              Confirm write
            </button>
          </>
        ) : (
          <>
            <button type="button" class="button" onClick={onClose}>
              Close
            </button>
            <button type="submit" form="write-form" class="button primary" disabled={busy}>
              {busy ? 'Writing…' : 'Write'}
            </button>
          </>
        )
      }
    >
      <dl class="facts">
        <dt>Device</dt>
        <dd>{device}</dd>
        <dt>Address</dt>
        <dd>
          <code>{tag.address}</code>
        </dd>
        <dt>Type</dt>
        <dd>
          {tag.type ?? 'from the device'}
          {tag.unit ? ` · ${tag.unit}` : ''}
        </dd>
        <dt>Current value</dt>
        <dd class="write-current" data-testid="write-current">
          <strong class="value">{formatValue(live?.value)}</strong> {tag.unit ?? ''}{' '}
          <QualityBadge quality={live?.quality} error={live?.error} />{' '}
          <span class="muted">{formatTimestamp(live?.timestamp)}</span>
        </dd>
      </dl>
      {pending ? (
        <section class="write-confirm" aria-labelledby="write-confirm-title" data-testid="write-confirm">
          <p id="write-confirm-title">
            <strong>Write this value to {device}?</strong> Nothing is sent until you confirm.
          </p>
          <p class="write-change">
            <span data-testid="write-old">
              {formatValue(live?.value)}
              {unit}
            </span>{' '}
            <span aria-hidden="true">→</span>
            <span class="sr-only"> becomes </span>{' '}
            <strong data-testid="write-new">
              {pending.shown}
              {unit}
            </strong>
          </p>
        </section>
      ) : (
        <form id="write-form" class="write-form" onSubmit={submit} noValidate>
          <label for="write-value" class="field-label">
            New value{tag.unit ? ` (${tag.unit})` : ''}
          </label>
          {kind === 'bool' ? (
            <select id="write-value" ref={valueRef} value={text} onChange={(e) => setText(e.currentTarget.value)}>
              <option value="true">true (on)</option>
              <option value="false">false (off)</option>
            </select>
          ) : (
            <input
              id="write-value"
              ref={valueRef}
              type="text"
              inputMode={kind === 'string' ? 'text' : 'decimal'}
              autocomplete="off"
              spellcheck={false}
              value={text}
              maxLength={kind === 'string' && tag.length ? tag.length : undefined}
              onInput={(e) => setText(e.currentTarget.value)}
              autoFocus
            />
          )}
          {problem ? <p class="field-errors">{problem}</p> : null}
          {tag.scale !== 1 || tag.offset !== 0 ? (
            <p class="help">
              Engineering value: the device gets (value − {tag.offset}) / {tag.scale}.
            </p>
          ) : null}
          <label class="checkbox write-ask">
            <input type="checkbox" checked={ask} onChange={(e) => changeAsk(e.currentTarget.checked)} />
            Ask before writing (old → new value), for {username || 'this user'} in this browser
          </label>
        </form>
      )}
      {writtenAt ? (
        <p class="write-ok" role="status">
          ✓ Written at {formatTimestamp(writtenAt)}. The tag is read back; the current value above updates.
        </p>
      ) : null}
      <ErrorBox error={error} title="The write was refused" />
    </Dialog>
  );
}
