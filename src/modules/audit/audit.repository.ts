import { sql } from 'kysely';
import { sqlArray } from '../../platform/db/arrays.ts';
import type { Db } from '../../schema.ts';

/**
 * What a person calls the objects of audit entries: an order by its number and title, a user by display name,
 * a project, system, resource, unit by name (the viewer shows words, not ids). Object types without a name
 * are left out. One query for a page of entries, one array parameter per object type.
 */
export async function objectNames(db: Db, refs: readonly { type: string; id: string }[]): Promise<Map<string, string>> {
  const of = (type: string) => sqlArray([...new Set(refs.filter((r) => r.type === type).map((r) => r.id))]);
  if (refs.length === 0) return new Map();
  const rows = await sql<{ type: string; id: string; name: string }>`
    select 'user' as type, id::text as id, display_name as name from user_account
      where id::text = any(${of('user')}::text[])
    union all
    select 'organisation', id::text, name from organisation where id::text = any(${of('organisation')}::text[])
    union all
    select 'order', id::text, number || ' ' || title from resource_order where id::text = any(${of('order')}::text[])
    union all
    select 'work_order', w.id::text, o.number || ' ' || o.title from work_order w
      join resource_order o on o.id = w.order_id where w.id::text = any(${of('work_order')}::text[])
    union all
    select 'project', id::text, name from project where id::text = any(${of('project')}::text[])
    union all
    select 'information_system', id::text, name from information_system
      where id::text = any(${of('information_system')}::text[])
    union all
    select 'resource', id::text, name from resource where id::text = any(${of('resource')}::text[])
    union all
    select 'data_resource', id::text, name from data_resource where id::text = any(${of('data_resource')}::text[])
    union all
    select 'data_centre', id::text, name from data_centre where id::text = any(${of('data_centre')}::text[])
  `.execute(db);
  return new Map(rows.rows.map((r) => [`${r.type}:${r.id}`, r.name]));
}
