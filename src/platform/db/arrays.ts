/**
 * A list bound as ONE parameter: PostgreSQL's array literal (`{"a","b"}`), which pg and PGlite both pass as a
 * single text parameter; the statement casts it, e.g. `where id = any(${sqlArray(ids)}::uuid[])` or
 * `from unnest(${sqlArray(names)}::text[])`. Never `in (${ids...})`: one parameter per row breaks past 65,535
 * (`bind message has N parameter formats but 0 parameters`). Elements are quoted and escaped.
 */
export function sqlArray(values: readonly (string | number | bigint)[]): string {
  return `{${values
    .map((v) => (typeof v === 'string' ? `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : String(v)))
    .join(',')}}`;
}

/**
 * Rows in slices for multi-row INSERTs, whose parameters are rows x columns: 1,000 rows of up to 60 columns stay
 * under the protocol's 65,535. Prefer one `unnest` of arrays where a statement's shape allows it.
 */
export function chunks<T>(rows: readonly T[], size = 1000): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}
