/**
 * CSV exports (RFC 4180): the figure's definition in the first row, so a spreadsheet
 * passed on keeps what its numbers mean; then the column names; then one row per item.
 * A cell starting with `=`, `+`, `-` or `@` is prefixed with `'` so a spreadsheet never
 * runs it as a formula (names are typed by staff).
 */

/** A table cell: text, a number or a yes/no already worded; nothing else reaches an export. */
export type CsvValue = string | number | null | undefined;

function cell(value: CsvValue): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@]/.test(text) && typeof value === 'string') text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The CSV text of a table with its definition. */
export function toCsv(definition: string, columns: readonly string[], rows: ReadonlyArray<readonly CsvValue[]>): string {
  const lines = [[`Definition: ${definition}`].map(cell).join(','), columns.map(cell).join(',')];
  for (const row of rows) lines.push(row.map(cell).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
