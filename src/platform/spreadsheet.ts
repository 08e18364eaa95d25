import type ExcelJS from 'exceljs';

// Shared spreadsheet helpers: formula neutralisation for every export, reading cell values of any kind
// as plain text, and a cheap look at an uploaded .xlsx archive before a parser inflates it.

export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const FORMULA_START = /^'*[=+\-@\t\r]/;

/**
 * Spreadsheet cells must never be read as formulas (CSV/formula injection): text that a spreadsheet would
 * take for a formula (it starts with = + - @, a tab or a carriage return) gets a leading apostrophe. Text
 * that already is apostrophes followed by such a character gets one more, so `restoreNeutralised` can
 * undo exactly what was added and an export imports back to the same text.
 */
export function neutralise(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** The inverse of `neutralise`, for importing a file this platform exported. */
export function restoreNeutralised(value: string): string {
  return /^'+[=+\-@\t\r]/.test(value) ? value.slice(1) : value;
}

/** A cell read as text, or why it cannot be. */
export type CellText = { text: string } | { problem: 'formula_without_result' | 'error_value'; detail: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/**
 * Any exceljs cell value as text: numbers and booleans as written, dates as YYYY-MM-DD (or an ISO moment
 * when they carry a time), rich text joined, hyperlinks as their shown text, formulas as their computed
 * result. Text this platform neutralised on export loses its apostrophe again. Whitespace is trimmed.
 */
export function cellText(value: ExcelJS.CellValue | undefined): CellText {
  if (value === null || value === undefined) return { text: '' };
  if (typeof value === 'string') return { text: restoreNeutralised(value.trim()) };
  if (typeof value === 'number') return { text: Number.isFinite(value) ? String(value) : '' };
  if (typeof value === 'boolean') return { text: value ? 'TRUE' : 'FALSE' };
  if (value instanceof Date) {
    const iso = value.toISOString();
    return { text: iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso };
  }
  if (isObject(value)) {
    if (Array.isArray(value.richText)) {
      const joined = value.richText
        .map((run: { text?: unknown }) => (typeof run.text === 'string' ? run.text : ''))
        .join('');
      return { text: restoreNeutralised(joined.trim()) };
    }
    if ('error' in value) return { problem: 'error_value', detail: String(value.error) };
    if ('formula' in value || 'sharedFormula' in value) {
      const result = (value as { result?: unknown }).result;
      if (result === undefined || result === null) {
        return { problem: 'formula_without_result', detail: String(value.formula ?? value.sharedFormula) };
      }
      if (isObject(result) && 'error' in result) return { problem: 'error_value', detail: String(result.error) };
      return cellText(result as ExcelJS.CellValue);
    }
    if ('text' in value) return cellText(value.text as ExcelJS.CellValue);
    if ('hyperlink' in value) return { text: String(value.hyperlink).trim() };
  }
  return { text: String(value).trim() };
}

/** Letters of a 1-based column number: 1 -> A, 27 -> AA. */
export function columnLetter(column: number): string {
  let n = column;
  let letters = '';
  while (n > 0) {
    const rest = (n - 1) % 26;
    letters = String.fromCharCode(65 + rest) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}

export interface ArchiveLimits {
  /** the most bytes the archive's files may inflate to, together */
  maxUncompressedBytes: number;
  maxEntries: number;
}

/**
 * Reads the ZIP central directory of an uploaded .xlsx (an .xlsx is a ZIP archive) and says what is wrong
 * with it, or null: not a ZIP at all, too many files, or files that inflate beyond the limit (a "zip
 * bomb" would otherwise be inflated into memory by the parser). ZIP64 archives are refused: no form
 * needs 4 GB.
 */
export function archiveProblem(buffer: Buffer, limits: ArchiveLimits): string | null {
  const EOCD = 0x06054b50;
  const CENTRAL = 0x02014b50;
  if (buffer.length < 22 || buffer.readUInt32LE(0) !== 0x04034b50) return 'not_zip';
  let eocd = -1;
  for (let i = buffer.length - 22; i >= Math.max(0, buffer.length - 22 - 65_535); i--) {
    if (buffer.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return 'not_zip';
  const entries = buffer.readUInt16LE(eocd + 10);
  const offset = buffer.readUInt32LE(eocd + 16);
  if (entries === 0xffff || offset === 0xffffffff) return 'too_large';
  if (entries > limits.maxEntries) return 'too_many_entries';
  let position = offset;
  let total = 0;
  for (let i = 0; i < entries; i++) {
    if (position + 46 > buffer.length || buffer.readUInt32LE(position) !== CENTRAL) return 'not_zip';
    const size = buffer.readUInt32LE(position + 24);
    if (size === 0xffffffff) return 'too_large';
    total += size;
    if (total > limits.maxUncompressedBytes) return 'too_large';
    position +=
      46 + buffer.readUInt16LE(position + 28) + buffer.readUInt16LE(position + 30) + buffer.readUInt16LE(position + 32);
  }
  return null;
}

/** A Content-Disposition for a download whose name may be Chinese: an ASCII fallback and the UTF-8 name. */
export function attachment(asciiName: string, utf8Name: string = asciiName): string {
  const ascii = asciiName.replace(/[^A-Za-z0-9._-]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(utf8Name)}`;
}
