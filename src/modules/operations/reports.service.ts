import ExcelJS from 'exceljs';
import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { sm3 } from '../../platform/crypto.ts';
import { AppError, invalid, notFound } from '../../platform/errors.ts';
import { neutralise } from '../../platform/spreadsheet.ts';
import { formatShanghai, startOfShanghaiDay } from '../../platform/time/time.ts';
import type { Trx } from '../../schema.ts';
import { liveResourceCounts } from '../inventory/index.ts';
import { listStatements, yuan } from '../metering/index.ts';
import {
  idleResources,
  monthlyAnalysis,
  periodOf,
  type UtilisationRow,
  utilisationReport,
} from '../monitoring/index.ts';
import { CHANGE_ORDER_TYPES, changesDelivered } from '../orders/index.ts';
import { heartbeatAvailabilityBetween } from './availability.service.ts';
import { availability } from './incidents.service.ts';
import * as repo from './operations.repository.ts';

// The weekly and monthly operations reports (TZ 12), per provider or city-wide, built from the figures the owning
// modules publish (inventory: resources live at the period's end; monitoring: the utilisation report of the
// period; metering: the month's statements) and the service desk and maintenance of the period. Generated as an
// .xlsx, archived with its SM3 content hash and the figures, so the numbers can be checked against their sources.

export type Period = 'week' | 'month';

/** how many of the least available resources a report lists */
const LEAST_AVAILABLE = 20;
/** how many of the most idle resources a report lists */
const TOP_IDLE = 20;
const num = (v: string | null) => (v === null ? null : Math.round(Number(v) * 100) / 100);

export async function reportFigures(
  trx: Trx,
  auth: AuthContext,
  input: { period: Period; start: string; providerId?: string | null },
  now: Date,
) {
  const { from, to } = periodOf(input.period, input.start);
  const fromAt = startOfShanghaiDay(from);
  const toAt = startOfShanghaiDay(to);
  let providerId = input.providerId ?? null;
  if (auth.organisationType === 'cloud_service_provider') providerId = auth.organisationId;
  let provider: { id: string; name: string } | null = null;
  if (providerId) {
    const p = await repo.providerOrganisation(trx, providerId, auth.jurisdictionId);
    if (!p) throw invalid('body.providerId', 'no such cloud service provider / 云服务商不存在');
    provider = { id: p.id, name: p.name };
  }
  const resources = await liveResourceCounts(trx, auth, toAt, providerId);
  const utilisation = await utilisationReport(trx, input.period, from);
  let settlement: {
    month: string;
    statements: number;
    totalFen: string;
    total: string;
    units: { unitName: string; totalFen: string; total: string }[];
  } | null = null;
  if (input.period === 'month' && provider === null) {
    const month = from.slice(0, 7);
    const { items } = await listStatements(trx, { month });
    const totalFen = items.reduce((sum, s) => sum + BigInt(s.totalFen), 0n);
    settlement = {
      month,
      statements: items.length,
      totalFen: String(totalFen),
      total: yuan(totalFen),
      units: items.map((s) => ({ unitName: s.organisationName, totalFen: s.totalFen, total: s.total })),
    };
  }
  const t = await repo.ticketFigures(trx, auth.visibility, fromAt, toAt, providerId);
  const windows = await repo.agreedWindows(trx, auth.visibility, fromAt, toAt, providerId);
  const avail = await availability(trx, auth, from, to, now);
  const measured = await heartbeatAvailabilityBetween(trx, auth, fromAt, toAt, providerId, now);
  const extra = await changesIdleAndSizing(trx, input.period, from, fromAt, toAt, providerId);
  return {
    period: input.period,
    from,
    to,
    scope: provider ? ('provider' as const) : ('city' as const),
    provider,
    generatedAt: now.toISOString(),
    inventory: { asOf: toAt.toISOString(), total: resources.reduce((s, r) => s + r.count, 0), rows: resources },
    utilisation: { city: utilisation.city, units: utilisation.units },
    settlement,
    tickets: {
      opened: Number(t.opened),
      answered: Number(t.answered),
      met: Number(t.met),
      breached: Number(t.breached),
      averageResponseSeconds: num(t.avg_response),
      confirmed: Number(t.confirmed),
      averageSatisfaction: num(t.avg_satisfaction),
    },
    availability: {
      providers: avail.providers.filter((p) => providerId === null || p.key === providerId),
      zones: providerId === null ? avail.zones : [],
      /** measured by the monitoring heartbeat, agreed maintenance taken out (the least available resources listed) */
      measured: {
        measuredUntil: measured.measuredUntil,
        providers: measured.providers,
        systems: measured.systems,
        units: measured.units,
        leastAvailable: measured.resources
          .filter((r) => r.availabilityPercent !== null)
          .sort((a, b) => (a.availabilityPercent ?? 0) - (b.availabilityPercent ?? 0))
          .slice(0, LEAST_AVAILABLE),
      },
    },
    maintenance: {
      agreed: windows.length,
      windows: windows.map((w) => ({
        number: w.number,
        kind: w.kind,
        title: w.title,
        provider: w.provider_name ?? '',
        startsAt: w.starts_at.toISOString(),
        endsAt: w.ends_at.toISOString(),
        affectedResources: w.affected_resources,
      })),
    },
    ...extra,
  };
}

/**
 * Issue 18's remaining sections: the changes delivered (change and scale-up orders completed in the period,
 * city-wide: a provider sees no unit's orders), the most idle resources (monitoring's rollups, least average CPU
 * first) and, in a monthly report, monitoring's right-sizing analysis of the month (a provider's: its resources).
 */
async function changesIdleAndSizing(
  trx: Trx,
  period: Period,
  from: string,
  fromAt: Date,
  toAt: Date,
  providerId: string | null,
) {
  let changes: {
    total: number;
    byType: Record<(typeof CHANGE_ORDER_TYPES)[number], number>;
    orders: { number: string; type: string; title: string; unitName: string; closedAt: string }[];
  } | null = null;
  if (providerId === null) {
    const delivered = await changesDelivered(trx, { from: fromAt, to: toAt });
    const byType = Object.fromEntries(
      CHANGE_ORDER_TYPES.map((type) => [type, delivered.filter((o) => o.type === type).length]),
    ) as Record<(typeof CHANGE_ORDER_TYPES)[number], number>;
    changes = {
      total: delivered.length,
      byType,
      orders: delivered.map((o) => ({
        number: o.number,
        type: o.type,
        title: o.title,
        unitName: o.unitName ?? '',
        closedAt: o.closedAt,
      })),
    };
  }
  // every resource with CPU samples in the period: the most idle are listed, and a provider's set filters the
  // analysis (which covers exactly the resources with CPU samples in the month)
  const sampled = await idleResources(trx, { from: fromAt, to: toAt, providerId, limit: 100_000 });
  const idle = { resources: sampled.length, top: sampled.slice(0, TOP_IDLE) };
  let rightSizing: {
    month: string;
    summary: { resources: number; downsize: number; expand: number; keep: number };
    suggestions: Awaited<ReturnType<typeof monthlyAnalysis>>['suggestions'];
  } | null = null;
  if (period === 'month') {
    const analysis = await monthlyAnalysis(trx, from.slice(0, 7));
    const ours = new Set(sampled.map((r) => r.resourceId));
    const suggestions = analysis.suggestions.filter((x) => providerId === null || ours.has(x.resourceId));
    const count = (a: string) => suggestions.filter((x) => x.advice === a).length;
    rightSizing = {
      month: analysis.month,
      summary: {
        resources: suggestions.length,
        downsize: count('downsize'),
        expand: count('expand'),
        keep: count('keep'),
      },
      suggestions: suggestions.filter((x) => x.advice !== 'keep'),
    };
  }
  return { changes, idle, rightSizing };
}

export type ReportFigures = Awaited<ReturnType<typeof reportFigures>>;

const text = (v: string) => neutralise(v);
const local = (iso: string) => formatShanghai(new Date(iso)).slice(0, 16).replace('T', ' ');
const UTILISATION: [keyof UtilisationRow, string][] = [
  ['organisationName', '单位'],
  ['resources', '资源数'],
  ['reporting', '有监测数据'],
  ['cpuAvg', 'CPU平均%'],
  ['cpuP95', 'CPU P95%'],
  ['cpuMax', 'CPU峰值%'],
  ['memoryAvg', '内存平均%'],
  ['findings', '未关闭发现'],
];

export async function reportWorkbook(f: ReportFigures): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.created = new Date(f.generatedAt);
  wb.modified = new Date(f.generatedAt);
  const title = `${f.provider ? text(f.provider.name) : '全市'}政务云运维${f.period === 'week' ? '周' : '月'}报 ${f.from} 至 ${f.to}（不含）`;
  const summary = wb.addWorksheet('概览');
  summary.addRow([title]);
  summary.addRow(['项目', '数值']);
  summary.addRow(['期末在用资源数', f.inventory.total]);
  summary.addRow(['监测资源数', f.utilisation.city.resources]);
  summary.addRow(['CPU平均使用率%', f.utilisation.city.cpuAvg]);
  if (f.settlement) summary.addRow([`${f.settlement.month} 结算金额（元）`, f.settlement.total]);
  summary.addRow(['工单数', f.tickets.opened]);
  summary.addRow(['按时响应', f.tickets.met]);
  summary.addRow(['响应超时', f.tickets.breached]);
  summary.addRow(['平均响应时间（秒）', f.tickets.averageResponseSeconds]);
  summary.addRow(['平均满意度', f.tickets.averageSatisfaction]);
  summary.addRow(['已实施维护窗口', f.maintenance.agreed]);
  if (f.changes) summary.addRow(['交付变更（变更、扩容订单）', f.changes.total]);
  if (f.rightSizing) summary.addRow(['建议降配资源数', f.rightSizing.summary.downsize]);
  for (const p of f.availability.providers) summary.addRow([`可用率%（${text(p.name ?? '')}）`, p.availabilityPercent]);
  for (const p of f.availability.measured?.providers ?? [])
    summary.addRow([`心跳监测可用率%（${text(p.name)}）`, p.availabilityPercent]);
  summary.getRow(2).font = { bold: true };

  const res = wb.addWorksheet('资源');
  res.addRow(['单位', '服务目录项', '数量']);
  for (const r of f.inventory.rows) res.addRow([text(r.unitName ?? ''), text(r.item), r.count]);
  res.addRow(['合计', '', f.inventory.total]);

  const use = wb.addWorksheet('使用率');
  use.addRow(UTILISATION.map(([, h]) => h));
  for (const row of [...f.utilisation.units, f.utilisation.city])
    use.addRow(UTILISATION.map(([k]) => (typeof row[k] === 'string' ? text(row[k] as string) : row[k])));

  if (f.settlement) {
    const st = wb.addWorksheet('结算');
    st.addRow(['单位', '金额（元）']);
    for (const u of f.settlement.units) st.addRow([text(u.unitName), u.total]);
    st.addRow(['合计', f.settlement.total]);
  }

  if (f.availability.measured) {
    const av = wb.addWorksheet('可用性');
    av.addRow(['范围', '名称', '资源数', '计入时长（小时）', '中断时长（分钟）', '计划维护（小时）', '可用率%']);
    const rows = [
      ...f.availability.measured.providers.map((g) => ['云服务商', g] as const),
      ...f.availability.measured.systems.map((g) => ['信息系统', g] as const),
      ...f.availability.measured.units.map((g) => ['单位', g] as const),
    ];
    for (const [kind, g] of rows)
      av.addRow([
        kind,
        text(g.name),
        g.resources,
        Math.round(g.measuredSeconds / 36) / 100,
        Math.round(g.downSeconds / 6) / 10,
        Math.round(g.plannedSeconds / 36) / 100,
        g.availabilityPercent,
      ]);
    for (const r of f.availability.measured.leastAvailable)
      av.addRow([
        '资源',
        text(`${r.resource.name}（${r.unit.name}）`),
        1,
        Math.round(r.measuredSeconds / 36) / 100,
        Math.round(r.downSeconds / 6) / 10,
        Math.round(r.plannedSeconds / 36) / 100,
        r.availabilityPercent,
      ]);
  }

  const mt = wb.addWorksheet('维护');
  mt.addRow(['编号', '类型', '事项', '云服务商', '开始', '结束', '影响资源数']);
  for (const w of f.maintenance.windows)
    mt.addRow([
      w.number,
      w.kind === 'planned' ? '计划维护' : '临时中断',
      text(w.title),
      text(w.provider),
      local(w.startsAt),
      local(w.endsAt),
      w.affectedResources,
    ]);
  addChangeAndIdleSheets(wb, f);
  for (const sheet of wb.worksheets) sheet.getRow(1).font = { bold: true };
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const ADVICE_ZH = { downsize: '建议降配', expand: '建议扩容', keep: '保持' } as const;

/** The changes delivered, the most idle resources and the right-sizing advice (archived reports before lack them). */
function addChangeAndIdleSheets(wb: ExcelJS.Workbook, f: ReportFigures): void {
  if (f.changes) {
    const ch = wb.addWorksheet('变更交付');
    ch.addRow(['订单号', '类型', '事项', '单位', '完成时间']);
    for (const o of f.changes.orders)
      ch.addRow([o.number, o.type === 'change' ? '变更' : '扩容', text(o.title), text(o.unitName), local(o.closedAt)]);
    ch.addRow(['合计', '', '', '', f.changes.total]);
  }
  if (f.idle) {
    const idle = wb.addWorksheet('闲置资源');
    idle.addRow(['资源', '单位', 'vCPU', '有数据小时数', 'CPU平均%', 'CPU峰值%']);
    for (const r of f.idle.top)
      idle.addRow([text(r.resourceName), text(r.organisationName ?? ''), r.vcpu, r.hours, r.cpuAvg, r.cpuMax]);
  }
  if (f.rightSizing) {
    const rs = wb.addWorksheet('调整建议');
    const sm = f.rightSizing.summary;
    rs.addRow(['资源', '单位', 'vCPU', '建议vCPU', 'CPU P95%', '建议', '依据']);
    for (const x of f.rightSizing.suggestions)
      rs.addRow([
        text(x.resourceName),
        text(x.organisationName ?? ''),
        x.vcpu,
        x.suggestedVcpu,
        x.cpuP95,
        ADVICE_ZH[x.advice],
        text(x.reason),
      ]);
    rs.addRow([`分析资源 ${sm.resources}，建议降配 ${sm.downsize}，建议扩容 ${sm.expand}，保持 ${sm.keep}`]);
  }
}

export async function generateReport(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  input: { period: Period; start: string; providerId?: string | null },
  now: Date,
  scheduleId: string | null = null,
) {
  if (auth.visibility.kind === 'organisation' && auth.organisationType !== 'cloud_service_provider')
    throw new AppError(
      'forbidden',
      'reports are generated by the ops unit or a provider / 运维报告由运管单位或云服务商生成',
    );
  const figures = await reportFigures(trx, auth, input, now);
  const workbook = await reportWorkbook(figures);
  const contentHash = sm3(workbook);
  const row = await repo.insertReport(trx, {
    organisation_id: figures.provider?.id ?? auth.organisationId,
    jurisdiction_id: auth.jurisdictionId,
    scope: figures.scope,
    provider_id: figures.provider?.id ?? null,
    period: figures.period,
    period_from: figures.from,
    period_to: figures.to,
    figures: JSON.stringify(figures),
    workbook,
    content_hash: contentHash,
    generated_by: actor.name ?? actor.kind,
    generated_at: now,
    schedule_id: scheduleId,
  });
  await writeAudit(trx, actor, {
    action: 'operations.report_generated',
    objectType: 'operations_report',
    objectId: row.id,
    detail: { scope: figures.scope, period: figures.period, from: figures.from, contentHash, scheduleId },
  });
  return { id: row.id, contentHash, figures };
}

type ListedReport = Awaited<ReturnType<typeof repo.listReports>>[number];
const toReport = (r: ListedReport) => ({
  id: r.id,
  scope: r.scope,
  provider: r.provider_id ? { id: r.provider_id, name: r.provider_name ?? '' } : null,
  period: r.period,
  from: r.period_from,
  to: r.period_to,
  contentHash: r.content_hash,
  generatedBy: r.generated_by,
  generatedAt: r.generated_at.toISOString(),
});

export async function listReports(trx: Trx, auth: AuthContext) {
  return { items: (await repo.listReports(trx, auth.visibility, 200)).map(toReport) };
}

export async function getReport(trx: Trx, auth: AuthContext, id: string) {
  const r = await repo.findReport(trx, auth.visibility, id);
  if (!r) throw notFound(`report ${id} / 报告不存在`);
  return { ...toReport(r), figures: r.figures as ReportFigures };
}

export async function downloadReport(trx: Trx, auth: AuthContext, actor: Actor, id: string) {
  const r = await repo.reportWorkbook(trx, auth.visibility, id);
  if (!r) throw notFound(`report ${id} / 报告不存在`);
  await writeAudit(trx, actor, {
    action: 'operations.report_downloaded',
    objectType: 'operations_report',
    objectId: id,
    detail: { contentHash: r.content_hash },
  });
  return { body: r.workbook, name: `operations-${r.period}-${r.period_from}.xlsx`, hash: r.content_hash };
}
