import { sql } from 'kysely';
import type { Db, Trx } from '../../schema.ts';
import type { DataErrorReportRow, DataErrorReportTable, ErrorReportStatus } from './shareddata.table.ts';

// Data error reports (data_error_report).

type Values = Omit<DataErrorReportTable, 'id' | 'updated_at'>;

export async function insertReport(trx: Trx, values: Values, now: Date): Promise<DataErrorReportRow> {
  return trx
    .insertInto('data_error_report')
    .values({ ...values, updated_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findReport(trx: Trx, id: string, lock = false): Promise<DataErrorReportRow | undefined> {
  let q = trx.selectFrom('data_error_report').selectAll().where('id', '=', id);
  if (lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function updateReport(
  trx: Trx,
  id: string,
  set: Partial<Omit<DataErrorReportTable, 'id' | 'updated_at'>>,
  now: Date,
): Promise<DataErrorReportRow> {
  return trx
    .updateTable('data_error_report')
    .set({ ...set, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A grant of the unit on the resource that lets it report: in force, or one it used before. */
export async function reportingGrant(trx: Trx, resourceId: string, consumerId: string) {
  return trx
    .selectFrom('data_grant')
    .select(['id', 'consumer_name'])
    .where('resource_id', '=', resourceId)
    .where('consumer_organisation_id', '=', consumerId)
    .where('status', 'in', ['active', 'revoked', 'superseded'])
    .orderBy(sql`status = 'active'`, 'desc')
    .orderBy('applied_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export interface ReportFilter {
  consumers?: readonly string[];
  providers?: readonly string[];
  jurisdictions?: readonly string[];
  status?: ErrorReportStatus;
  open?: boolean;
  overdue?: boolean;
  resourceId?: string;
}

export async function listReports(
  trx: Trx,
  f: ReportFilter,
  page: { limit: number; offset: number },
  now: Date,
): Promise<{ rows: DataErrorReportRow[]; total: number }> {
  let q = trx.selectFrom('data_error_report').selectAll().select(sql<string>`count(*) over ()`.as('total'));
  if (f.consumers) q = q.where('consumer_organisation_id', 'in', f.consumers);
  if (f.providers) q = q.where('provider_organisation_id', 'in', f.providers);
  if (f.jurisdictions) {
    const js = f.jurisdictions as string[];
    q = q.where((eb) => eb.or([eb('jurisdiction_id', 'in', js), eb('consumer_jurisdiction_id', 'in', js)]));
  }
  if (f.status) q = q.where('status', '=', f.status);
  if (f.open) q = q.where('status', 'in', ['reported', 'acknowledged', 'corrected']);
  if (f.resourceId) q = q.where('resource_id', '=', f.resourceId);
  if (f.overdue) q = q.where('status', 'in', ['reported', 'acknowledged']).where('due_at', '<', now);
  const rows = await q
    .orderBy(sql`status in ('reported', 'acknowledged')`, 'desc')
    .orderBy(sql`due_at`, sql`asc nulls last`)
    .orderBy('reported_at', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  let total = rows.length > 0 ? Number(rows[0]?.total) : 0;
  if (rows.length === 0 && page.offset > 0) total = (await listReports(trx, f, { limit: 1, offset: 0 }, now)).total;
  return { rows, total };
}

/** Reports not corrected by their due time and not yet marked overdue (the sweep's work), locked. */
export async function newlyOverdue(trx: Trx, now: Date, limit: number): Promise<DataErrorReportRow[]> {
  return trx
    .selectFrom('data_error_report')
    .selectAll()
    .where('status', 'in', ['reported', 'acknowledged'])
    .where('overdue_since', 'is', null)
    .where('due_at', '<', now)
    .orderBy('due_at')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

/** Per providing unit: reports received, corrected, corrected late, still open, open past the deadline. */
export async function countsByProvider(
  db: Db | Trx,
  jurisdictionIds: readonly string[],
  from: Date,
  to: Date,
  now: Date,
) {
  if (jurisdictionIds.length === 0) return [];
  return db
    .selectFrom('data_error_report')
    .select([
      'provider_organisation_id',
      sql<string>`max(provider_name)`.as('provider_name'),
      sql<string>`count(*)`.as('reported'),
      sql<string>`count(*) filter (where corrected_at is not null)`.as('corrected'),
      sql<string>`count(*) filter (where corrected_at > due_at)`.as('corrected_late'),
      sql<string>`count(*) filter (where status in ('reported', 'acknowledged'))`.as('open'),
      sql<string>`count(*) filter (where status in ('reported', 'acknowledged') and due_at < ${now})`.as('overdue'),
    ])
    .where('jurisdiction_id', 'in', jurisdictionIds)
    .where('reported_at', '>=', from)
    .where('reported_at', '<', to)
    .groupBy('provider_organisation_id')
    .execute();
}
