import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';

// What the gateway does to a providing system's answer: reads its records and keeps only the granted fields.
// Pure functions, no I/O. A JSON answer is an array of records, or an object holding one under a usual key
// (records, data, items, rows, list, result; one level deep), or a single record. A CSV answer has a header
// row naming the fields.

export type DataRecord = Record<string, unknown>;

const LIST_KEYS = ['records', 'data', 'items', 'rows', 'list', 'result'] as const;

const isRecord = (v: unknown): v is DataRecord => typeof v === 'object' && v !== null && !Array.isArray(v);

function listIn(value: DataRecord): unknown[] | null {
  for (const key of LIST_KEYS) {
    const inner = value[key];
    if (Array.isArray(inner)) return inner;
  }
  return null;
}

/** The records of a JSON answer, or null when it holds something else than records. */
export function jsonRecords(text: string): DataRecord[] | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  let list: unknown[] | null = null;
  if (Array.isArray(body)) list = body;
  else if (isRecord(body)) {
    list = listIn(body);
    if (!list) {
      for (const key of LIST_KEYS) {
        const inner = body[key];
        if (isRecord(inner)) list = listIn(inner);
        if (list) break;
      }
    }
    if (!list) list = [body];
  }
  if (!list?.every(isRecord)) return null;
  return list as DataRecord[];
}

/** Each record reduced to the allowed fields (in the order given); a field a record lacks stays absent. */
export function keepFields(records: readonly DataRecord[], fields: readonly string[]): DataRecord[] {
  return records.map((r) => {
    const out: DataRecord = {};
    for (const f of fields) {
      if (!Object.hasOwn(r, f)) continue;
      // a field named __proto__ stays a field, never the object's prototype; the others are assigned, which keeps
      // the records' shape shared (defining every property made each record an object of its own kind)
      if (f === '__proto__')
        Object.defineProperty(out, f, { value: r[f], enumerable: true, writable: true, configurable: true });
      else out[f] = r[f];
    }
    return out;
  });
}

/** A CSV answer reduced to the allowed columns, with its record count; null when it cannot be read. */
export function filterCsv(text: string, fields: readonly string[]): { csv: string; count: number } | null {
  let rows: string[][];
  try {
    rows = parse(text.replace(/^\uFEFF/, ''), { relax_column_count: false, skip_empty_lines: true }) as string[][];
  } catch {
    return null;
  }
  const header = rows[0];
  if (!header) return { csv: `${stringify([[...fields]])}`, count: 0 };
  const columns = fields.map((f) => header.indexOf(f));
  const kept = fields.filter((_, i) => (columns[i] as number) >= 0);
  const indexes = columns.filter((c) => c >= 0);
  const body = rows.slice(1).map((row) => indexes.map((c) => row[c] ?? ''));
  return { csv: stringify([kept, ...body]), count: body.length };
}
