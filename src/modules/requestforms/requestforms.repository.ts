import type { Visibility } from '../../platform/auth/auth.ts';
import type { Trx } from '../../schema.ts';
import type { FormRecord, FormRowRecord, NewFormRowRecord } from './requestforms.table.ts';

// Every function runs in a tenant transaction (withTenant): row-level security limits what it sees, and
// the visibility filters below state the same rule in SQL.

/** Rows per INSERT: 17 parameters each keeps a statement far below PostgreSQL's 65,535. */
const INSERT_BATCH = 500;

export interface FormTotals {
  row_count: number;
  vcpu: number;
  memory_gb: number;
  system_disk_gb: number;
  data_disk_gb: number;
}

export async function insertForm(
  trx: Trx,
  values: {
    organisation_id: string;
    jurisdiction_id: string;
    system_name: string;
    title: string;
    applicant_contact: string | null;
    vendor_contact: string | null;
    source_filename: string | null;
    created_by: string;
  },
): Promise<FormRecord> {
  return trx.insertInto('request_form').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function insertLines(trx: Trx, lines: NewFormRowRecord[]): Promise<void> {
  for (let i = 0; i < lines.length; i += INSERT_BATCH) {
    await trx
      .insertInto('request_form_row')
      .values(lines.slice(i, i + INSERT_BATCH))
      .execute();
  }
}

function formsOf(trx: Trx, v: Visibility) {
  return trx
    .selectFrom('request_form as f')
    .where((eb) =>
      v.kind === 'organisation'
        ? eb('f.organisation_id', 'in', v.organisations)
        : eb('f.jurisdiction_id', 'in', v.jurisdictions),
    );
}

function totalsQuery(trx: Trx) {
  return trx
    .selectFrom('request_form_row')
    .select((eb) => [
      'form_id',
      eb.fn.countAll<string>().as('row_count'),
      eb.fn.sum<string>('vcpu').as('vcpu'),
      eb.fn.sum<string>('memory_gb').as('memory_gb'),
      eb.fn.sum<string>('system_disk_gb').as('system_disk_gb'),
      eb.fn.sum<string>('data_disk_gb').as('data_disk_gb'),
    ])
    .groupBy('form_id');
}

type FormWithTotals = FormRecord & FormTotals;

const withNumbers = <T extends Record<string, unknown>>(row: T): T & FormTotals => ({
  ...row,
  row_count: Number(row.row_count ?? 0),
  vcpu: Number(row.vcpu ?? 0),
  memory_gb: Number(row.memory_gb ?? 0),
  system_disk_gb: Number(row.system_disk_gb ?? 0),
  data_disk_gb: Number(row.data_disk_gb ?? 0),
});

/** The caller's forms with their totals, newest first. */
export async function listForms(
  trx: Trx,
  visibility: Visibility,
  page: { limit: number; offset: number },
): Promise<{ rows: FormWithTotals[]; total: number }> {
  const { total } = await formsOf(trx, visibility)
    .select((eb) => eb.fn.countAll<string>().as('total'))
    .executeTakeFirstOrThrow();
  const rows = await formsOf(trx, visibility)
    .leftJoin(totalsQuery(trx).as('t'), 't.form_id', 'f.id')
    .selectAll('f')
    .select(['t.row_count', 't.vcpu', 't.memory_gb', 't.system_disk_gb', 't.data_disk_gb'])
    .orderBy('f.created_at', 'desc')
    .orderBy('f.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return { rows: rows.map((r) => withNumbers(r) as FormWithTotals), total: Number(total) };
}

export async function findForm(trx: Trx, visibility: Visibility, id: string): Promise<FormWithTotals | undefined> {
  const row = await formsOf(trx, visibility)
    .leftJoin(totalsQuery(trx).where('form_id', '=', id).as('t'), 't.form_id', 'f.id')
    .selectAll('f')
    .select(['t.row_count', 't.vcpu', 't.memory_gb', 't.system_disk_gb', 't.data_disk_gb'])
    .where('f.id', '=', id)
    .executeTakeFirst();
  return row ? (withNumbers(row) as FormWithTotals) : undefined;
}

export async function formLines(trx: Trx, formId: string): Promise<FormRowRecord[]> {
  return trx.selectFrom('request_form_row').selectAll().where('form_id', '=', formId).orderBy('row_no').execute();
}

export async function deleteForm(trx: Trx, formId: string): Promise<void> {
  await trx.deleteFrom('request_form_row').where('form_id', '=', formId).execute();
  await trx.deleteFrom('request_form').where('id', '=', formId).execute();
}
