import { sql } from 'kysely';
import type { Trx } from '../../schema.ts';

/**
 * Orders whose number or title contains `text` (case-insensitive), newest first, for the header's search.
 * Row-level security keeps it to the caller's scope (the handler runs it under withTenant).
 */
export async function findOrdersByText(
  trx: Trx,
  text: string,
  limit: number,
): Promise<{ id: string; number: string; title: string; status: string }[]> {
  const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const { rows } = await sql<{ id: string; number: string; title: string; status: string }>`
    select id::text as id, number, title, status from resource_order
    where number ilike ${pattern} or title ilike ${pattern}
    order by created_at desc, id
    limit ${limit}`.execute(trx);
  return rows;
}
