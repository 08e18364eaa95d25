import { type Insertable, sql, type Updateable } from 'kysely';
import { sqlArray } from '../../platform/db/arrays.ts';
import type { Db, Trx } from '../../schema.ts';
import type {
  ApplicationRow,
  ApplicationStatus,
  AttachmentPurpose,
  AttachmentRow,
  DataCentreApplicationTable,
  DataCentreRow,
  DataCentreSystemRow,
  DataCentreSystemTable,
  DataCentreTable,
  Stage,
} from './datacentres.table.ts';

// The only SQL of the legacy data-centre module.

export async function insertCentre(trx: Trx, row: Insertable<DataCentreTable>): Promise<DataCentreRow> {
  return trx.insertInto('data_centre').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function updateCentre(
  trx: Trx,
  id: string,
  set: Updateable<DataCentreTable>,
  now: Date,
): Promise<DataCentreRow> {
  return trx
    .updateTable('data_centre')
    .set({ ...set, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findCentre(trx: Trx, id: string, lock = false): Promise<DataCentreRow | undefined> {
  let q = trx.selectFrom('data_centre').selectAll().where('id', '=', id);
  if (lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function centreNamed(trx: Trx, organisationId: string, name: string) {
  return trx
    .selectFrom('data_centre')
    .select('id')
    .where('organisation_id', '=', organisationId)
    .where('name', '=', name)
    .executeTakeFirst();
}

export interface CentreFilter {
  organisations?: readonly string[];
  jurisdictions?: readonly string[];
  stage?: Stage;
  construction?: 'self_built' | 'rented';
  q?: string;
}

export async function listCentres(
  trx: Trx | Db,
  f: CentreFilter,
  page: { limit: number; offset: number },
): Promise<{ rows: DataCentreRow[]; total: number }> {
  let q = trx.selectFrom('data_centre');
  if (f.organisations) q = q.where(sql<boolean>`organisation_id = any(${sqlArray(f.organisations)}::uuid[])`);
  if (f.jurisdictions) q = q.where(sql<boolean>`jurisdiction_id = any(${sqlArray(f.jurisdictions)}::uuid[])`);
  if (f.stage) q = q.where('stage', '=', f.stage);
  if (f.construction) q = q.where('construction', '=', f.construction);
  if (f.q) q = q.where((eb) => eb.or([eb('name', 'ilike', `%${f.q}%`), eb('address', 'ilike', `%${f.q}%`)]));
  const [rows, count] = await Promise.all([
    q.selectAll().orderBy('name').orderBy('id').limit(page.limit).offset(page.offset).execute(),
    q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export async function systemsOf(trx: Trx | Db, centreIds: readonly string[]): Promise<DataCentreSystemRow[]> {
  if (centreIds.length === 0) return [];
  return trx
    .selectFrom('data_centre_system')
    .selectAll()
    .where(sql<boolean>`data_centre_id = any(${sqlArray(centreIds)}::uuid[])`)
    .orderBy('system_name')
    .execute();
}

/** Which of the systems another room already hosts (a system runs in one room). */
export async function hostedElsewhere(trx: Trx, centreId: string, systemIds: readonly string[]) {
  if (systemIds.length === 0) return [];
  return trx
    .selectFrom('data_centre_system')
    .select(['system_id', 'system_name'])
    .where(sql<boolean>`system_id = any(${sqlArray(systemIds)}::uuid[])`)
    .where('data_centre_id', '<>', centreId)
    .execute();
}

export async function addSystems(trx: Trx, rows: Insertable<DataCentreSystemTable>[]): Promise<void> {
  if (rows.length === 0) return;
  await trx.insertInto('data_centre_system').values(rows).execute();
}

export async function removeSystems(trx: Trx, centreId: string, systemIds: readonly string[]): Promise<void> {
  if (systemIds.length === 0) return;
  await trx
    .deleteFrom('data_centre_system')
    .where('data_centre_id', '=', centreId)
    .where(sql<boolean>`system_id = any(${sqlArray(systemIds)}::uuid[])`)
    .execute();
}

export async function updateSystem(
  trx: Trx,
  centreId: string,
  systemId: string,
  set: Updateable<DataCentreSystemTable>,
  now: Date,
): Promise<DataCentreSystemRow | undefined> {
  return trx
    .updateTable('data_centre_system')
    .set({ ...set, updated_at: now })
    .where('data_centre_id', '=', centreId)
    .where('system_id', '=', systemId)
    .returningAll()
    .executeTakeFirst();
}

// ------------------------------------------------------------------------------------------ applications

export async function insertApplication(
  trx: Trx,
  row: Insertable<DataCentreApplicationTable>,
): Promise<ApplicationRow> {
  return trx.insertInto('data_centre_application').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function updateApplication(
  trx: Trx | Db,
  id: string,
  set: Updateable<DataCentreApplicationTable>,
  now: Date,
): Promise<ApplicationRow> {
  return trx
    .updateTable('data_centre_application')
    .set({ ...set, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findApplication(trx: Trx, id: string, lock = false): Promise<ApplicationRow | undefined> {
  let q = trx.selectFrom('data_centre_application').selectAll().where('id', '=', id);
  if (lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function openApplication(trx: Trx, centreId: string): Promise<ApplicationRow | undefined> {
  return trx
    .selectFrom('data_centre_application')
    .selectAll()
    .where('data_centre_id', '=', centreId)
    .where('status', 'in', ['draft', 'submitted', 'evaluated'])
    .executeTakeFirst();
}

export interface ApplicationFilter {
  organisations?: readonly string[];
  jurisdictions?: readonly string[];
  status?: ApplicationStatus;
  centreId?: string;
}

export async function listApplications(
  trx: Trx,
  f: ApplicationFilter,
  page: { limit: number; offset: number },
): Promise<{ rows: ApplicationRow[]; total: number }> {
  let q = trx.selectFrom('data_centre_application');
  if (f.organisations) q = q.where(sql<boolean>`organisation_id = any(${sqlArray(f.organisations)}::uuid[])`);
  if (f.jurisdictions) q = q.where(sql<boolean>`jurisdiction_id = any(${sqlArray(f.jurisdictions)}::uuid[])`);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.centreId) q = q.where('data_centre_id', '=', f.centreId);
  const [rows, count] = await Promise.all([
    q.selectAll().orderBy('created_at', 'desc').orderBy('id').limit(page.limit).offset(page.offset).execute(),
    q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** Applications whose evaluation or approval is past due and not yet escalated (the sweeper's batch). */
export async function newlyOverdue(trx: Trx, now: Date, limit: number): Promise<ApplicationRow[]> {
  return trx
    .selectFrom('data_centre_application')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb.and([
          eb('status', '=', 'submitted'),
          eb('evaluation_due_at', '<', now),
          eb('evaluation_overdue_since', 'is', null),
        ]),
        eb.and([
          eb('status', '=', 'evaluated'),
          eb('approval_due_at', '<', now),
          eb('approval_overdue_since', 'is', null),
        ]),
      ]),
    )
    .orderBy('submitted_at')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

// ------------------------------------------------------------------------------------------ attachments

export type AttachmentMeta = Omit<AttachmentRow, 'content'>;
const META = [
  'id',
  'data_centre_id',
  'application_id',
  'organisation_id',
  'jurisdiction_id',
  'purpose',
  'file_name',
  'media_type',
  'size_bytes',
  'sha256',
  'uploaded_by',
  'uploaded_at',
] as const;

export async function insertAttachment(trx: Trx, row: Omit<AttachmentRow, 'id'>): Promise<AttachmentMeta> {
  return trx.insertInto('data_centre_attachment').values(row).returning(META).executeTakeFirstOrThrow();
}

export async function attachmentsOf(
  trx: Trx,
  centreId: string,
  applicationId: string | null,
  purposes?: readonly AttachmentPurpose[],
): Promise<AttachmentMeta[]> {
  let q = trx.selectFrom('data_centre_attachment').select(META).where('data_centre_id', '=', centreId);
  q = applicationId === null ? q.where('application_id', 'is', null) : q.where('application_id', '=', applicationId);
  if (purposes) q = q.where('purpose', 'in', purposes);
  return q.orderBy('uploaded_at').execute();
}

export async function findAttachment(trx: Trx, id: string): Promise<AttachmentRow | undefined> {
  return trx.selectFrom('data_centre_attachment').selectAll().where('id', '=', id).executeTakeFirst();
}

// ------------------------------------------------------------------------------------------ notices

/** Rooms whose retention ends within `horizonDays` of `today` (the sweeper checks each notice lead). */
export async function retainedEndingBy(db: Trx | Db, lastDay: string): Promise<DataCentreRow[]> {
  return db
    .selectFrom('data_centre')
    .selectAll()
    .where('stage', '=', 'retained')
    .where('retention_ends', 'is not', null)
    .where('retention_ends', '<=', lastDay)
    .execute();
}

/** Records a notice; false when it was sent before (each notice goes out once). */
export async function recordNotice(
  trx: Trx,
  row: {
    data_centre_id: string;
    organisation_id: string;
    jurisdiction_id: string;
    kind: string;
    ends_on: string;
    lead_days: number;
    notice_day: string;
    sent_at: Date;
  },
): Promise<boolean> {
  const r = await trx
    .insertInto('data_centre_notice')
    .values(row)
    .onConflict((oc) => oc.doNothing())
    .returning('kind')
    .executeTakeFirst();
  return r !== undefined;
}

export async function noticesOf(trx: Trx, centreId: string) {
  return trx
    .selectFrom('data_centre_notice')
    .selectAll()
    .where('data_centre_id', '=', centreId)
    .orderBy('notice_day')
    .execute();
}

// ------------------------------------------------------------------------------------------ figures

/** Every room of the jurisdictions with its hosted systems (for the overview, progress, export and the rate). */
export async function centresOfJurisdictions(db: Trx | Db, jurisdictionIds: readonly string[]) {
  if (jurisdictionIds.length === 0) return [];
  return db
    .selectFrom('data_centre')
    .selectAll()
    .where(sql<boolean>`jurisdiction_id = any(${sqlArray(jurisdictionIds)}::uuid[])`)
    .orderBy('name')
    .execute();
}
