import { type RawBuilder, sql } from 'kysely';

/**
 * Marks a hot statement of fixed shape (the data gateway's and the token check's, run on every machine call; the
 * session lookup and the tenant settings, run on every signed-in request) to be
 * prepared once per database session and executed by name afterwards: PostgreSQL then skips parsing, analysis and,
 * after a few runs, planning, which cost more than executing these statements (docs/decisions.md, issue 21).
 * Put it first in the text (`sql\`${prepared} select ...\``) or last (`.modifyEnd(prepared)`); the text is the
 * statement's identity, so only statements whose text does not vary with their values may carry it (parameters
 * differ, text does not). Both database drivers honour it; a statement without it runs as before.
 */
export const PREPARED_MARK = '/* prepared */';
export const prepared: RawBuilder<unknown> = sql.raw(PREPARED_MARK);

export function isPrepared(text: string): boolean {
  return text.startsWith(PREPARED_MARK) || text.endsWith(PREPARED_MARK);
}

/**
 * The statement names of one session (PGlite's one session) or of every pooled connection (node-postgres keeps
 * which names each connection has parsed). Bounded: past `limit` distinct texts, a marked statement runs unnamed,
 * so a mark put on a statement of varying shape by mistake cannot grow the server's memory without end.
 */
export class PreparedNames {
  private readonly names = new Map<string, string>();
  constructor(private readonly limit = 256) {}
  nameOf(text: string): string | undefined {
    const known = this.names.get(text);
    if (known || this.names.size >= this.limit) return known;
    const name = `yunguan_${this.names.size + 1}`;
    this.names.set(text, name);
    return name;
  }
  /** A statement whose preparation failed is prepared again at its next use (under the same name). */
  has(text: string): boolean {
    return this.names.has(text);
  }
}
