import { type QueryCreator, sql } from 'kysely';
import type { Visibility } from '../../platform/auth/auth.ts';
import type { DB, Trx } from '../../schema.ts';
import type {
  NewResource,
  Quantities,
  ResourceEventKind,
  ResourceEventSource,
  ResourceState,
} from './inventory.table.ts';

// Tenant reads run in withTenant (row-level security); the visibility filter states the same rule:
// a unit sees its resources, a provider those it runs, jurisdiction-wide roles their jurisdictions.

/** Whose side an organisation-scoped caller is on: a provider's resources are those it runs, a unit's those it owns. */
export type Side = 'unit' | 'provider' | 'either';

export function visibleResources(trx: Trx, v: Visibility, side: Side = 'either') {
  return trx
    .selectFrom('resource as r')
    .where((eb) =>
      v.kind === 'jurisdiction'
        ? eb('r.jurisdiction_id', 'in', v.jurisdictions)
        : side === 'unit'
          ? eb('r.organisation_id', 'in', v.organisations)
          : side === 'provider'
            ? eb('r.provider_id', 'in', v.organisations)
            : eb.or([eb('r.organisation_id', 'in', v.organisations), eb('r.provider_id', 'in', v.organisations)]),
    );
}

export async function insertResource(trx: Trx, values: NewResource) {
  return trx.insertInto('resource').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function lockResource(trx: Trx, id: string) {
  return trx.selectFrom('resource').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function lastEventAt(trx: Trx, resourceId: string): Promise<Date | null> {
  const row = await trx
    .selectFrom('resource_event')
    .select((eb) => eb.fn.max('occurred_at').as('at'))
    .where('resource_id', '=', resourceId)
    .executeTakeFirst();
  return (row?.at as Date | null | undefined) ?? null;
}

export async function updateResource(
  trx: Trx,
  id: string,
  values: {
    state?: ResourceState;
    specification?: Record<string, unknown>;
    quantities?: Quantities;
    delivered_at?: Date;
    reclaimed_at?: Date;
    expires_on?: string | null;
    updated_at: Date;
  },
): Promise<void> {
  const { specification, quantities, ...rest } = values;
  await trx
    .updateTable('resource')
    .set({
      ...rest,
      ...(specification ? { specification: JSON.stringify(specification) } : {}),
      ...(quantities ? { quantities: JSON.stringify(quantities) } : {}),
    })
    .where('id', '=', id)
    .execute();
}

export async function closeOpenInterval(trx: Trx, resourceId: string, at: Date): Promise<void> {
  await trx
    .updateTable('resource_spec_interval')
    .set({ valid_to: at })
    .where('resource_id', '=', resourceId)
    .where('valid_to', 'is', null)
    .execute();
}

export async function openInterval(
  trx: Trx,
  r: { id: string; organisation_id: string; jurisdiction_id: string },
  at: Date,
  specification: Record<string, unknown>,
  quantities: Quantities,
): Promise<void> {
  await trx
    .insertInto('resource_spec_interval')
    .values({
      resource_id: r.id,
      organisation_id: r.organisation_id,
      jurisdiction_id: r.jurisdiction_id,
      valid_from: at,
      valid_to: null,
      specification: JSON.stringify(specification),
      quantities: JSON.stringify(quantities),
    })
    .execute();
}

export async function insertEvent(
  trx: Trx,
  e: {
    resource_id: string;
    organisation_id: string;
    jurisdiction_id: string;
    provider_id: string;
    catalogue_item_code: string;
    kind: ResourceEventKind;
    occurred_at: Date;
    quantities: Quantities;
    specification: Record<string, unknown>;
    source: ResourceEventSource;
    reference: string | null;
    actor: string;
  },
): Promise<string> {
  const row = await trx
    .insertInto('resource_event')
    .values({ ...e, quantities: JSON.stringify(e.quantities), specification: JSON.stringify(e.specification) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return String(row.id);
}

export interface ListFilter {
  state?: ResourceState;
  organisationId?: string;
  providerId?: string;
  item?: string;
  systemId?: string;
  projectId?: string;
  purpose?: string;
  q?: string;
}

export type SortKey = 'createdAt' | 'name' | 'expiresOn' | 'state' | 'deliveredAt';
const SORT_COLUMNS = {
  createdAt: 'r.created_at',
  name: 'r.name',
  expiresOn: 'r.expires_on',
  state: 'r.state',
  deliveredAt: 'r.delivered_at',
} as const;

/** What `q` searches, the same expression as resource_search_rows and its index (migrations 0014, 0253). */
const SEARCH_TEXT = sql`(r.name || e'\\n' || coalesce(r.external_id, '') || e'\\n' || r.addresses::text)`;
/** A pattern of fewer characters yields no trigram: the index would return every row. */
const TRIGRAM = 3;
/** Up to this share of all resources, a search joins the ids the trigram index finds; above it, it scans. */
const INDEXED_SEARCH_SHARE = 0.1;

type Search = { like: string; indexed: boolean } | null;

/**
 * Which way a pattern went (resource_search_share), remembered for a minute: paging through a search, sorting
 * or filtering it asks the same pattern again, and the share costs a round trip and two planner estimates
 * before the list's statement. Only the plan depends on it, never the rows or the totals; the statistics it
 * comes from change at ANALYZE. Wall time (performance.now), not the business clock: it measures how long a
 * planner estimate is kept. Bounded; the oldest pattern goes first.
 */
const indexedShares = new Map<string, { indexed: boolean; at: number }>();
const SHARE_REMEMBERED_MS = 60_000;
const SHARES_REMEMBERED = 1_000;

/** A list's count (up to one more than EXACT_TOTAL_UP_TO) and estimate, once per statement (listResources). */
const TOTALS = 'totals';
/** An indexed search's rows (id and sort columns, resource_search_rows), once for the page and the count. */
const FOUND = 'found';

/** resource_count_estimate (0148): how many rows the planner expects the filter to find in the caller's scope. */
const estimateOf = (f: ListFilter, side: Side, like: string | null) =>
  sql<number>`resource_count_estimate(${side}, ${f.state ?? null}, ${f.organisationId ?? null}::uuid,
    ${f.providerId ?? null}::uuid, ${f.item ?? null}, ${f.systemId ?? null}::uuid, ${f.projectId ?? null}::uuid,
    ${f.purpose ?? null}, ${like})`;

/**
 * How to run a text search. Under the row-level security policy an ILIKE can never use the trigram index (it
 * is not leakproof, so PostgreSQL evaluates it after the policy): resource_search_rows (migrations 0014, 0171,
 * 0253) finds the rows through the index instead, with the policy's visibility, and the list reads its page's
 * rows by id under the policy. A broad
 * pattern ("vm-") matches so many that joining them back costs more than scanning: resource_search_share
 * (asked only of a pattern long enough for trigrams) says which.
 */
async function searchOf(trx: Trx, q: string): Promise<Search> {
  const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  if (q.length < TRIGRAM) return { like, indexed: false };
  const known = indexedShares.get(like);
  if (known && performance.now() - known.at < SHARE_REMEMBERED_MS) return { like, indexed: known.indexed };
  const { rows } = await sql<{ share: number }>`select resource_search_share(${like}) as share`.execute(trx);
  const indexed = Number(rows[0]?.share) <= INDEXED_SEARCH_SHARE;
  if (indexedShares.size >= SHARES_REMEMBERED) indexedShares.delete(indexedShares.keys().next().value as string);
  indexedShares.set(like, { indexed, at: performance.now() });
  return { like, indexed };
}

function filtered(trx: Trx, v: Visibility, f: ListFilter, side: Side, search: Search) {
  let q = visibleResources(trx, v, side);
  if (f.state) q = q.where('r.state', '=', f.state);
  if (f.organisationId) q = q.where('r.organisation_id', '=', f.organisationId);
  if (f.providerId) q = q.where('r.provider_id', '=', f.providerId);
  if (f.item) q = q.where('r.catalogue_item_code', '=', f.item);
  if (f.systemId) q = q.where('r.system_id', '=', f.systemId);
  if (f.projectId) q = q.where('r.project_id', '=', f.projectId);
  if (f.purpose) q = q.where('r.purpose', '=', f.purpose as never);
  // An indexed search reads resource_search_rows instead (listResources). A broad search (or one too short for trigrams) scans. Under the policy the planner may not read the
  // column statistics for ILIKE (not leakproof) and guesses a handful of rows, so it sorted every visible
  // row instead of reading the sort's index until the page is full (a provider's `10.0.1`, 21,312 rows:
  // 300 ms against 2 ms). Compared as an integer, the condition is estimated to keep nearly every row,
  // nearer the truth for a pattern resource_search_share found broad.
  if (search && !search.indexed) q = q.where(sql<boolean>`(${SEARCH_TEXT} ilike ${search.like})::int <> 0`);
  return q;
}

/** A position in the list: the sort column's value (as text, null for a null) and the id of one row. */
export interface Cursor {
  value: string | null;
  id: string;
}

export interface PageRequest {
  limit: number;
  offset: number;
  sort: SortKey;
  order: 'asc' | 'desc';
  /** the rows after this one (keyset: an index range instead of skipping `offset` rows) */
  after?: Cursor;
  /** the rows before this one (the previous page of a keyset page) */
  before?: Cursor;
}

/** How each sort column compares in a cursor: its type, and whether it may be null. */
const SORT_TYPES: Record<SortKey, { cast: string; nullable: boolean }> = {
  createdAt: { cast: 'timestamptz', nullable: false },
  name: { cast: 'text', nullable: false },
  expiresOn: { cast: 'date', nullable: true },
  state: { cast: 'text', nullable: false },
  deliveredAt: { cast: 'timestamptz', nullable: true },
};

/**
 * The rows after `c` in the order `column dir, id dir`, nulls where PostgreSQL puts them by default (last
 * ascending, first descending). A row comparison on a column without nulls is an index range condition.
 */
function keyset(sort: SortKey, dir: 'asc' | 'desc', c: Cursor) {
  const column = sql.ref(SORT_COLUMNS[sort]);
  const { cast, nullable } = SORT_TYPES[sort];
  const id = sql`${c.id}::uuid`;
  if (c.value === null) {
    return dir === 'asc'
      ? sql<boolean>`(${column} is null and r.id > ${id})`
      : sql<boolean>`(${column} is not null or r.id < ${id})`;
  }
  const value = sql`cast(${c.value} as ${sql.raw(cast)})`;
  if (dir === 'desc') return sql<boolean>`(${column}, r.id) < (${value}, ${id})`;
  return nullable
    ? sql<boolean>`((${column}, r.id) > (${value}, ${id}) or ${column} is null)`
    : sql<boolean>`(${column}, r.id) > (${value}, ${id})`;
}

/** Totals up to this many rows are counted; above it the count would cost more than the page (an estimate). */
export const EXACT_TOTAL_UP_TO = 10_000;

/**
 * One page (limit + 1 rows are read, to know whether more follow) and the total: counted exactly up to
 * EXACT_TOTAL_UP_TO, else the planner's estimate of the filter in the caller's scope (at least the rows
 * already counted), marked as an estimate. One statement carries the page, the count and (only for a count
 * that passes EXACT_TOTAL_UP_TO) the estimate: a round trip is a fixed cost of every request. A search asks
 * its share before it, and an indexed search counts and pages the rows resource_search_rows finds.
 */
export async function listResources(trx: Trx, v: Visibility, f: ListFilter, page: PageRequest, side: Side = 'either') {
  const column = SORT_COLUMNS[page.sort];
  // A search first asks how broad it is (remembered for a minute); then one statement reads the page and the totals.
  const search = f.q ? await searchOf(trx, f.q) : null;
  const backwards = page.before !== undefined;
  const dir = backwards ? (page.order === 'asc' ? 'desc' : 'asc') : page.order;
  const keysets = [page.after, page.before].flatMap((c) => (c ? [keyset(page.sort, dir, c)] : []));
  const offset = page.after || page.before ? 0 : page.offset;
  const sortValue = sql<string | null>`${sql.ref(column)}::text`.as('sort_value');
  // An indexed search counts and pages the rows resource_search_rows finds (FOUND: the id and the sort columns
  // of each, with the list's filters in the caller's scope, migration 0253): looking every hit up again by id
  // under the policy only to count it and pick the page cost a lookup per hit (a unit's `db-04`: 500 for a page
  // of 50). Only the page's rows are read, whole, under the policy.
  const found = search?.indexed
    ? trx
        .selectFrom(
          sql<{ id: string }>`resource_search_rows(${search.like}, ${side}, ${f.state ?? null},
            ${f.organisationId ?? null}::uuid, ${f.providerId ?? null}::uuid, ${f.item ?? null},
            ${f.systemId ?? null}::uuid, ${f.projectId ?? null}::uuid, ${f.purpose ?? null})`.as('s'),
        )
        .selectAll('s')
    : null;
  const rowsOf = (q: ReturnType<typeof visibleResources>) => q.selectAll('r').select(sortValue);
  let paged: ReturnType<typeof rowsOf>;
  if (found) {
    const pageOfFound = sql<string>`(select r.id from ${sql.table(FOUND)} as r
      ${keysets.length ? sql`where ${sql.join(keysets, sql` and `)}` : sql``}
      order by ${sql.ref(column)} ${sql.raw(dir)}, r.id ${sql.raw(dir)} limit ${page.limit + 1} offset ${offset})`;
    paged = rowsOf(visibleResources(trx, v, side)).where('r.id', 'in', pageOfFound);
  } else {
    let q = filtered(trx, v, f, side, search);
    for (const k of keysets) q = q.where(k);
    // The page of resources first, then the names of its units and providers: joined before the LIMIT, every
    // row skipped by an OFFSET was joined (and the organisation policy evaluated for it) too.
    paged = rowsOf(q)
      .orderBy(column, dir)
      .orderBy('r.id', dir)
      .limit(page.limit + 1)
      .offset(offset);
  }
  const count = found
    ? sql`select 1 from ${sql.table(FOUND)} limit ${EXACT_TOTAL_UP_TO + 1}`
    : filtered(trx, v, f, side, search)
        .select(sql`1`.as('one'))
        .limit(EXACT_TOTAL_UP_TO + 1);
  // The rows are counted up to one more than EXACT_TOTAL_UP_TO; only a count that gets there asks the planner's
  // estimate (its EXPLAINs cost more than counting a short list). Once for the statement (a materialized CTE).
  const withTotals = (qc: QueryCreator<DB>) =>
    qc.with(
      (cte) => cte(TOTALS).materialized(),
      () =>
        sql<{ n: string; e: number | null }>`(select n, case when n > ${EXACT_TOTAL_UP_TO}
          then ${estimateOf(f, side, search?.like ?? null)} end as e
          from (select count(*) as n from (${count}) as c) as t)`,
    );
  // The search's rows (with the list's filters, migration 0253), once for the page and its count.
  const from = withTotals(
    found
      ? (trx.with(
          (cte) => cte(FOUND).materialized(),
          () => found,
        ) as unknown as QueryCreator<DB>)
      : trx,
  ) as unknown as QueryCreator<DB>;
  const counted = sql<string>`(select n from ${sql.table(TOTALS)})`;
  const estimate = sql<number | null>`(select e from ${sql.table(TOTALS)})`;
  const read = await from
    .selectFrom(paged.as('r'))
    .leftJoin('organisation as u', 'u.id', 'r.organisation_id')
    .leftJoin('organisation as p', 'p.id', 'r.provider_id')
    .selectAll('r')
    .select(['u.name as unit_name', 'p.name as provider_name'])
    .select([estimate.as('estimate'), counted.as('counted')])
    .orderBy(sql.ref(column), dir)
    .orderBy('r.id', dir)
    .execute();
  // A page past the end (or of an empty list) carries no totals: asked on their own.
  const got =
    read[0] ?? (await from.selectNoFrom([estimate.as('estimate'), counted.as('counted')]).executeTakeFirstOrThrow());
  const estimated = Math.round(Number(got.estimate ?? 0));
  const n = Number(got.counted);
  const more = read.length > page.limit;
  const rows = (more ? read.slice(0, page.limit) : read).map(({ counted: _c, estimate: _e, ...r }) => r);
  if (backwards) rows.reverse();
  const { total: answer, totalIsEstimate } =
    n <= EXACT_TOTAL_UP_TO
      ? { total: n, totalIsEstimate: false }
      : { total: Math.max(estimated, n), totalIsEstimate: true };
  const cursorOf = (r: (typeof rows)[number] | undefined): Cursor | null =>
    r ? { value: r.sort_value, id: r.id } : null;
  // Whether rows follow the page and precede it: read (`more`), or known from where the page starts.
  const hasNext = backwards ? true : more;
  const hasPrevious = backwards ? more : page.after !== undefined || page.offset > 0;
  return {
    rows,
    total: answer,
    totalIsEstimate,
    next: hasNext ? cursorOf(rows.at(-1)) : null,
    previous: hasPrevious ? cursorOf(rows[0]) : null,
  };
}

export async function findResource(trx: Trx, v: Visibility, id: string) {
  return visibleResources(trx, v)
    .leftJoin('organisation as u', 'u.id', 'r.organisation_id')
    .leftJoin('organisation as p', 'p.id', 'r.provider_id')
    .selectAll('r')
    .select(['u.name as unit_name', 'p.name as provider_name'])
    .where('r.id', '=', id)
    .executeTakeFirst();
}

export async function resourceIntervals(trx: Trx, id: string) {
  return trx
    .selectFrom('resource_spec_interval')
    .selectAll()
    .where('resource_id', '=', id)
    .orderBy('valid_from')
    .execute();
}

export async function resourceEvents(trx: Trx, id: string) {
  return trx.selectFrom('resource_event').selectAll().where('resource_id', '=', id).orderBy('id').execute();
}

export async function priceDimensions(
  trx: Trx,
  jurisdictionId: string,
  itemCode: string,
  day: string,
): Promise<string[]> {
  // The item in the catalogue version in force that day in the jurisdiction or, failing one, its parents.
  const { rows } = await sql<{ dimension: string }>`
    with recursive chain as (
      select id, parent_id, 0 as depth from jurisdiction where id = ${jurisdictionId}
      union all
      select j.id, j.parent_id, c.depth + 1 from jurisdiction j join chain c on j.id = c.parent_id
    ),
    version as (
      select v.id from catalogue_version v join chain c on c.id = v.jurisdiction_id
      where v.status = 'approved' and v.effective_from <= ${day}::date
      order by c.depth, v.effective_from desc, v.version_no desc
      limit 1
    )
    select p.dimension from catalogue_price p
    join catalogue_item i on i.id = p.item_id
    where i.version_id = (select id from version) and i.code = ${itemCode}
    order by p.dimension`.execute(trx);
  return rows.map((r) => r.dimension);
}

/**
 * The provider's live resources (not reclaimed) in a zone or among the listed ids, with the unit holding each:
 * what a maintenance window touches (JQ 13). Ids are one array parameter.
 */
export async function resourcesInScope(
  trx: Trx,
  scope: { jurisdictionId: string; providerId: string; zone: string | null; resourceIds: readonly string[] },
) {
  return trx
    .selectFrom('resource as r')
    .select(['r.id', 'r.organisation_id', 'r.jurisdiction_id', 'r.system_id', 'r.name', 'r.zone', 'r.state'])
    .where('r.jurisdiction_id', '=', scope.jurisdictionId)
    .where('r.provider_id', '=', scope.providerId)
    .where('r.state', '<>', 'reclaimed')
    .where((eb) => {
      const parts = [];
      if (scope.zone !== null) parts.push(eb('r.zone', '=', scope.zone));
      if (scope.resourceIds.length > 0)
        parts.push(sql<boolean>`r.id = any(${`{${scope.resourceIds.join(',')}}`}::uuid[])`);
      return parts.length > 0 ? eb.or(parts) : sql<boolean>`false`;
    })
    .orderBy('r.organisation_id')
    .orderBy('r.name')
    .execute();
}

/** The providers running live resources of an information system, with how many (service-desk routing, issue 18). */
export async function systemProviders(trx: Trx, jurisdictionId: string, systemId: string) {
  return trx
    .selectFrom('resource as r')
    .select('r.provider_id')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('r.jurisdiction_id', '=', jurisdictionId)
    .where('r.system_id', '=', systemId)
    .where('r.state', '<>', 'reclaimed')
    .groupBy('r.provider_id')
    .orderBy('r.provider_id')
    .execute();
}

/** Resources live at `at` (delivered before it, not reclaimed by it) per unit and catalogue item, that `v` sees. */
export async function liveResourceCounts(trx: Trx, v: Visibility, at: Date, providerId: string | null) {
  let q = visibleResources(trx, v)
    .leftJoin('organisation as u', 'u.id', 'r.organisation_id')
    .select(['r.organisation_id', 'u.name as unit_name', 'r.catalogue_item_code'])
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('r.delivered_at', '<', at)
    .where((eb) => eb.or([eb('r.reclaimed_at', 'is', null), eb('r.reclaimed_at', '>=', at)]))
    .groupBy(['r.organisation_id', 'u.name', 'r.catalogue_item_code']);
  if (providerId) q = q.where('r.provider_id', '=', providerId);
  const rows = await q.orderBy('u.name').orderBy('r.catalogue_item_code').execute();
  return rows.map((r) => ({
    organisationId: r.organisation_id,
    unitName: r.unit_name,
    item: r.catalogue_item_code,
    count: Number(r.n),
  }));
}
