import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { sm3 } from '../../platform/crypto.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { Trx } from '../../schema.ts';
import { addWorkingDays } from '../calendar/index.ts';
import { notify } from '../notifications/index.ts';
import { effectivePolicy } from '../policy/index.ts';
import * as repo from './provisioning.repository.ts';
import type { FindingKind, InventoryFindingRow } from './provisioning.table.ts';

/**
 * The ops unit clears a reconciliation finding within this many working days (no regulation gives a number;
 * a working week, the review deadlines' order of magnitude, SH 19-21). See docs/decisions.md.
 */

export interface ReportedItem {
  externalId: string;
  name?: string;
  catalogueItemCode?: string;
  specification?: Record<string, unknown>;
  addresses?: string[];
  /** changes mode: the provider no longer runs it */
  removed?: boolean;
}

export interface InventoryReport {
  /** full: everything the provider runs (what is not listed is missing); changes: only what changed */
  mode: 'full' | 'changes';
  items: ReportedItem[];
}

const canonical = (v: unknown): string =>
  Array.isArray(v)
    ? `[${v.map(canonical).join(',')}]`
    : v && typeof v === 'object'
      ? `{${Object.keys(v as object)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
          .join(',')}}`
      : JSON.stringify(v);

/** The attributes the provider reports that differ from the receipt's (the resource's current) specification. */
function differences(expected: Record<string, unknown>, reported: Record<string, unknown>) {
  const diff: Record<string, { expected: unknown; reported: unknown }> = {};
  for (const [k, v] of Object.entries(reported)) {
    if (k in expected && canonical(expected[k]) !== canonical(v)) diff[k] = { expected: expected[k], reported: v };
  }
  return diff;
}

/**
 * A provider's pushed inventory, reconciled with what orders created: a resource no order explains
 * (unknown_resource), a delivered resource the provider no longer reports (missing_resource), a size that
 * differs from the receipt (size_mismatch). Findings go to the ops unit with a deadline. A finding is raised
 * once while it is open (fingerprint, unique among open findings: migration 0017), so pushing the same snapshot
 * again raises none; once resolved, the same discrepancy reported again is a new finding. In `changes` mode an
 * item `removed: true` the platform still counts as live is a missing_resource, like one a full snapshot omits.
 */
export async function pushInventory(trx: Trx, auth: AuthContext, actor: Actor, report: InventoryReport, now: Date) {
  if (auth.organisationType !== 'cloud_service_provider') {
    throw new AppError('forbidden', 'only a cloud service provider reports its inventory / 仅云服务商可上报资源清单');
  }
  return reconcileInventory(
    trx,
    { providerId: auth.organisationId, jurisdictionId: auth.jurisdictionId, reporter: auth.name },
    actor,
    report,
    now,
  );
}

/**
 * Reconciles one provider's report, whoever made it: the provider pushing it (`pushInventory`) or a driver
 * reading the provider's platform itself (libvirt: drivers/libvirt). `zone`: the report covers only that network
 * zone, so a full snapshot makes only that zone's resources missing. `leaving`: resources (ids) whose absence is
 * explained (a driver's reclaim under way or awaiting the unit's confirmation): not missing.
 */
export async function reconcileInventory(
  trx: Trx,
  source: {
    providerId: string;
    jurisdictionId: string;
    reporter: string;
    zone?: string;
    leaving?: ReadonlySet<string>;
  },
  actor: Actor,
  report: InventoryReport,
  now: Date,
) {
  const { providerId, jurisdictionId } = source;
  const seen = new Set<string>();
  for (const item of report.items) {
    if (seen.has(item.externalId)) {
      throw new AppError('validation_failed', `externalId ${item.externalId} is listed twice`, [
        { field: 'body.items', message: `externalId ${item.externalId} is listed twice / 资源标识重复` },
      ]);
    }
    seen.add(item.externalId);
  }
  const snapshotId = await repo.insertSnapshot(trx, {
    provider_id: providerId,
    jurisdiction_id: jurisdictionId,
    mode: report.mode,
    items: report.items.length,
    content_sm3: sm3(canonical(report)),
    findings_raised: 0,
    received_at: now,
    received_by: source.reporter,
  });
  const code = await repo.jurisdictionCode(trx, jurisdictionId);
  // the pack's defaults.inventoryFindingWorkingDays (a platform default: no regulation gives one)
  const findingDays = (await effectivePolicy(trx, code)).defaults.inventoryFindingWorkingDays.value ?? 0;
  const due = new Date((await addWorkingDays(trx, code, now, findingDays)).due);

  const live = new Map(
    (await repo.providerResources(trx, providerId))
      .filter((r) => r.external_id && (source.zone === undefined || r.zone === source.zone))
      .map((r) => [r.external_id as string, r]),
  );
  const raised: { kind: FindingKind; externalId: string }[] = [];
  const raise = async (
    kind: FindingKind,
    externalId: string,
    r: { id: string; organisation_id: string; jurisdiction_id: string } | null,
    detail: Record<string, unknown>,
    fingerprint: string,
  ) => {
    const id = await repo.insertFinding(trx, {
      jurisdiction_id: r?.jurisdiction_id ?? jurisdictionId,
      provider_id: providerId,
      organisation_id: r?.organisation_id ?? null,
      resource_id: r?.id ?? null,
      external_id: externalId,
      kind,
      detail,
      fingerprint,
      snapshot_id: snapshotId,
      raised_at: now,
      due_at: due,
    });
    if (id) raised.push({ kind, externalId });
  };

  for (const item of report.items) {
    const r = live.get(item.externalId);
    if (item.removed) {
      if (r)
        await raise('missing_resource', item.externalId, r, { name: r.name, reported: 'removed' }, `missing:${r.id}`);
      continue;
    }
    if (!r) {
      await raise(
        'unknown_resource',
        item.externalId,
        null,
        {
          name: item.name ?? null,
          catalogueItemCode: item.catalogueItemCode ?? null,
          specification: item.specification ?? {},
        },
        'unknown',
      );
      continue;
    }
    const diff = differences(r.specification, item.specification ?? {});
    if (Object.keys(diff).length) {
      await raise('size_mismatch', item.externalId, r, { name: r.name, differences: diff }, sm3(canonical(diff)));
    }
  }
  if (report.mode === 'full') {
    for (const [externalId, r] of live) {
      if (!seen.has(externalId) && !source.leaving?.has(r.id)) {
        await raise(
          'missing_resource',
          externalId,
          r,
          { name: r.name, reported: 'absent from full snapshot' },
          `missing:${r.id}`,
        );
      }
    }
  }
  await repo.setSnapshotFindings(trx, snapshotId, raised.length);
  await writeAudit(trx, actor, {
    action: 'inventory.reported',
    objectType: 'inventory_snapshot',
    objectId: snapshotId,
    detail: { mode: report.mode, items: report.items.length, findingsRaised: raised.length },
  });
  if (raised.length) {
    await notify(trx, {
      jurisdictionId,
      to: { role: 'ops_reviewer' },
      kind: 'inventory.findings_raised',
      title: {
        zh: `资源清单核对发现 ${raised.length} 项差异（${source.reporter}）`,
        en: `Inventory reconciliation: ${raised.length} new finding(s) (${source.reporter})`,
      },
      link: '/inventory/findings',
      entity: { type: 'inventory_snapshot', id: snapshotId },
      occurredAt: now,
    });
  }
  return { snapshotId, items: report.items.length, findingsRaised: raised.length, findings: raised };
}

export const toFinding = (f: InventoryFindingRow, now: Date) => ({
  id: f.id,
  jurisdictionId: f.jurisdiction_id,
  providerId: f.provider_id,
  organisationId: f.organisation_id,
  resourceId: f.resource_id,
  externalId: f.external_id,
  kind: f.kind,
  detail: f.detail as Record<string, unknown>,
  status: f.status,
  snapshotId: f.snapshot_id,
  raisedAt: f.raised_at.toISOString(),
  dueAt: f.due_at.toISOString(),
  overdue: f.status === 'open' && (f.overdue_since !== null || now.getTime() > f.due_at.getTime()),
  overdueSince: f.overdue_since?.toISOString() ?? null,
  resolvedAt: f.resolved_at?.toISOString() ?? null,
  resolvedBy: f.resolved_by,
  resolution: f.resolution,
});

export async function listFindings(
  trx: Trx,
  auth: AuthContext,
  query: { status?: 'open' | 'resolved'; kind?: FindingKind; limit: number; offset: number },
  now: Date,
) {
  const { rows, total } = await repo.listFindings(trx, auth.visibility, query);
  return { items: rows.map((f) => toFinding(f, now)), total };
}

export async function resolveFinding(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  id: string,
  resolution: string,
  now: Date,
) {
  const f = await repo.findFinding(trx, auth.visibility, id);
  if (!f) throw notFound(`finding ${id} / 核对差异不存在`);
  if (f.status === 'resolved') throw new AppError('conflict', 'the finding is resolved already / 已处理');
  await repo.resolveFinding(trx, id, { resolved_at: now, resolved_by: auth.name, resolution });
  await writeAudit(trx, actor, {
    action: 'inventory.finding_resolved',
    objectType: 'inventory_finding',
    objectId: id,
    detail: {
      kind: f.kind,
      externalId: f.external_id,
      resolution,
      late: f.overdue_since !== null || now.getTime() > f.due_at.getTime(),
    },
  });
  const after = await repo.findFinding(trx, auth.visibility, id);
  return toFinding(after as InventoryFindingRow, now);
}
