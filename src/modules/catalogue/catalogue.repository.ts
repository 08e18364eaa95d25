import { type Kysely, sql } from 'kysely';
import { reusable } from '../../platform/db/reusable.ts';
import type { DB, Db } from '../../schema.ts';
import type { CatalogueItemRow, CataloguePriceRow, CatalogueVersionRow, SpecAttribute } from './catalogue.table.ts';

export async function findVersion(db: Db, id: string): Promise<CatalogueVersionRow | undefined> {
  return db.selectFrom('catalogue_version').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listVersions(db: Db, jurisdictionId: string): Promise<CatalogueVersionRow[]> {
  return db
    .selectFrom('catalogue_version')
    .selectAll()
    .where('jurisdiction_id', '=', jurisdictionId)
    .orderBy('version_no', 'desc')
    .execute();
}

/** The approved version in force on a calendar day: the latest effective on or before it. */
const inForce = reusable((db: Kysely<DB>, jurisdictionId: string, day: string) =>
  db
    .selectFrom('catalogue_version')
    .selectAll()
    .where('jurisdiction_id', '=', jurisdictionId)
    .where('status', '=', 'approved')
    .where('effective_from', '<=', day)
    .orderBy('effective_from', 'desc')
    .limit(1),
);

export async function versionInForce(
  db: Db,
  jurisdictionId: string,
  day: string,
): Promise<CatalogueVersionRow | undefined> {
  return inForce.first(db, jurisdictionId, day);
}

const itemsOfVersion = reusable((db: Kysely<DB>, versionId: string) =>
  db.selectFrom('catalogue_item').selectAll().where('version_id', '=', versionId).orderBy('position').orderBy('code'),
);

export async function nextVersionNo(db: Db, jurisdictionId: string): Promise<number> {
  const { rows } = await sql<{
    next: number;
  }>`select coalesce(max(version_no), 0) + 1 as next from catalogue_version where jurisdiction_id = ${jurisdictionId}`.execute(
    db,
  );
  return Number(rows[0]?.next ?? 1);
}

export type ItemWithPrices = CatalogueItemRow & { prices: CataloguePriceRow[] };

export async function itemsOf(db: Db, versionId: string): Promise<ItemWithPrices[]> {
  const items = await itemsOfVersion.execute(db, versionId);
  if (items.length === 0) return [];
  const prices = await db
    .selectFrom('catalogue_price')
    .selectAll()
    .where(
      'item_id',
      'in',
      items.map((i) => i.id),
    )
    .orderBy('dimension')
    .execute();
  return items.map((item) => ({ ...item, prices: prices.filter((p) => p.item_id === item.id) }));
}

export interface NewItem {
  code: string;
  position: number;
  name: string;
  nameEn: string;
  layer: 'IaaS' | 'PaaS' | 'SaaS';
  category: string;
  description: string | null;
  specification: SpecAttribute[];
  providerId: string | null;
  prices: { dimension: string; unit: string; unitPrice: string }[];
}

export async function insertItem(db: Db, versionId: string, item: NewItem): Promise<void> {
  const row = await db
    .insertInto('catalogue_item')
    .values({
      version_id: versionId,
      code: item.code,
      position: item.position,
      name: item.name,
      name_en: item.nameEn,
      layer: item.layer,
      category: item.category,
      description: item.description,
      specification: JSON.stringify(item.specification),
      provider_id: item.providerId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (item.prices.length > 0) {
    await db
      .insertInto('catalogue_price')
      .values(
        item.prices.map((p) => ({ item_id: row.id, dimension: p.dimension, unit: p.unit, unit_price: p.unitPrice })),
      )
      .execute();
  }
}

export async function deleteItem(db: Db, versionId: string, code: string): Promise<boolean> {
  const item = await db
    .selectFrom('catalogue_item')
    .select('id')
    .where('version_id', '=', versionId)
    .where('code', '=', code)
    .executeTakeFirst();
  if (!item) return false;
  await db.deleteFrom('catalogue_price').where('item_id', '=', item.id).execute();
  await db.deleteFrom('catalogue_item').where('id', '=', item.id).execute();
  return true;
}

/** The confirmations of the versions, oldest first. */
export async function confirmationsOf(db: Db, versionIds: readonly string[]) {
  if (!versionIds.length) return [];
  return db
    .selectFrom('catalogue_confirmation')
    .selectAll()
    .where('version_id', 'in', versionIds)
    .orderBy('confirmed_at')
    .orderBy('role')
    .execute();
}

export async function insertConfirmation(
  db: Db,
  row: { version_id: string; role: string; confirmed_by: string; confirmed_by_name: string; confirmed_at: Date },
): Promise<void> {
  await db.insertInto('catalogue_confirmation').values(row).execute();
}

/** A version sent back starts its confirmations afresh. */
export async function clearConfirmations(db: Db, versionId: string): Promise<void> {
  await db.deleteFrom('catalogue_confirmation').where('version_id', '=', versionId).execute();
}

/** An approved version of the jurisdiction taking effect on that day, if any. */
export async function approvedOnDay(db: Db, jurisdictionId: string, day: string) {
  return db
    .selectFrom('catalogue_version')
    .select('version_no')
    .where('jurisdiction_id', '=', jurisdictionId)
    .where('status', '=', 'approved')
    .where('effective_from', '=', day)
    .executeTakeFirst();
}

export async function markApproved(db: Db, id: string, by: string, at: Date): Promise<CatalogueVersionRow> {
  return db
    .updateTable('catalogue_version')
    .set({ status: 'approved', approved_by: by, approved_at: at, updated_at: at })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}
