/**
 * CSV as spreadsheets write it: Excel in a European locale separates cells with `;` and
 * writes decimals with a comma (`0,5`); headers come capitalised or spaced (`Name`,
 * `Byte Order`); files saved as "CSV UTF-8" start with a byte order mark.
 */

const DELIMITERS = [',', ';', '\t'] as const;
export type CsvDelimiter = (typeof DELIMITERS)[number];

/** The first line of the text (a quoted cell may not span lines in a header). */
function headerLine(csv: string): string {
  const text = csv.startsWith('\uFEFF') ? csv.slice(1) : csv;
  const end = text.search(/\r?\n/);
  return end === -1 ? text : text.slice(0, end);
}

/** The delimiter the header line uses most outside quotes; `,` when it has none. */
export function detectDelimiter(csv: string): CsvDelimiter {
  const counts = new Map<string, number>();
  let quoted = false;
  for (const ch of headerLine(csv)) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  let best: CsvDelimiter = ',';
  for (const d of DELIMITERS) if ((counts.get(d) ?? 0) > (counts.get(best) ?? 0)) best = d;
  return best;
}

/** A header cell compared without case, spaces, `_` or `-`: `Byte Order` is `byteOrder`. */
const normalise = (header: string) =>
  header
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '');

/** Other names spreadsheets and other gateways' exports give a column. */
const ALIASES: Record<string, string> = { datatype: 'type', tagname: 'name' };

/** The column a header cell names (one of `columns`), or undefined when it names none. */
export function columnOf<C extends string>(header: string, columns: readonly C[]): C | undefined {
  const key = normalise(header);
  const wanted = ALIASES[key] ?? key;
  return columns.find((c) => normalise(c) === wanted);
}

/**
 * A numeric cell as a number, or the cell unchanged when it is not a number (validation then
 * names it). With `;` as delimiter a decimal comma is taken: `0,5` is 0.5.
 */
export function numberCell(cell: string, delimiter: CsvDelimiter): number | string {
  const text = delimiter === ';' && /^-?\d*,\d+$/.test(cell) ? cell.replace(',', '.') : cell;
  return /^-?[\d.eE+-]+$/.test(text) && Number.isFinite(Number(text)) ? Number(text) : cell;
}
