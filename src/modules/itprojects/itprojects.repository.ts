import { sql } from 'kysely';
import type { Trx } from '../../schema.ts';
import type {
  AcceptanceRow,
  ChangeRow,
  ChecklistAnswer,
  DeclarationRow,
  DeploymentLine,
  ProjectDeclarationTable,
  RoundRow,
  SharingLine,
} from './itprojects.table.ts';

// The only SQL of the IT-project lifecycle. Tenant-owned tables (declarations, changes, acceptances,
// budgets) are read under the caller's row-level security; rounds are jurisdiction-wide.

export async function findRound(trx: Trx, id: string): Promise<RoundRow | undefined> {
  return trx.selectFrom('declaration_round').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function roundOfYear(trx: Trx, jurisdictionId: string, year: number): Promise<RoundRow | undefined> {
  return trx
    .selectFrom('declaration_round')
    .selectAll()
    .where('jurisdiction_id', '=', jurisdictionId)
    .where('plan_year', '=', year)
    .executeTakeFirst();
}

export async function listRounds(trx: Trx, jurisdictionIds: readonly string[]): Promise<RoundRow[]> {
  if (jurisdictionIds.length === 0) return [];
  return trx
    .selectFrom('declaration_round')
    .selectAll()
    .where('jurisdiction_id', 'in', jurisdictionIds)
    .orderBy('plan_year', 'desc')
    .execute();
}

export async function insertRound(
  trx: Trx,
  values: Omit<RoundRow, 'id' | 'status' | 'planned_by' | 'planned_at'>,
): Promise<RoundRow> {
  return trx.insertInto('declaration_round').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function updateRound(
  trx: Trx,
  id: string,
  values: Partial<Pick<RoundRow, 'status' | 'planned_by' | 'planned_at'>>,
): Promise<void> {
  await trx.updateTable('declaration_round').set(values).where('id', '=', id).execute();
}

export interface DeclarationWithNames extends DeclarationRow {
  project_name: string;
  approval_no: string;
  project_status: string;
  organisation_name: string;
  outside_city_budget: boolean;
  plan_year: number | null;
}

const declarations = (trx: Trx) =>
  trx
    .selectFrom('project_declaration as d')
    .innerJoin('project as p', 'p.id', 'd.project_id')
    .innerJoin('organisation as o', 'o.id', 'd.organisation_id')
    .leftJoin('declaration_round as r', 'r.id', 'd.round_id')
    .selectAll('d')
    .select([
      'p.name as project_name',
      'p.approval_no',
      'p.status as project_status',
      'o.name as organisation_name',
      sql<boolean>`o.outside_city_budget`.as('outside_city_budget'),
      'r.plan_year',
    ]);

export async function findDeclaration(trx: Trx, id: string): Promise<DeclarationWithNames | undefined> {
  return (await declarations(trx).where('d.id', '=', id).executeTakeFirst()) as DeclarationWithNames | undefined;
}

export async function declarationOfProject(trx: Trx, projectId: string): Promise<DeclarationWithNames | undefined> {
  return (await declarations(trx).where('d.project_id', '=', projectId).executeTakeFirst()) as
    | DeclarationWithNames
    | undefined;
}

export async function listDeclarations(
  trx: Trx,
  q: { roundId?: string; status?: string; organisationId?: string; year?: number },
): Promise<DeclarationWithNames[]> {
  let query = declarations(trx);
  if (q.roundId) query = query.where('d.round_id', '=', q.roundId);
  if (q.status) query = query.where('d.status', '=', q.status as DeclarationRow['status']);
  if (q.organisationId) query = query.where('d.organisation_id', '=', q.organisationId);
  if (q.year !== undefined) query = query.where('p.year', '=', q.year);
  return (await query.orderBy('d.created_at').limit(5000).execute()) as DeclarationWithNames[];
}

export async function lockDeclaration(trx: Trx, id: string): Promise<void> {
  await trx.selectFrom('project_declaration').select('id').where('id', '=', id).forUpdate().execute();
}

export interface DeclarationValues {
  feasibility_summary: string;
  investment_fen: bigint;
  funding_source: string;
  deployment_plan: DeploymentLine[];
  annual_cloud_cost_fen: bigint;
  catalogue_version_id: string | null;
  data_sharing_plan: SharingLine[];
}

export async function insertDeclaration(
  trx: Trx,
  values: DeclarationValues & {
    organisation_id: string;
    jurisdiction_id: string;
    project_id: string;
    round_id: string | null;
    urgent: boolean;
    urgent_reason: string | null;
    created_by: string;
    created_at: Date;
  },
): Promise<string> {
  const row = await trx
    .insertInto('project_declaration')
    .values({
      ...values,
      deployment_plan: JSON.stringify(values.deployment_plan),
      data_sharing_plan: JSON.stringify(values.data_sharing_plan),
      updated_at: values.created_at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateDeclaration(
  trx: Trx,
  id: string,
  values: Partial<
    DeclarationValues &
      Pick<
        ProjectDeclarationTable,
        | 'reviewed_by'
        | 'reviewed_at'
        | 'approved_by'
        | 'approved_at'
        | 'design_review_note'
        | 'design_reviewed_by'
        | 'design_reviewed_at'
        | 'submitted_at'
      > & { status: DeclarationRow['status']; review_checklist: ChecklistAnswer[] }
  >,
  now: Date,
): Promise<void> {
  const { deployment_plan, data_sharing_plan, review_checklist, ...rest } = values;
  await trx
    .updateTable('project_declaration')
    .set({
      ...rest,
      ...(deployment_plan ? { deployment_plan: JSON.stringify(deployment_plan) } : {}),
      ...(data_sharing_plan ? { data_sharing_plan: JSON.stringify(data_sharing_plan) } : {}),
      ...(review_checklist ? { review_checklist: JSON.stringify(review_checklist) } : {}),
      updated_at: now,
    })
    .where('id', '=', id)
    .execute();
}

/** Sets the status of many declarations at once (the annual plan), by arrays, never one query per row. */
export async function setStatuses(
  trx: Trx,
  ids: readonly string[],
  status: DeclarationRow['status'],
  now: Date,
): Promise<void> {
  if (ids.length === 0) return;
  await trx
    .updateTable('project_declaration')
    .set({ status, updated_at: now })
    .where('id', '=', sql<string>`any(${sql.val([...ids])}::uuid[])`)
    .execute();
}

// ---- changes and acceptances ----------------------------------------------------------------------

export async function insertChange(trx: Trx, values: Omit<ChangeRow, 'id'>): Promise<ChangeRow> {
  return trx.insertInto('project_change').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function findChange(trx: Trx, id: string): Promise<ChangeRow | undefined> {
  return trx.selectFrom('project_change').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function changesOf(trx: Trx, projectId: string): Promise<ChangeRow[]> {
  return trx
    .selectFrom('project_change')
    .selectAll()
    .where('project_id', '=', projectId)
    .orderBy('requested_at')
    .execute();
}

export async function updateChange(
  trx: Trx,
  id: string,
  values: Pick<ChangeRow, 'status' | 'decided_by' | 'decided_at' | 'decision_comment'>,
): Promise<void> {
  await trx.updateTable('project_change').set(values).where('id', '=', id).execute();
}

export async function acceptancesOf(trx: Trx, projectId: string): Promise<AcceptanceRow[]> {
  return trx
    .selectFrom('project_acceptance')
    .selectAll()
    .where('project_id', '=', projectId)
    .orderBy('attempt')
    .execute();
}

export async function insertAcceptance(trx: Trx, values: Omit<AcceptanceRow, 'id'>): Promise<AcceptanceRow> {
  return trx.insertInto('project_acceptance').values(values).returningAll().executeTakeFirstOrThrow();
}

// ---- budget ------------------------------------------------------------------------------------------

export async function budgetsOf(trx: Trx, year: number) {
  return trx.selectFrom('unit_cloud_budget').selectAll().where('year', '=', year).execute();
}

export async function upsertBudget(
  trx: Trx,
  values: {
    organisation_id: string;
    jurisdiction_id: string;
    year: number;
    budget_fen: bigint;
    set_by: string;
    set_at: Date;
  },
): Promise<void> {
  await trx
    .insertInto('unit_cloud_budget')
    .values(values)
    .onConflict((oc) =>
      oc.columns(['organisation_id', 'year']).doUpdateSet({
        budget_fen: values.budget_fen,
        set_by: values.set_by,
        set_at: values.set_at,
      }),
    )
    .execute();
}

/** Approved (or design-approved) declarations of a plan year: the cloud cost planned per unit. */
export async function plannedOfYear(trx: Trx, year: number) {
  return trx
    .selectFrom('project_declaration as d')
    .innerJoin('project as p', 'p.id', 'd.project_id')
    .select(['d.organisation_id', 'd.project_id', 'p.name as project_name', 'd.annual_cloud_cost_fen'])
    .where('p.year', '=', year)
    .where('p.status', '=', 'approved')
    .execute();
}

export async function organisationsNamed(trx: Trx, ids: readonly string[]) {
  if (ids.length === 0) return [];
  return trx
    .selectFrom('organisation')
    .select(['id', 'name', 'jurisdiction_id', sql<boolean>`outside_city_budget`.as('outside_city_budget')])
    .where('id', 'in', [...ids])
    .execute();
}

export async function jurisdictionCodeById(trx: Trx, id: string): Promise<string> {
  const row = await trx.selectFrom('jurisdiction').select('code').where('id', '=', id).executeTakeFirstOrThrow();
  return row.code;
}

export async function jurisdictionIdByCode(trx: Trx, code: string): Promise<string | undefined> {
  const row = await trx.selectFrom('jurisdiction').select('id').where('code', '=', code).executeTakeFirst();
  return row?.id;
}

export async function lockDeclarationOfProject(trx: Trx, projectId: string): Promise<void> {
  await trx.selectFrom('project_declaration').select('id').where('project_id', '=', projectId).forUpdate().execute();
}
