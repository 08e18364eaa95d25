import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { Trx } from '../../schema.ts';
import type { ContactKind, ContactRow, OrganisationRow, OrganisationType } from './tenancy.table.ts';

// Every function here runs in a tenant transaction (withTenant): row-level security limits what the
// queries can see, and `inScope` states the same rule in code, so neither alone is relied upon.

export interface Organisation {
  id: string;
  code: string;
  name: string;
  nameEn: string | null;
  type: OrganisationType;
  jurisdictionId: string;
  parentId: string | null;
  creditCode: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Contact {
  id: string;
  kind: ContactKind;
  name: string;
  position: string | null;
  phone: string | null;
  mobile: string | null;
  email: string | null;
  validFrom: string;
  validTo: string | null;
  changedBy: string | null;
}

const toOrganisation = (row: OrganisationRow): Organisation => ({
  id: row.id,
  code: row.code,
  name: row.name,
  nameEn: row.name_en,
  type: row.type,
  jurisdictionId: row.jurisdiction_id,
  parentId: row.parent_id,
  creditCode: row.credit_code,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

const toContact = (row: ContactRow): Contact => ({
  id: row.id,
  kind: row.kind,
  name: row.name,
  position: row.position,
  phone: row.phone,
  mobile: row.mobile,
  email: row.email,
  validFrom: row.valid_from.toISOString(),
  validTo: row.valid_to?.toISOString() ?? null,
  changedBy: row.changed_by,
});

/** Whether the organisation's own data (contacts, tokens, changes) is the caller's business. */
function inScope(auth: AuthContext, org: Pick<OrganisationRow, 'id' | 'jurisdiction_id'>): boolean {
  return auth.visibility.kind === 'organisation'
    ? auth.visibility.organisations.includes(org.id)
    : auth.visibility.jurisdictions.includes(org.jurisdiction_id);
}

async function findOrganisation(trx: Trx, id: string): Promise<OrganisationRow | undefined> {
  return trx.selectFrom('organisation').selectAll().where('id', '=', id).executeTakeFirst();
}

/** An organisation whose own data the caller may reach; a foreign one answers exactly like a missing one. */
async function scopedOrganisation(trx: Trx, auth: AuthContext, id: string): Promise<OrganisationRow> {
  const row = await findOrganisation(trx, id);
  if (!row || !inScope(auth, row)) throw notFound(`organisation ${id} / 单位不存在`);
  return row;
}

export async function listOrganisations(
  trx: Trx,
  auth: AuthContext,
  filter: { type?: OrganisationType; search?: string },
): Promise<Organisation[]> {
  let query = trx.selectFrom('organisation').selectAll().orderBy('type').orderBy('code').limit(1_000);
  // The directory of authorities, the operations unit and providers is everyone's; units only in scope.
  const v = auth.visibility;
  query = query.where((eb) =>
    eb.or([
      eb('type', '!=', 'using_unit'),
      v.kind === 'organisation' ? eb('id', 'in', v.organisations) : eb('jurisdiction_id', 'in', v.jurisdictions),
    ]),
  );
  if (filter.type) query = query.where('type', '=', filter.type);
  if (filter.search) {
    const like = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) =>
      eb.or([eb('name', 'ilike', like), eb('code', 'ilike', like), eb('name_en', 'ilike', like)]),
    );
  }
  return (await query.execute()).map(toOrganisation);
}

export async function getOrganisation(trx: Trx, auth: AuthContext, id: string): Promise<Organisation> {
  const row = await findOrganisation(trx, id);
  if (!row || (row.type === 'using_unit' && !inScope(auth, row))) throw notFound(`organisation ${id} / 单位不存在`);
  return toOrganisation(row);
}

export interface CreateOrganisationInput {
  code: string;
  name: string;
  nameEn?: string;
  type: OrganisationType;
  jurisdictionId?: string;
  parentId?: string;
  creditCode?: string;
}

/**
 * Jurisdiction-wide managers (the system admin) create any organisation in their jurisdictions; a unit
 * administrator creates sub-units under its own unit.
 */
export async function createOrganisation(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  input: CreateOrganisationInput,
): Promise<Organisation> {
  let jurisdictionId = input.jurisdictionId;
  if (input.parentId) {
    const parent = await scopedOrganisation(trx, auth, input.parentId);
    if (parent.type !== 'using_unit' || input.type !== 'using_unit') {
      throw new AppError('validation_failed', 'body.parentId: only using units have sub-units', [
        { field: 'body.parentId', message: '只有使用单位可以有下级单位 / only using units have sub-units' },
      ]);
    }
    if (jurisdictionId && jurisdictionId !== parent.jurisdiction_id) {
      throw new AppError('validation_failed', 'body.jurisdictionId: a sub-unit belongs to its parent’s jurisdiction', [
        { field: 'body.jurisdictionId', message: '下级单位与上级单位属于同一辖区 / must be the parent’s jurisdiction' },
      ]);
    }
    jurisdictionId = parent.jurisdiction_id;
  } else if (auth.visibility.kind === 'organisation') {
    throw new AppError(
      'validation_failed',
      'body.parentId: required: a unit administrator creates sub-units of its unit',
      [{ field: 'body.parentId', message: '必填 / required' }],
    );
  }
  if (!jurisdictionId) {
    throw new AppError('validation_failed', 'body.jurisdictionId: required', [
      { field: 'body.jurisdictionId', message: '必填 / required' },
    ]);
  }
  if (auth.visibility.kind === 'jurisdiction' && !auth.visibility.jurisdictions.includes(jurisdictionId)) {
    throw notFound(`jurisdiction ${jurisdictionId} / 辖区不存在`);
  }
  const taken = await trx.selectFrom('organisation').select('id').where('code', '=', input.code).executeTakeFirst();
  if (taken) {
    throw new AppError('conflict', `organisation code ${input.code} is taken / 单位编码已存在`, [
      { field: 'body.code', message: '单位编码已存在 / taken' },
    ]);
  }
  const row = await trx
    .insertInto('organisation')
    .values({
      code: input.code,
      name: input.name,
      name_en: input.nameEn ?? null,
      type: input.type,
      jurisdiction_id: jurisdictionId,
      parent_id: input.parentId ?? null,
      credit_code: input.creditCode ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await writeAudit(trx, actor, {
    action: 'organisation.created',
    objectType: 'organisation',
    objectId: row.id,
    detail: { code: row.code, type: row.type, parentId: row.parent_id },
  });
  return toOrganisation(row);
}

export async function updateOrganisation(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  patch: { name?: string; nameEn?: string | null; creditCode?: string | null },
  now: Date,
): Promise<Organisation> {
  const before = await scopedOrganisation(trx, auth, id);
  const row = await trx
    .updateTable('organisation')
    .set({
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.nameEn !== undefined && { name_en: patch.nameEn }),
      ...(patch.creditCode !== undefined && { credit_code: patch.creditCode }),
      updated_at: now,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await writeAudit(trx, actor, {
    action: 'organisation.updated',
    objectType: 'organisation',
    objectId: id,
    detail: { before: { name: before.name, nameEn: before.name_en, creditCode: before.credit_code }, after: patch },
  });
  return toOrganisation(row);
}

export async function currentContacts(trx: Trx, auth: AuthContext, id: string): Promise<Contact[]> {
  await scopedOrganisation(trx, auth, id);
  const rows = await trx
    .selectFrom('organisation_contact')
    .selectAll()
    .where('organisation_id', '=', id)
    .where('valid_to', 'is', null)
    .orderBy('kind', 'desc')
    .orderBy('name')
    .execute();
  return rows.map(toContact);
}

export async function contactHistory(trx: Trx, auth: AuthContext, id: string): Promise<Contact[]> {
  await scopedOrganisation(trx, auth, id);
  const rows = await trx
    .selectFrom('organisation_contact')
    .selectAll()
    .where('organisation_id', '=', id)
    .orderBy('valid_from', 'desc')
    .orderBy('kind', 'desc')
    .execute();
  return rows.map(toContact);
}

export type ContactInput = Pick<Contact, 'kind' | 'name'> &
  Partial<Pick<Contact, 'position' | 'phone' | 'mobile' | 'email'>>;

/**
 * Replaces the organisation's contacts (its information officer and emergency contacts, JQ 26). The
 * previous ones stay as history: their rows are closed, never rewritten.
 */
export async function replaceContacts(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  contacts: ContactInput[],
  now: Date,
): Promise<Contact[]> {
  const org = await scopedOrganisation(trx, auth, id);
  const officers = contacts.filter((c) => c.kind === 'information_officer').length;
  if (officers > 1) {
    throw new AppError('validation_failed', 'body.contacts: at most one information officer', [
      { field: 'body.contacts', message: '信息化负责人只能有一位 / at most one information officer' },
    ]);
  }
  await trx
    .updateTable('organisation_contact')
    .set({ valid_to: now })
    .where('organisation_id', '=', id)
    .where('valid_to', 'is', null)
    .execute();
  for (const c of contacts) {
    await trx
      .insertInto('organisation_contact')
      .values({
        organisation_id: id,
        jurisdiction_id: org.jurisdiction_id,
        kind: c.kind,
        name: c.name,
        position: c.position ?? null,
        phone: c.phone ?? null,
        mobile: c.mobile ?? null,
        email: c.email ?? null,
        valid_from: now,
        changed_by: auth.name,
      })
      .execute();
  }
  await writeAudit(trx, actor, {
    action: 'organisation.contacts_replaced',
    objectType: 'organisation',
    objectId: id,
    detail: { count: contacts.length },
  });
  return currentContacts(trx, auth, id);
}
