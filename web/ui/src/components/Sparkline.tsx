/** A small inline trend of the last values (oldest left), drawn as an SVG polyline. */
export function Sparkline({
  points,
  width = 120,
  height = 28,
}: {
  points: readonly number[];
  width?: number;
  height?: number;
}) {
  if (points.length < 2) {
    return (
      <span class="sparkline sparkline-empty muted" style={{ width: `${width}px` }}>
        {points.length === 0 ? '' : 'collecting…'}
      </span>
    );
  }
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const p of points) {
    if (p < min) min = p;
    if (p > max) max = p;
  }
  const pad = 2;
  const span = max - min || 1;
  const step = (width - pad * 2) / (points.length - 1);
  const y = (p: number) => (max === min ? height / 2 : pad + (height - pad * 2) * (1 - (p - min) / span));
  const coords = points.map((p, i) => `${(pad + i * step).toFixed(1)},${y(p).toFixed(1)}`);
  const last = coords[coords.length - 1]?.split(',') ?? ['0', '0'];
  return (
    <svg
      class="sparkline"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={`Trend of the last ${points.length} values, ${min} to ${max}`}
      data-points={points.length}
    >
      <title>{`Last ${points.length} values: min ${min}, max ${max}`}</title>
      <polyline
        points={coords.join(' ')}
        fill="none"
        stroke="currentColor"
        stroke-width="1.5"
        stroke-linejoin="round"
      />
      <circle cx={last[0]} cy={last[1]} r="2.2" fill="currentColor" />
    </svg>
  );
}
