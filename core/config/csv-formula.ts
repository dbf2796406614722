/**
 * Spreadsheets run a cell that starts with = + - @ (or a tab or carriage return before
 * one) as a formula: `=cmd|' /C calc'!A0` in a description would start a program on the
 * machine that opens the export. Such text cells are written with a leading `'`, which makes
 * a spreadsheet take the cell as text, and read back without it (numbers are never escaped:
 * an offset of -5 stays the number -5).
 */
const FORMULA_START = /^'*[=+\-@\t\r]/;
const ESCAPED = /^'+[=+\-@\t\r]/;

/**
 * A text cell as written to a CSV file. Text that already starts with `'` before such a
 * character gets one more, so that reading it back gives exactly the text.
 */
export function escapeFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** A cell as read from a CSV file: the `'` that `escapeFormula` added is taken off. */
export function unescapeFormula(cell: string): string {
  return ESCAPED.test(cell) ? cell.slice(1) : cell;
}
