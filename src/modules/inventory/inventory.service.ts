import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { AppError, invalid, notFound } from '../../platform/errors.ts';
import { shanghaiDay } from '../../platform/time/time.ts';
import type { Db, Trx } from '../../schema.ts';
import { displayNamesByUsername } from '../identity/index.ts';
import * as repo from './inventory.repository.ts';
import type {
  NewResource,
  Quantities,
  ResourceEventKind,
  ResourceEventSource,
  ResourceRow,
  ResourceState,
} from './inventory.table.ts';

// The inventory service: the only writer of resource, resource_spec_interval and resource_event. Each call
// runs in the caller's transaction (which also carries the caller's audit entry), so a resource, its
// specification history and its lifecycle events never disagree.

export interface ResourceEventInput {
  resourceId: string;
  kind: ResourceEventKind;
  occurredAt: Date;
  /** billable quantities per catalogue pricing dimension from occurredAt on; ignored for `reclaimed` ({}) */
  quantities?: Quantities;
  specification?: Record<string, unknown>;
  source: ResourceEventSource;
  reference?: string | null;
}

/** Which state each event kind may follow, and where it leads. */
const TRANSITIONS: Record<ResourceEventKind, { from: readonly ResourceState[]; to: ResourceState | null }> = {
  delivered: { from: ['provisioning'], to: 'active' },
  resized: { from: ['active', 'suspended'], to: null },
  suspended: { from: ['active'], to: 'suspended' },
  resumed: { from: ['suspended'], to: 'active' },
  reclaimed: { from: ['active', 'suspended', 'reclaiming', 'provisioning'], to: 'reclaimed' },
};

export function checkQuantities(q: Quantities, field = 'quantities'): Quantities {
  const out: Quantities = {};
  for (const [k, v] of Object.entries(q)) {
    if (!/^[a-z][a-z0-9_]{0,40}$/.test(k)) throw invalid(field, `unknown dimension "${k}"`);
    if (!Number.isSafeInteger(v) || v < 0) throw invalid(`${field}.${k}`, 'must be a whole number >= 0');
    out[k] = v;
  }
  return out;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : 0);
const camel = (s: string) => s.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

/**
 * The billable quantities of a specification for an item's pricing dimensions (catalogue_price.dimension):
 * instance 1; vcpu, memory_gb, bandwidth_mbps from vcpu, memoryGb, bandwidthMbps; storage_gb the sum of
 * every disk/storage size (systemDiskGb + dataDiskGb, storageGb); any other dimension from the attribute of
 * the same name (camelCase) or 1.
 */
export function quantitiesOf(dimensions: readonly string[], spec: Record<string, unknown>): Quantities {
  const out: Quantities = {};
  for (const d of dimensions) {
    if (d === 'instance') out[d] = 1;
    else if (d === 'storage_gb') {
      out[d] = Object.entries(spec)
        .filter(([k]) => /(DiskGb|storageGb|StorageGb)$/.test(k))
        .reduce((s, [, v]) => s + num(v), 0);
    } else if (camel(d) in spec) out[d] = num(spec[camel(d)]);
    else out[d] = 1;
  }
  return out;
}

/** The pricing dimensions of a catalogue item, in the version in force on `at` in the jurisdiction. */
export async function itemQuantities(
  trx: Trx,
  jurisdictionId: string,
  itemCode: string,
  at: Date,
  spec: Record<string, unknown>,
): Promise<Quantities> {
  const dims = await repo.priceDimensions(trx, jurisdictionId, itemCode, shanghaiDay(at));
  return quantitiesOf(dims.length ? dims : ['instance'], spec);
}

/** A new resource, state `provisioning`, until its `delivered` event. */
export async function createResource(trx: Trx, values: NewResource): Promise<ResourceRow> {
  return repo.insertResource(trx, { ...values, state: 'provisioning' });
}

const actorName = (a: Actor) => a.name ?? a.kind;

/**
 * Records one lifecycle event and keeps the resource and its specification intervals consistent:
 * delivered opens the first interval; resized closes the open one and opens a new one; reclaimed closes it
 * and ends the resource (quantities {}). Events are in time order per resource.
 */
export async function recordResourceEvent(trx: Trx, actor: Actor, input: ResourceEventInput): Promise<string> {
  const r = await repo.lockResource(trx, input.resourceId);
  if (!r) throw notFound(`resource ${input.resourceId} / 资源不存在`);
  const rule = TRANSITIONS[input.kind];
  if (!rule.from.includes(r.state)) {
    throw new AppError('conflict', `a ${r.state} resource cannot be ${input.kind} / 资源状态 ${r.state} 不允许此操作`);
  }
  const last = await repo.lastEventAt(trx, r.id);
  if (last && input.occurredAt < last) {
    throw invalid('occurredAt', `must not be before the resource's last event (${last.toISOString()})`);
  }
  const at = input.occurredAt;
  const spec = input.specification ?? r.specification;
  const quantities = input.kind === 'reclaimed' ? {} : checkQuantities(input.quantities ?? r.quantities);
  const now = at;
  switch (input.kind) {
    case 'delivered':
      await repo.openInterval(trx, r, at, spec, quantities);
      await repo.updateResource(trx, r.id, {
        state: 'active',
        specification: spec,
        quantities,
        delivered_at: at,
        updated_at: now,
      });
      break;
    case 'resized':
      await repo.closeOpenInterval(trx, r.id, at);
      await repo.openInterval(trx, r, at, spec, quantities);
      await repo.updateResource(trx, r.id, { specification: spec, quantities, updated_at: now });
      break;
    case 'suspended':
    case 'resumed':
      await repo.updateResource(trx, r.id, { state: rule.to as ResourceState, updated_at: now });
      break;
    case 'reclaimed':
      await repo.closeOpenInterval(trx, r.id, at);
      await repo.updateResource(trx, r.id, { state: 'reclaimed', quantities: {}, reclaimed_at: at, updated_at: now });
      break;
  }
  const id = await repo.insertEvent(trx, {
    resource_id: r.id,
    organisation_id: r.organisation_id,
    jurisdiction_id: r.jurisdiction_id,
    provider_id: r.provider_id,
    catalogue_item_code: r.catalogue_item_code,
    kind: input.kind,
    occurred_at: at,
    quantities,
    specification: input.kind === 'reclaimed' ? {} : spec,
    source: input.source,
    reference: input.reference ?? null,
    actor: actorName(actor),
  });
  await writeAudit(trx, actor, {
    action: `resource.${input.kind}`,
    objectType: 'resource',
    objectId: r.id,
    detail: { occurredAt: at.toISOString(), quantities, source: input.source, reference: input.reference ?? null },
  });
  return id;
}

/** A live resource enters `reclaiming` (its reclaim work order is open). */
export async function markReclaiming(trx: Trx, resourceId: string, at: Date): Promise<void> {
  const r = await repo.lockResource(trx, resourceId);
  if (r && (r.state === 'active' || r.state === 'suspended')) {
    await repo.updateResource(trx, resourceId, { state: 'reclaiming', updated_at: at });
  }
}

/** A time-limited resource's new expiry (an approved extension). */
export async function setExpiry(trx: Trx, resourceId: string, expiresOn: string | null, at: Date): Promise<void> {
  await repo.updateResource(trx, resourceId, { expires_on: expiresOn, updated_at: at });
}

// ------------------------------------------------------------------------------------------ reads

type Listed = NonNullable<Awaited<ReturnType<typeof repo.findResource>>>;

export interface Resource {
  id: string;
  name: string;
  organisationId: string;
  unitName: string | null;
  jurisdictionId: string;
  providerId: string;
  providerName: string | null;
  systemId: string | null;
  projectId: string | null;
  orderId: string | null;
  catalogueItemCode: string;
  zone: string | null;
  externalId: string | null;
  addresses: string[];
  state: ResourceState;
  purpose: string;
  specification: Record<string, unknown>;
  quantities: Quantities;
  expiresOn: string | null;
  deliveredAt: string | null;
  reclaimedAt: string | null;
  createdAt: string;
}

export const toResource = (r: Listed): Resource => ({
  id: r.id,
  name: r.name,
  organisationId: r.organisation_id,
  unitName: r.unit_name ?? null,
  jurisdictionId: r.jurisdiction_id,
  providerId: r.provider_id,
  providerName: r.provider_name ?? null,
  systemId: r.system_id,
  projectId: r.project_id,
  orderId: r.order_id,
  catalogueItemCode: r.catalogue_item_code,
  zone: r.zone,
  externalId: r.external_id,
  addresses: r.addresses,
  state: r.state,
  purpose: r.purpose,
  specification: r.specification,
  quantities: r.quantities,
  expiresOn: r.expires_on,
  deliveredAt: r.delivered_at?.toISOString() ?? null,
  reclaimedAt: r.reclaimed_at?.toISOString() ?? null,
  createdAt: r.created_at.toISOString(),
});

export type ListQuery = repo.ListFilter & {
  limit: number;
  offset: number;
  sort: repo.SortKey;
  order: 'asc' | 'desc';
  /** a `nextCursor` of an earlier answer: the page after it */
  after?: string;
  /** a `previousCursor` of an earlier answer: the page before it */
  before?: string;
};

/**
 * A cursor names a row's place in one order: the sort, its direction, the row's sort value and id,
 * base64url of JSON. It is only ever read back by this API, which checks it is for the order asked.
 */
export function encodeCursor(sort: repo.SortKey, order: 'asc' | 'desc', c: repo.Cursor): string {
  return Buffer.from(JSON.stringify([sort, order, c.value, c.id])).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function decodeCursor(field: string, text: string, sort: repo.SortKey, order: 'asc' | 'desc'): repo.Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalid(field, 'is not a cursor of this list');
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 4 ||
    (parsed[2] !== null && typeof parsed[2] !== 'string') ||
    typeof parsed[3] !== 'string' ||
    !UUID.test(parsed[3])
  ) {
    throw invalid(field, 'is not a cursor of this list');
  }
  if (parsed[0] !== sort || parsed[1] !== order) throw invalid(field, 'belongs to another sort order');
  if (sort === 'createdAt' || sort === 'deliveredAt' || sort === 'expiresOn') {
    if (parsed[2] !== null && Number.isNaN(Date.parse(parsed[2]))) throw invalid(field, 'is not a cursor of this list');
  }
  return { value: parsed[2], id: parsed[3] };
}

export async function listResources(trx: Trx, auth: AuthContext, query: ListQuery) {
  const { limit, offset, sort, order, after, before, ...filter } = query;
  if (after !== undefined && before !== undefined) throw invalid('query.before', 'give either after or before');
  if ((after !== undefined || before !== undefined) && offset > 0) {
    throw invalid('query.offset', 'must be 0 with a cursor (after or before)');
  }
  const page: repo.PageRequest = { limit, offset, sort, order };
  if (after !== undefined) page.after = decodeCursor('query.after', after, sort, order);
  if (before !== undefined) page.before = decodeCursor('query.before', before, sort, order);
  // A provider's list is what it runs; any other organisation's what it owns (index-friendly, one column).
  const side = auth.organisationType === 'cloud_service_provider' ? 'provider' : 'unit';
  const list = await repo.listResources(trx, auth.visibility, filter, page, side);
  return {
    items: list.rows.map(toResource),
    total: list.total,
    totalIsEstimate: list.totalIsEstimate,
    nextCursor: list.next ? encodeCursor(sort, order, list.next) : null,
    previousCursor: list.previous ? encodeCursor(sort, order, list.previous) : null,
  };
}

export async function getResource(trx: Trx, auth: AuthContext, id: string) {
  const r = await repo.findResource(trx, auth.visibility, id);
  if (!r) throw notFound(`resource ${id} / 资源不存在`);
  const intervals = await repo.resourceIntervals(trx, id);
  const events = await repo.resourceEvents(trx, id);
  const people = await displayNamesByUsername(
    trx as unknown as Db,
    events.map((e) => e.actor),
  );
  return {
    ...toResource(r),
    intervals: intervals.map((i) => ({
      validFrom: i.valid_from.toISOString(),
      validTo: i.valid_to?.toISOString() ?? null,
      specification: i.specification as Record<string, unknown>,
      quantities: i.quantities as Quantities,
    })),
    events: events.map((e) => ({
      id: String(e.id),
      kind: e.kind,
      occurredAt: e.occurred_at.toISOString(),
      recordedAt: e.recorded_at.toISOString(),
      quantities: e.quantities as Quantities,
      specification: e.specification,
      source: e.source,
      reference: e.reference,
      actor: e.actor,
      actorName: people.get(e.actor) ?? null,
    })),
  };
}

export interface ScopedResource {
  id: string;
  organisationId: string;
  jurisdictionId: string;
  systemId: string | null;
  name: string;
  zone: string | null;
  state: ResourceState;
}

/** The provider's live resources in a zone or among the listed ids (maintenance windows, JQ 13). */
export async function resourcesInScope(
  trx: Trx,
  scope: { jurisdictionId: string; providerId: string; zone: string | null; resourceIds: readonly string[] },
): Promise<ScopedResource[]> {
  const rows = await repo.resourcesInScope(trx, scope);
  return rows.map((r) => ({
    id: r.id,
    organisationId: r.organisation_id,
    jurisdictionId: r.jurisdiction_id,
    systemId: r.system_id,
    name: r.name,
    zone: r.zone,
    state: r.state,
  }));
}

/** The providers that serve an information system: those running its live resources (service desk, issue 18). */
export async function systemProviders(trx: Trx, jurisdictionId: string, systemId: string) {
  const rows = await repo.systemProviders(trx, jurisdictionId, systemId);
  return rows.map((r) => ({ providerId: r.provider_id, resources: Number(r.n) }));
}

/** Resources live at `at` per unit and catalogue item, as the caller sees them (operations reports, TZ 12). */
export async function liveResourceCounts(trx: Trx, auth: AuthContext, at: Date, providerId: string | null = null) {
  return repo.liveResourceCounts(trx, auth.visibility, at, providerId);
}
