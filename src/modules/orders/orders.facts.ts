import type { AuthContext } from '../../platform/auth/auth.ts';
import { amountsOf, fromMicro, toMicro } from '../../platform/decimal.ts';
import { notFound } from '../../platform/errors.ts';
import type { Trx } from '../../schema.ts';
import { type CatalogueInForce, catalogueInForce, providersOfItems } from '../catalogue/index.ts';
import { displayNames, roleHolders } from '../identity/index.ts';
import { quantitiesOf } from '../inventory/index.ts';
import { effectivePolicy, ORDER_TYPES, type OrderType } from '../policy/index.ts';
import { getProject, getSystem, projectQuotaAt, unitProjectsQuotaTotal } from '../projects/index.ts';
import { getOrganisation } from '../tenancy/index.ts';
import { isUnitRole, QUOTA_TYPES } from './orders.engine.ts';
import * as repo from './orders.repository.ts';
import { jurisdictionCodeOf } from './orders.workflow.ts';

// What a reviewer needs beside an order (issue 16, "every decision with its facts"): the requesting unit,
// project and information system by name, the project's quota before and after this order per dimension,
// how far the unit would go past the SH 20 band, the monthly cost estimate priced from the catalogue in
// force, who holds the open step now, and the display names of everyone on the timeline. Read-only.

export interface EstimateLine {
  itemCode: string;
  specification: Record<string, unknown>;
  quantity: number;
}

export interface CostEstimate {
  catalogueVersionNo: number;
  catalogueEffectiveFrom: string;
  /** yuan per month, exact, 2 places */
  total: string;
  lines: {
    lineNo: number;
    itemCode: string;
    itemName: string;
    itemNameEn: string;
    quantity: number;
    /** null: the item is not in the catalogue in force */
    monthly: string | null;
    prices: { dimension: string; unit: string; unitPrice: string; quantity: string }[];
  }[];
}

const MICRO = 1_000_000n;
/** micro-yuan x micro-quantity (10^-12 yuan) -> fen, half up; then "12.34" */
const fenOf = (picoYuan: bigint) => (picoYuan * 100n + (MICRO * MICRO) / 2n) / (MICRO * MICRO);
const yuan = (fen: bigint) => {
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  return `${negative ? '-' : ''}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
};

/**
 * The monthly cost of lines at the catalogue's month prices (SH 27: unit price x usage; the efficiency
 * coefficient applies at settlement, so the estimate is at coefficient 1). Each line rounds to the fen once.
 */
export function estimate(catalogue: CatalogueInForce, lines: readonly EstimateLine[]): CostEstimate {
  let total = 0n;
  const out = lines.map((l, i) => {
    const item = catalogue.items.find((x) => x.code === l.itemCode);
    if (!item) {
      return {
        lineNo: i + 1,
        itemCode: l.itemCode,
        itemName: l.itemCode,
        itemNameEn: l.itemCode,
        quantity: l.quantity,
        monthly: null,
        prices: [],
      };
    }
    const q = quantitiesOf(
      item.prices.map((p) => p.dimension),
      l.specification,
    );
    let pico = 0n;
    const prices = item.prices.map((p) => {
      const amount = toMicro(String(q[p.dimension] ?? 0));
      pico += amount * toMicro(p.unitPrice) * BigInt(l.quantity);
      return {
        dimension: p.dimension,
        unit: p.unit,
        unitPrice: fromMicro(toMicro(p.unitPrice)),
        quantity: fromMicro(amount),
      };
    });
    const fen = fenOf(pico);
    total += fen;
    return {
      lineNo: i + 1,
      itemCode: l.itemCode,
      itemName: item.name,
      itemNameEn: item.nameEn,
      quantity: l.quantity,
      monthly: yuan(fen),
      prices,
    };
  });
  return {
    catalogueVersionNo: catalogue.version.versionNo,
    catalogueEffectiveFrom: catalogue.version.effectiveFrom,
    total: yuan(total),
    lines: out,
  };
}

/** The caller's estimate of lines it is about to order, in its own jurisdiction's catalogue in force. */
export async function estimateFor(trx: Trx, auth: AuthContext, lines: readonly EstimateLine[], now: Date) {
  const code = await jurisdictionCodeOf(trx, auth.jurisdictionId);
  return estimate(await catalogueInForce(trx, code, now), lines);
}

export interface OrderTypeOffer {
  type: OrderType;
  /** whether the caller's policy pack (with its jurisdiction's overrides) provides the order type */
  enabled: boolean;
  article: string | null;
  note: string | null;
}

/**
 * The order types of the caller's jurisdiction's effective policy, each provided or not with its article: the
 * order form offers only the provided ones (issue 16), the server refuses the rest (orders.rules.ts).
 */
export async function orderTypesFor(trx: Trx, auth: AuthContext): Promise<OrderTypeOffer[]> {
  const policy = await effectivePolicy(trx, await jurisdictionCodeOf(trx, auth.jurisdictionId));
  return ORDER_TYPES.map((type) => {
    const { enabled } = policy.orderTypes[type];
    return { type, enabled: enabled.value === true, article: enabled.article ?? null, note: enabled.note ?? null };
  });
}

export async function orderFacts(trx: Trx, auth: AuthContext, id: string, now: Date) {
  const order = await repo.findOrder(trx, id);
  if (!order) throw notFound(`order ${id} does not exist / 订单不存在`);
  const [lines, steps, events] = await Promise.all([
    repo.linesOf(trx, id),
    repo.stepsOf(trx, id),
    repo.eventsOf(trx, id),
  ]);
  const unit = await getOrganisation(trx, auth, order.organisation_id).catch(() => null);
  const project = order.project_id ? await getProject(trx, order.project_id) : undefined;
  const system = order.system_id ? await getSystem(trx, order.system_id) : undefined;

  // Quota: what the project had in use or reserved without this order, and with it.
  const request = new Map<string, bigint>();
  for (const l of lines)
    for (const [d, v] of Object.entries(l.dimensions)) request.set(d, (request.get(d) ?? 0n) + toMicro(v));
  let quota: {
    dimension: string;
    quota: string;
    usedBefore: string;
    thisOrder: string;
    usedAfter: string;
    leftBefore: string;
    leftAfter: string;
    overQuota: string;
  }[] = [];
  let band: {
    ratio: string;
    article: string | null;
    dimensions: { dimension: string; unitQuota: string; bandLimit: string; unitUsedAfter: string; overBand: string }[];
  } | null = null;
  if (order.project_id && project) {
    const limits = amountsOf(await projectQuotaAt(trx, order.project_id, now));
    const usage = await repo.usageOf(trx, [order.project_id], { excludeOrderId: order.id });
    const used = new Map(usage.map((u) => [u.dimension, toMicro(u.reserved) + toMicro(u.consumed)]));
    const dims = [...new Set([...limits.keys(), ...request.keys()])].sort();
    quota = dims.map((dimension) => {
      const q = limits.get(dimension) ?? 0n;
      const before = used.get(dimension) ?? 0n;
      const mine = request.get(dimension) ?? 0n;
      const after = before + mine;
      return {
        dimension,
        quota: fromMicro(q),
        usedBefore: fromMicro(before),
        thisOrder: fromMicro(mine),
        usedAfter: fromMicro(after),
        leftBefore: fromMicro(q - before),
        leftAfter: fromMicro(q - after),
        overQuota: fromMicro(after > q ? after - q : 0n),
      };
    });
    // SH 20: the unit's requested total against its approved projects' total quota times (1 + band).
    const policy = await effectivePolicy(trx, await jurisdictionCodeOf(trx, order.jurisdiction_id));
    const over = policy.quota.overrunApprovalAbove;
    if (over.value !== null && QUOTA_TYPES.includes(order.type) && [...request.values()].some((v) => v > 0n)) {
      const ratio = toMicro('1') + toMicro(String(over.value));
      const total = amountsOf(await unitProjectsQuotaTotal(trx, order.organisation_id, now));
      const unitUsage = await repo.usageOf(trx, await repo.approvedProjectIdsOf(trx, order.organisation_id), {
        excludeOrderId: order.id,
      });
      const unitUsed = new Map(unitUsage.map((u) => [u.dimension, toMicro(u.reserved) + toMicro(u.consumed)]));
      band = {
        ratio: fromMicro(toMicro(String(over.value))),
        article: over.article,
        dimensions: [...request.keys()].sort().map((dimension) => {
          const unitQuota = total.get(dimension) ?? 0n;
          const limit = (unitQuota * ratio) / MICRO;
          const after = (unitUsed.get(dimension) ?? 0n) + (request.get(dimension) ?? 0n);
          return {
            dimension,
            unitQuota: fromMicro(unitQuota),
            bandLimit: fromMicro(limit),
            unitUsedAfter: fromMicro(after),
            overBand: fromMicro(after > limit ? after - limit : 0n),
          };
        }),
      };
    }
  }

  // The monthly cost of the lines in the catalogue in force now (none for orders that only end resources).
  const priced = QUOTA_TYPES.includes(order.type) || order.type === 'temporary';
  const cost =
    priced && lines.length > 0
      ? estimate(
          await catalogueInForce(trx, await jurisdictionCodeOf(trx, order.jurisdiction_id), now),
          lines.map((l) => ({
            itemCode: l.catalogue_item_code,
            specification: l.specification as Record<string, unknown>,
            quantity: l.quantity,
          })),
        )
      : null;

  // Who holds the open step: the role's holders in the ordering unit, the provider or the jurisdiction.
  const open = steps.find((s) => s.status === 'open');
  let holders: { id: string; name: string; organisation: string }[] = [];
  if (open) {
    if (isUnitRole(open.role)) {
      holders = await roleHolders(trx, open.role, {
        organisationIds: [open.acting_organisation_id ?? order.organisation_id],
      });
    } else if (open.role === 'provider_operator') {
      const providers = await providersOfItems(
        trx,
        lines
          .filter((l) => l.catalogue_version_id)
          .map((l) => ({ versionId: l.catalogue_version_id as string, code: l.catalogue_item_code })),
      );
      holders = providers.length ? await roleHolders(trx, open.role, { organisationIds: providers }) : [];
    } else {
      holders = await roleHolders(trx, open.role, { jurisdictionId: order.jurisdiction_id });
    }
  }

  const people = await displayNames(trx, [
    ...events.map((e) => e.actor_id).filter((x): x is string => !!x),
    ...steps.map((s) => s.acted_by).filter((x): x is string => !!x),
    ...(order.placed_by ? [order.placed_by] : []),
  ]);

  return {
    orderId: order.id,
    unit: unit ? { id: unit.id, name: unit.name } : null,
    project: project
      ? { id: project.id, name: project.name, approvalNo: project.approvalNo, status: project.status }
      : null,
    system: system
      ? {
          id: system.id,
          name: system.name,
          mlpsLevel: system.mlpsLevel,
          classified: system.classified,
          filingStatus: system.filingStatus,
          commitmentLetterOnFile: system.commitmentLetterOnFile,
        }
      : null,
    quota,
    band,
    cost,
    currentStep: open ? { key: open.key, role: open.role, holders } : null,
    people,
  };
}
