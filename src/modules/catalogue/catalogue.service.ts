import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { isCalendarDay, shanghaiDay } from '../../platform/time/time.ts';
import type { Db, Trx } from '../../schema.ts';
import { effectivePolicy } from '../policy/index.ts';
import { getJurisdiction, type Jurisdiction } from '../tenancy/index.ts';
import * as repo from './catalogue.repository.ts';
import type { CatalogueVersionRow, Layer, SpecAttribute } from './catalogue.table.ts';

export interface Price {
  dimension: string;
  unit: string;
  /** yuan, exact decimal string with 4 places */
  unitPrice: string;
}

export interface CatalogueItem {
  code: string;
  position: number;
  name: string;
  nameEn: string;
  layer: Layer;
  category: string;
  description: string | null;
  specification: SpecAttribute[];
  providerId: string | null;
  prices: Price[];
}

export interface CatalogueVersion {
  id: string;
  jurisdictionCode: string;
  versionNo: number;
  status: CatalogueVersionRow['status'];
  effectiveFrom: string;
  basedOnId: string | null;
  note: string | null;
  rejectionNote: string | null;
  createdBy: string | null;
  submittedAt: string | null;
  approvedAt: string | null;
  /** the confirmations (核定) given, each by its role (SH 15) */
  confirmations?: { role: string; by: string; at: string }[];
  /** the roles that still have to confirm a submitted version */
  confirmationsPending?: string[];
}

export interface CatalogueInForce {
  jurisdictionCode: string;
  /** the jurisdiction whose version applies: the district's own, or the city's when the district has none */
  sourceJurisdictionCode: string;
  at: string;
  version: CatalogueVersion;
  items: CatalogueItem[];
}

const toVersion = (row: CatalogueVersionRow, jurisdictionCode: string): CatalogueVersion => ({
  id: row.id,
  jurisdictionCode,
  versionNo: row.version_no,
  status: row.status,
  effectiveFrom: row.effective_from,
  basedOnId: row.based_on_id,
  note: row.note,
  rejectionNote: row.rejection_note,
  createdBy: row.created_by,
  submittedAt: row.submitted_at?.toISOString() ?? null,
  approvedAt: row.approved_at?.toISOString() ?? null,
});

async function itemsOf(db: Db, versionId: string): Promise<CatalogueItem[]> {
  return (await repo.itemsOf(db, versionId)).map((i) => ({
    code: i.code,
    position: i.position,
    name: i.name,
    nameEn: i.name_en,
    layer: i.layer,
    category: i.category,
    description: i.description,
    specification: i.specification,
    providerId: i.provider_id,
    prices: i.prices.map((p) => ({ dimension: p.dimension, unit: p.unit, unitPrice: p.unit_price })),
  }));
}

/** The providers responsible for the given items of the given catalogue versions (distinct, without blanks). */
export async function providersOfItems(db: Db, items: { versionId: string; code: string }[]): Promise<string[]> {
  if (items.length === 0) return [];
  const rows = await db
    .selectFrom('catalogue_item')
    .select('provider_id')
    .distinct()
    .where('provider_id', 'is not', null)
    .where((eb) => eb.or(items.map((i) => eb.and([eb('version_id', '=', i.versionId), eb('code', '=', i.code)]))))
    .execute();
  return rows.map((r) => r.provider_id as string);
}

/**
 * The catalogue in force for a jurisdiction at a moment: its latest approved version effective on or
 * before that day (Asia/Shanghai); a district without a catalogue of its own uses its city's (SH 15).
 */
export async function catalogueInForce(db: Db, jurisdictionCode: string, at: Date): Promise<CatalogueInForce> {
  const day = shanghaiDay(at);
  let jurisdiction: Jurisdiction | null = await getJurisdiction(db, jurisdictionCode);
  const asked = jurisdiction.code;
  while (jurisdiction) {
    const row = await repo.versionInForce(db, jurisdiction.id, day);
    if (row) {
      return {
        jurisdictionCode: asked,
        sourceJurisdictionCode: jurisdiction.code,
        at: day,
        version: toVersion(row, jurisdiction.code),
        items: await itemsOf(db, row.id),
      };
    }
    jurisdiction = jurisdiction.parentCode ? await getJurisdiction(db, jurisdiction.parentCode) : null;
  }
  throw notFound(`no catalogue is in force for ${asked} on ${day} / ${day} 无生效的服务目录`);
}

function mayEdit(auth: AuthContext | null): boolean {
  return !!auth && (auth.permissions.has('catalogue:draft') || auth.permissions.has('catalogue:approve'));
}

function inScope(auth: AuthContext, jurisdictionId: string): boolean {
  return auth.visibility.kind === 'jurisdiction' && auth.visibility.jurisdictions.includes(jurisdictionId);
}

/** Approved versions for everyone; drafts and submissions only for the operations unit and the authority in scope. */
export async function listVersions(db: Db, auth: AuthContext, jurisdictionCode: string): Promise<CatalogueVersion[]> {
  const jurisdiction = await getJurisdiction(db, jurisdictionCode);
  const all = await repo.listVersions(db, jurisdiction.id);
  const seeDrafts = mayEdit(auth) && inScope(auth, jurisdiction.id);
  return all.filter((v) => v.status === 'approved' || seeDrafts).map((v) => toVersion(v, jurisdiction.code));
}

async function visibleVersion(
  db: Db,
  auth: AuthContext,
  id: string,
): Promise<{ row: CatalogueVersionRow; code: string }> {
  const row = await repo.findVersion(db, id);
  if (!row || (row.status !== 'approved' && !(mayEdit(auth) && inScope(auth, row.jurisdiction_id)))) {
    throw notFound(`catalogue version ${id} / 服务目录版本不存在`);
  }
  const jurisdiction = await db
    .selectFrom('jurisdiction')
    .select('code')
    .where('id', '=', row.jurisdiction_id)
    .executeTakeFirstOrThrow();
  return { row, code: jurisdiction.code };
}

export async function getVersion(
  db: Db,
  auth: AuthContext,
  id: string,
): Promise<CatalogueVersion & { items: CatalogueItem[] }> {
  const { row, code } = await visibleVersion(db, auth, id);
  return { ...(await withConfirmations(db, toVersion(row, code), code)), items: await itemsOf(db, row.id) };
}

/** A version the caller may change: in its jurisdictions and in the expected state. */
async function editableVersion(trx: Trx, auth: AuthContext, id: string, status: CatalogueVersionRow['status']) {
  const found = await visibleVersion(trx, auth, id);
  if (!inScope(auth, found.row.jurisdiction_id)) throw notFound(`catalogue version ${id} / 服务目录版本不存在`);
  if (found.row.status !== status) {
    throw new AppError(
      'conflict',
      `the version is ${found.row.status}, not ${status} / 版本状态为 ${found.row.status}`,
    );
  }
  return found;
}

function assertFutureDay(day: string, field: string, now: Date): void {
  if (!isCalendarDay(day))
    throw new AppError('validation_failed', `${field}: not a date`, [
      { field, message: '日期格式应为 YYYY-MM-DD / must be YYYY-MM-DD' },
    ]);
  const today = shanghaiDay(now);
  if (day < today) {
    throw new AppError('validation_failed', `${field}: ${day} is in the past; history is never rewritten`, [
      { field, message: `生效日期不能早于今天 ${today}（历史价格不可改写）/ must not be before today ${today}` },
    ]);
  }
}

/**
 * Opens a draft for a jurisdiction: a copy of `basedOnId` (an approved version of the jurisdiction or,
 * for a district deriving its catalogue, of its city) or of the version in force today.
 */
export async function createDraft(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  input: { jurisdictionCode: string; effectiveFrom: string; note?: string; basedOnId?: string },
  now: Date,
): Promise<CatalogueVersion> {
  const jurisdiction = await getJurisdiction(trx, input.jurisdictionCode);
  if (!inScope(auth, jurisdiction.id)) throw notFound(`jurisdiction ${input.jurisdictionCode} / 辖区不存在`);
  assertFutureDay(input.effectiveFrom, 'body.effectiveFrom', now);
  await assertNoOpenVersion(trx, jurisdiction.id);
  let base: CatalogueVersionRow | undefined;
  if (input.basedOnId) {
    base = await repo.findVersion(trx, input.basedOnId);
    const parent = jurisdiction.parentCode ? await getJurisdiction(trx, jurisdiction.parentCode) : null;
    if (
      base?.status !== 'approved' ||
      (base.jurisdiction_id !== jurisdiction.id && base.jurisdiction_id !== parent?.id)
    ) {
      throw new AppError(
        'validation_failed',
        'body.basedOnId: not an approved version of this jurisdiction or its city',
        [
          {
            field: 'body.basedOnId',
            message: '应为本辖区或上级辖区已批准的版本 / must be an approved version of this jurisdiction or its city',
          },
        ],
      );
    }
  } else {
    const current = await catalogueInForce(trx, jurisdiction.code, now).catch(() => undefined);
    base = current ? await repo.findVersion(trx, current.version.id) : undefined;
  }
  return insertDraft(trx, actor, jurisdiction, {
    effectiveFrom: input.effectiveFrom,
    note: input.note ?? null,
    createdBy: auth.name,
    basedOnId: base?.id ?? null,
    items: base ? await itemsOf(trx, base.id) : [],
    action: 'catalogue.draft_created',
    detail: {},
  });
}

async function assertNoOpenVersion(trx: Trx, jurisdictionId: string): Promise<void> {
  const open = (await repo.listVersions(trx, jurisdictionId)).find((v) => v.status !== 'approved');
  if (open)
    throw new AppError(
      'conflict',
      `version ${open.version_no} is still ${open.status}; finish it first / 已有未完成的版本`,
    );
}

async function insertDraft(
  trx: Trx,
  actor: Actor,
  jurisdiction: Jurisdiction,
  d: {
    effectiveFrom: string;
    note: string | null;
    createdBy: string | null;
    basedOnId: string | null;
    items: CatalogueItem[];
    action: string;
    detail: Record<string, unknown>;
  },
): Promise<CatalogueVersion> {
  const row = await trx
    .insertInto('catalogue_version')
    .values({
      jurisdiction_id: jurisdiction.id,
      version_no: await repo.nextVersionNo(trx, jurisdiction.id),
      status: 'draft',
      effective_from: d.effectiveFrom,
      based_on_id: d.basedOnId,
      note: d.note,
      created_by: d.createdBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  for (const item of d.items) await repo.insertItem(trx, row.id, item);
  await writeAudit(trx, actor, {
    action: d.action,
    objectType: 'catalogue_version',
    objectId: row.id,
    detail: {
      jurisdiction: jurisdiction.code,
      versionNo: row.version_no,
      effectiveFrom: row.effective_from,
      basedOn: d.basedOnId,
      ...d.detail,
    },
  });
  return toVersion(row, jurisdiction.code);
}

export async function updateDraft(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  patch: { effectiveFrom?: string; note?: string | null },
  now: Date,
): Promise<CatalogueVersion> {
  const { code } = await editableVersion(trx, auth, id, 'draft');
  if (patch.effectiveFrom !== undefined) assertFutureDay(patch.effectiveFrom, 'body.effectiveFrom', now);
  const row = await trx
    .updateTable('catalogue_version')
    .set({
      ...(patch.effectiveFrom !== undefined && { effective_from: patch.effectiveFrom }),
      ...(patch.note !== undefined && { note: patch.note }),
      updated_at: now,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await writeAudit(trx, actor, {
    action: 'catalogue.draft_updated',
    objectType: 'catalogue_version',
    objectId: id,
    detail: { ...patch },
  });
  return toVersion(row, code);
}

export type ItemInput = Omit<CatalogueItem, 'code' | 'position'> & { position?: number };

export async function putItem(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  code: string,
  input: ItemInput,
): Promise<CatalogueItem> {
  await editableVersion(trx, auth, id, 'draft');
  const dimensions = input.prices.map((p) => p.dimension);
  const duplicate = dimensions.find((d, i) => dimensions.indexOf(d) !== i);
  if (duplicate) {
    throw new AppError('validation_failed', `body.prices: dimension ${duplicate} twice`, [
      { field: 'body.prices', message: `计价维度 ${duplicate} 重复 / dimension ${duplicate} appears twice` },
    ]);
  }
  const keys = input.specification.map((a) => a.key);
  const dupKey = keys.find((k, i) => keys.indexOf(k) !== i);
  if (dupKey) {
    throw new AppError('validation_failed', `body.specification: attribute ${dupKey} twice`, [
      { field: 'body.specification', message: `规格属性 ${dupKey} 重复 / attribute ${dupKey} appears twice` },
    ]);
  }
  if (input.providerId) {
    const provider = await trx
      .selectFrom('organisation')
      .select('type')
      .where('id', '=', input.providerId)
      .executeTakeFirst();
    if (provider?.type !== 'cloud_service_provider') {
      throw new AppError('validation_failed', 'body.providerId: not a cloud service provider', [
        { field: 'body.providerId', message: '应为云服务商 / must be a cloud service provider' },
      ]);
    }
  }
  const existing = (await repo.itemsOf(trx, id)).find((i) => i.code === code);
  await repo.deleteItem(trx, id, code);
  const position = input.position ?? existing?.position ?? (await repo.itemsOf(trx, id)).length + 1;
  const item: CatalogueItem = {
    ...input,
    code,
    position,
    prices: input.prices.map((p) => ({ ...p, unitPrice: normalisePrice(p.unitPrice) })),
  };
  await repo.insertItem(trx, id, item);
  await writeAudit(trx, actor, {
    action: existing ? 'catalogue.item_changed' : 'catalogue.item_added',
    objectType: 'catalogue_version',
    objectId: id,
    detail: {
      code,
      prices: item.prices,
      before: existing?.prices.map((p) => ({ dimension: p.dimension, unitPrice: p.unit_price })) ?? null,
    },
  });
  return item;
}

/** Four decimal places, the column's scale, so equal prices compare and display equally. */
function normalisePrice(price: string): string {
  const [whole = '0', fraction = ''] = price.split('.');
  return `${BigInt(whole).toString()}.${fraction.padEnd(4, '0')}`;
}

export async function removeItem(trx: Trx, auth: AuthContext, actor: Actor, id: string, code: string): Promise<void> {
  await editableVersion(trx, auth, id, 'draft');
  if (!(await repo.deleteItem(trx, id, code))) throw notFound(`item ${code} / 目录项不存在`);
  await writeAudit(trx, actor, {
    action: 'catalogue.item_removed',
    objectType: 'catalogue_version',
    objectId: id,
    detail: { code },
  });
}

/** The operations unit submits a draft to the authority (SH 15). */
export async function submit(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  now: Date,
): Promise<CatalogueVersion> {
  const { code } = await editableVersion(trx, auth, id, 'draft');
  if ((await repo.itemsOf(trx, id)).length === 0)
    throw new AppError('conflict', 'an empty catalogue cannot be submitted / 目录为空');
  const row = await trx
    .updateTable('catalogue_version')
    .set({ status: 'submitted', submitted_by: auth.id, submitted_at: now, rejection_note: null, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await writeAudit(trx, actor, { action: 'catalogue.submitted', objectType: 'catalogue_version', objectId: id });
  return withConfirmations(trx, toVersion(row, code), code);
}

const ROLE_ZH: Record<string, string> = {
  authority_approver: '政务云主管部门',
  economy_it_approver: '经济信息化主管部门',
  ops_reviewer: '运行管理单位',
  finance_officer: '财政部门',
};

/** The roles whose confirmation a version of the jurisdiction needs (the pack's catalogue.versionConfirmedBy). */
async function confirmingRoles(trx: Db | Trx, code: string): Promise<{ roles: string[]; article: string | null }> {
  const cited = (await effectivePolicy(trx as Db, code)).catalogue.versionConfirmedBy;
  // null (a local override with no roles): the competent authority, which approves catalogue changes (DOMAIN 1)
  return { roles: cited.value ?? ['authority_approver'], article: cited.article };
}

/** The version with its confirmations and the roles that still have to confirm. */
async function withConfirmations(trx: Db | Trx, v: CatalogueVersion, code: string): Promise<CatalogueVersion> {
  const { roles } = await confirmingRoles(trx, code);
  const done = await repo.confirmationsOf(trx, [v.id]);
  return {
    ...v,
    confirmations: done.map((c) => ({ role: c.role, by: c.confirmed_by_name, at: c.confirmed_at.toISOString() })),
    confirmationsPending: v.status === 'submitted' ? roles.filter((r) => !done.some((c) => c.role === r)) : [],
  };
}

/**
 * A confirming body confirms (核定) a submitted version, for each of its roles the pack names and that has not yet
 * confirmed (SH 15: the competent authority and the economy & IT authority; the other packs: the competent
 * authority). When the last of them has, the version is approved: in force from its effective date, never
 * rewritten. A caller holding none of the pending roles is refused (403), naming the article.
 */
export async function approve(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  now: Date,
): Promise<CatalogueVersion> {
  const { row: before, code } = await editableVersion(trx, auth, id, 'submitted');
  if (before.submitted_by === auth.id)
    throw new AppError('separation_of_duties', 'nobody approves their own submission / 不能审批自己提交的版本');
  assertFutureDay(before.effective_from, 'effectiveFrom', now);
  const { roles, article } = await confirmingRoles(trx, code);
  const done = new Set((await repo.confirmationsOf(trx, [id])).map((c) => c.role));
  const pending = roles.filter((r) => !done.has(r));
  const mine = pending.filter((r) => auth.roles.includes(r as never));
  const names = roles.map((r) => ROLE_ZH[r] ?? r).join('、');
  if (!mine.length) {
    if (roles.some((r) => done.has(r) && auth.roles.includes(r as never))) {
      throw new AppError(
        'conflict',
        `already confirmed; waiting for ${pending.join(', ')} / 已核定，待${pending.map((r) => ROLE_ZH[r] ?? r).join('、')}核定`,
      );
    }
    throw new AppError(
      'forbidden',
      `a catalogue version is confirmed by ${roles.join(' and ')} (${article ?? 'policy'}) / 服务目录由${names}核定`,
    );
  }
  const clash = await repo.approvedOnDay(trx, before.jurisdiction_id, before.effective_from);
  if (clash)
    throw new AppError(
      'conflict',
      `version ${clash.version_no} already takes effect on ${before.effective_from} / 同日已有生效版本`,
    );
  for (const role of mine) {
    await repo.insertConfirmation(trx, {
      version_id: id,
      role,
      confirmed_by: auth.id,
      confirmed_by_name: auth.name,
      confirmed_at: now,
    });
    await writeAudit(trx, actor, {
      action: 'catalogue.confirmed',
      objectType: 'catalogue_version',
      objectId: id,
      detail: { role, article, versionNo: before.version_no },
    });
  }
  const still = pending.filter((r) => !mine.includes(r));
  if (still.length) return withConfirmations(trx, toVersion(before, code), code);
  const row = await repo.markApproved(trx, id, auth.id, now);
  await writeAudit(trx, actor, {
    action: 'catalogue.approved',
    objectType: 'catalogue_version',
    objectId: id,
    detail: { effectiveFrom: row.effective_from, versionNo: row.version_no, confirmedBy: roles, article },
  });
  return withConfirmations(trx, toVersion(row, code), code);
}

/** The authority sends a submission back to the operations unit with its reasons. */
export async function reject(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  reason: string,
  now: Date,
): Promise<CatalogueVersion> {
  const { code } = await editableVersion(trx, auth, id, 'submitted');
  // sent back: the confirmations given so far lapse; the resubmitted version is confirmed afresh
  await repo.clearConfirmations(trx, id);
  const row = await trx
    .updateTable('catalogue_version')
    .set({ status: 'draft', rejection_note: reason, submitted_at: null, submitted_by: null, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await writeAudit(trx, actor, {
    action: 'catalogue.rejected',
    objectType: 'catalogue_version',
    objectId: id,
    detail: { reason },
  });
  return toVersion(row, code);
}

/**
 * A district installation opens a draft of its own catalogue derived from a version its city pushed down
 * (SH 12, 15; NB 11; issue 22): the city's items with their prices, no provider (the city's providers are
 * organisations of another installation), then edited, submitted and approved here as any draft is.
 */
export async function createDerivedDraft(
  trx: Trx,
  actor: Actor,
  input: { jurisdictionCode: string; effectiveFrom: string; note: string; derivedFrom: string; items: CatalogueItem[] },
  now: Date,
): Promise<CatalogueVersion> {
  const jurisdiction = await getJurisdiction(trx, input.jurisdictionCode);
  assertFutureDay(input.effectiveFrom, 'body.effectiveFrom', now);
  await assertNoOpenVersion(trx, jurisdiction.id);
  return insertDraft(trx, actor, jurisdiction, {
    effectiveFrom: input.effectiveFrom,
    note: input.note,
    createdBy: actor.name ?? null,
    basedOnId: null,
    items: input.items.map((item, i) => ({
      ...item,
      position: i + 1,
      providerId: null,
      prices: item.prices.map((p) => ({ ...p, unitPrice: normalisePrice(p.unitPrice) })),
    })),
    action: 'catalogue.draft_derived',
    detail: { derivedFrom: input.derivedFrom, items: input.items.length },
  });
}
