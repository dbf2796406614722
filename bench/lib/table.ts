/** Plain-text and Markdown tables. */
export type Cell = string | number;

function text(c: Cell): string {
  if (typeof c === 'string') return c;
  if (!Number.isFinite(c)) return '–';
  return Number.isInteger(c) ? c.toLocaleString('en-US') : c.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/** Columns padded to width; numbers right-aligned. */
export function textTable(headers: string[], rows: Cell[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(text))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[], raw?: Cell[]) =>
    r
      .map((c, i) => (typeof raw?.[i] === 'number' ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map((r) => line(r.map(text), r))].join(
    '\n',
  );
}

export function markdownTable(headers: string[], rows: Cell[][]): string {
  const row = (r: string[]) => `| ${r.join(' | ')} |`;
  const align = headers.map((_, i) => (rows.some((r) => typeof r[i] === 'number') ? '---:' : '---'));
  return [row(headers), row(align), ...rows.map((r) => row(r.map(text)))].join('\n');
}
