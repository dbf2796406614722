import type { ConnState, Quality } from '../types';

const STATE_LABEL: Record<ConnState, string> = {
  connected: 'Connected',
  connecting: 'Connecting',
  disconnected: 'Disconnected',
  disabled: 'Disabled',
};

/** Connection state: green connected, amber connecting, red disconnected, grey disabled (text too, not colour only). */
export function StateBadge({ state }: { state: ConnState | undefined }) {
  const s = state ?? 'connecting';
  return (
    <span class={`badge state-${s}`} data-state={s}>
      <span class="badge-dot" aria-hidden="true" />
      {STATE_LABEL[s] ?? s}
    </span>
  );
}

const QUALITY_LABEL: Record<Quality, string> = { good: 'Good', uncertain: 'Uncertain', bad: 'Bad' };

export function QualityBadge({ quality, error }: { quality: Quality | undefined; error?: string | undefined }) {
  if (!quality) return <span class="muted">—</span>;
  return (
    <span class={`badge quality-${quality}`} data-quality={quality} title={error}>
      <span class="badge-dot" aria-hidden="true" />
      {QUALITY_LABEL[quality] ?? quality}
      {error ? <span class="badge-note">{error}</span> : null}
    </span>
  );
}

/** Link utilisation (busy time / wall time) as a small bar; amber above 60 %, red above 85 %. */
export function Meter({ fraction, label }: { fraction: number | undefined; label: string }) {
  if (fraction === undefined || !Number.isFinite(fraction)) return <span class="muted">—</span>;
  const pct = Math.min(100, Math.max(0, fraction * 100));
  const level = pct > 85 ? 'bad' : pct > 60 ? 'warn' : 'ok';
  return (
    <span class="meter" title={`${label}: ${pct.toFixed(1)} %`}>
      <span class="meter-track">
        <span class={`meter-fill meter-${level}`} style={{ width: `${pct}%` }} />
      </span>
      <span class="meter-text">{pct.toFixed(pct < 10 ? 1 : 0)} %</span>
    </span>
  );
}
