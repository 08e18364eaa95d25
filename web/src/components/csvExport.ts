/**
 * A list as a CSV file people open in Excel: UTF-8 with a byte-order mark (Chinese headers), every cell quoted,
 * a cell that would start a formula (= + - @) prefixed with an apostrophe, as the server's exports do.
 */
export function downloadCsv(fileName: string, header: readonly string[], rows: readonly (readonly unknown[])[]): void {
  const cell = (value: unknown) => {
    const text = value === null || value === undefined ? '' : String(value);
    const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
    return `"${safe.replace(/"/g, '""')}"`;
  };
  const lines = [header, ...rows].map((row) => row.map(cell).join(','));
  const blob = new Blob([`\uFEFF${lines.join('\r\n')}\r\n`], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
