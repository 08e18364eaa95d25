import { sql } from 'kysely';
import type { Db } from '../../schema.ts';

// Test helpers: resources and lifecycle events written straight into the inventory tables (the
// provisioning module's recordResourceEvent is their real writer), and extra catalogue versions.

export interface Ids {
  city: string;
  east: string;
  health: string;
  cdc: string;
  education: string;
  eastCivil: string;
  providerA: string;
  providerB: string;
  /** the demo seed's projects and information systems (projects.seed.ts) */
  healthProject: string;
  healthPlatform: string;
  healthSupervision: string;
  educationProject: string;
  educationEnrolment: string;
}

export async function demoIds(db: Db): Promise<Ids> {
  const j = await db.selectFrom('jurisdiction').select(['id', 'code']).execute();
  const o = await db.selectFrom('organisation').select(['id', 'code']).execute();
  const jid = (code: string) => j.find((r) => r.code === code)?.id as string;
  const oid = (code: string) => o.find((r) => r.code === code)?.id as string;
  const p = await db.selectFrom('project').select(['id', 'name']).execute();
  const s = await db.selectFrom('information_system').select(['id', 'name']).execute();
  const pid = (name: string) => p.find((r) => r.name === name)?.id as string;
  const sid = (name: string) => s.find((r) => r.name === name)?.id as string;
  return {
    city: jid('demo-city'),
    east: jid('demo-east'),
    health: oid('demo-health'),
    cdc: oid('demo-health-cdc'),
    education: oid('demo-education'),
    eastCivil: oid('demo-east-civil'),
    providerA: oid('demo-provider-a'),
    providerB: oid('demo-provider-b'),
    healthProject: pid('全民健康信息平台二期'),
    healthPlatform: sid('全民健康信息平台'),
    healthSupervision: sid('卫生监督执法系统'),
    educationProject: pid('智慧教育招生平台'),
    educationEnrolment: sid('中小学招生报名系统'),
  };
}

export async function addResource(
  db: Db,
  r: {
    organisationId: string;
    jurisdictionId: string;
    providerId: string;
    item?: string;
    name: string;
    projectId?: string;
    systemId?: string;
  },
): Promise<string> {
  const row = await db
    .insertInto('resource')
    .values({
      organisation_id: r.organisationId,
      jurisdiction_id: r.jurisdictionId,
      provider_id: r.providerId,
      catalogue_item_code: r.item ?? 'cloud-vm',
      name: r.name,
      project_id: r.projectId ?? null,
      system_id: r.systemId ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** One lifecycle event; recorded when it occurred unless `recordedAt` says otherwise (a late event). */
export async function addEvent(
  db: Db,
  resourceId: string,
  kind: 'delivered' | 'resized' | 'suspended' | 'resumed' | 'reclaimed',
  occurredAt: string,
  quantities: Record<string, number>,
  recordedAt?: string,
): Promise<void> {
  const r = await db.selectFrom('resource').selectAll().where('id', '=', resourceId).executeTakeFirstOrThrow();
  await db
    .insertInto('resource_event')
    .values({
      resource_id: r.id,
      organisation_id: r.organisation_id,
      jurisdiction_id: r.jurisdiction_id,
      provider_id: r.provider_id,
      catalogue_item_code: r.catalogue_item_code,
      kind,
      occurred_at: new Date(occurredAt),
      recorded_at: new Date(recordedAt ?? occurredAt),
      quantities: JSON.stringify(quantities),
      source: 'manual',
      actor: 'test',
    })
    .execute();
}

/** An approved catalogue version of `jurisdictionId` in force from `effectiveFrom`, with the given prices. */
export async function addCatalogueVersion(
  db: Db,
  jurisdictionId: string,
  effectiveFrom: string,
  prices: { item: string; dimension: string; unitPrice: string }[],
): Promise<string> {
  const { rows } = await sql<{ n: number }>`select coalesce(max(version_no), 0)::int + 1 as n from catalogue_version
    where jurisdiction_id = ${jurisdictionId}`.execute(db);
  const version = await db
    .insertInto('catalogue_version')
    .values({
      jurisdiction_id: jurisdictionId,
      version_no: rows[0]?.n ?? 1,
      status: 'draft',
      effective_from: effectiveFrom,
      created_by: 'test',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const items = [...new Set(prices.map((p) => p.item))];
  for (const [i, code] of items.entries()) {
    const item = await db
      .insertInto('catalogue_item')
      .values({
        version_id: version.id,
        code,
        position: i + 1,
        name: code,
        name_en: code,
        layer: 'IaaS',
        category: 'test',
        specification: '[]',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const p of prices.filter((x) => x.item === code)) {
      await db
        .insertInto('catalogue_price')
        .values({ item_id: item.id, dimension: p.dimension, unit: '元/月', unit_price: p.unitPrice })
        .execute();
    }
  }
  await db.updateTable('catalogue_version').set({ status: 'approved' }).where('id', '=', version.id).execute();
  return version.id;
}

/**
 * `count` cloud VMs across the demo's using units, each delivered at `deliveredAt` with `quantities`, in one
 * set-based statement (a scale test must not spend its time inserting row by row). Their names start with
 * `prefix`. Returns how many were made.
 */
export async function addResourcesAtScale(
  db: Db,
  input: { count: number; prefix: string; providerId: string; deliveredAt: string; quantities: Record<string, number> },
): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    with units as (
      select array_agg(id order by code) as ids, array_agg(jurisdiction_id order by code) as jids, count(*)::int as n
      from organisation where type = 'using_unit'
    ),
    made as (
      insert into resource (organisation_id, jurisdiction_id, provider_id, catalogue_item_code, name, external_id,
        state, quantities, delivered_at)
      select u.ids[1 + g % u.n], u.jids[1 + g % u.n], ${input.providerId}::uuid, 'cloud-vm', ${input.prefix} || g,
        ${input.prefix} || g, 'active', ${JSON.stringify(input.quantities)}::jsonb, ${input.deliveredAt}::timestamptz
      from generate_series(1, ${input.count}::int) g cross join units u
      returning id, organisation_id, jurisdiction_id, provider_id, catalogue_item_code, quantities, delivered_at
    ),
    events as (
      insert into resource_event (resource_id, organisation_id, jurisdiction_id, provider_id, catalogue_item_code,
        kind, occurred_at, recorded_at, quantities, source, actor)
      select id, organisation_id, jurisdiction_id, provider_id, catalogue_item_code, 'delivered', delivered_at,
        delivered_at, quantities, 'manual', 'test'
      from made
    )
    select count(*)::int as n from made`.execute(db);
  return rows[0]?.n ?? 0;
}

/** A `resized` event for every resource named `prefix…`, at `occurredAt`, recorded at `recordedAt` (late). */
export async function resizeAtScale(
  db: Db,
  input: { prefix: string; occurredAt: string; recordedAt: string; quantities: Record<string, number> },
): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    with events as (
      insert into resource_event (resource_id, organisation_id, jurisdiction_id, provider_id, catalogue_item_code,
        kind, occurred_at, recorded_at, quantities, source, actor)
      select id, organisation_id, jurisdiction_id, provider_id, catalogue_item_code, 'resized',
        ${input.occurredAt}::timestamptz, ${input.recordedAt}::timestamptz, ${JSON.stringify(input.quantities)}::jsonb,
        'manual', 'test'
      from resource where name like ${`${input.prefix}%`}
      returning 1
    )
    select count(*)::int as n from events`.execute(db);
  return rows[0]?.n ?? 0;
}
