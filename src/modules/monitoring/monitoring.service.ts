import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { AppError, invalid, notFound } from '../../platform/errors.ts';
import { checkTarget, EgressRefused } from '../../platform/http/egress.ts';
import { neutralise } from '../../platform/spreadsheet.ts';
import { addDays, isCalendarDay, startOfShanghaiDay } from '../../platform/time/time.ts';
import type { Trx } from '../../schema.ts';
import { egressPolicyOf } from '../notifications/index.ts';
import { thresholdsOf } from './monitoring.detect.ts';
import { readSetting, type Setting } from './monitoring.ingest.ts';
import { DEFAULT_THRESHOLDS, type Thresholds } from './monitoring.metrics.ts';
import type { FindingRow, FindingStatus, Metric, Rule } from './monitoring.table.ts';
import { rectificationWorkingDays } from './rectification.service.ts';

export interface Finding {
  id: string;
  resourceId: string;
  resourceName: string | null;
  organisationId: string;
  organisationName: string | null;
  jurisdictionId: string;
  rule: Rule;
  ruleVersion: string;
  status: FindingStatus;
  evidence: Record<string, unknown>;
  firstDetectedAt: string;
  lastDetectedAt: string;
}

type FindingJoined = FindingRow & { resource_name: string | null; organisation_name: string | null };

const toFinding = (f: FindingJoined): Finding => ({
  id: f.id,
  resourceId: f.resource_id,
  resourceName: f.resource_name,
  organisationId: f.organisation_id,
  organisationName: f.organisation_name,
  jurisdictionId: f.jurisdiction_id,
  rule: f.rule,
  ruleVersion: f.rule_version,
  status: f.status,
  evidence: f.evidence,
  firstDetectedAt: f.first_detected_at.toISOString(),
  lastDetectedAt: f.last_detected_at.toISOString(),
});

function findings(trx: Trx) {
  return trx
    .selectFrom('monitoring_finding as f')
    .leftJoin('resource as r', 'r.id', 'f.resource_id')
    .leftJoin('organisation as o', 'o.id', 'f.organisation_id')
    .selectAll('f')
    .select(['r.name as resource_name', 'o.name as organisation_name']);
}

export async function listFindings(
  trx: Trx,
  q: { status?: FindingStatus; rule?: Rule; organisationId?: string; limit: number; offset: number },
): Promise<{ items: Finding[]; total: number }> {
  let query = findings(trx);
  if (q.status) query = query.where('f.status', '=', q.status);
  if (q.rule) query = query.where('f.rule', '=', q.rule);
  if (q.organisationId) query = query.where('f.organisation_id', '=', q.organisationId);
  const total = await query
    .clearSelect()
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  const rows = await query
    .orderBy('f.last_detected_at', 'desc')
    .orderBy('f.id')
    .limit(q.limit)
    .offset(q.offset)
    .execute();
  return { items: rows.map((r) => toFinding(r as FindingJoined)), total: Number(total.n) };
}

export async function getFinding(trx: Trx, id: string): Promise<Finding> {
  const row = await findings(trx).where('f.id', '=', id).executeTakeFirst();
  if (!row) throw notFound(`finding ${id} does not exist / 监测发现不存在`);
  return toFinding(row as FindingJoined);
}

/** Hourly points of one resource's metric (for the ECharts trend). */
export async function resourceSeries(
  trx: Trx,
  resourceId: string,
  q: { metric: Metric; from: Date; to: Date },
): Promise<{
  resourceId: string;
  metric: Metric;
  points: { hour: string; avg: number; max: number; count: number }[];
}> {
  const resource = await trx.selectFrom('resource').select('id').where('id', '=', resourceId).executeTakeFirst();
  if (!resource) throw notFound(`resource ${resourceId} does not exist / 资源不存在`);
  if (q.to.getTime() - q.from.getTime() > 400 * 86_400_000) throw invalid('query.from', 'at most 400 days at once');
  const rows = await trx
    .selectFrom('monitoring_rollup')
    .select(['hour', 'sum', 'max', 'count'])
    .where('resource_id', '=', resourceId)
    .where('metric', '=', q.metric)
    .where('hour', '>=', q.from)
    .where('hour', '<', q.to)
    .orderBy('hour')
    .execute();
  return {
    resourceId,
    metric: q.metric,
    points: rows.map((r) => ({ hour: r.hour.toISOString(), avg: r.sum / r.count, max: r.max, count: r.count })),
  };
}

/**
 * The unmapped series the caller sees: the listed ones (a page), how many there are, and what could not be listed
 * one by one (over a fold's or pull's listing limit: counted per caller, `notListed`), so that `samples` is the
 * exact total of unmapped samples; and the staged batches the fold had to quarantine (unreadable, or refused by
 * the database), with the latest error.
 */
export async function listUnmapped(trx: Trx, q: { limit: number; offset: number }) {
  const rows = await trx
    .selectFrom('monitoring_unmapped')
    .selectAll()
    .orderBy('last_seen_at', 'desc')
    .orderBy('series')
    .limit(q.limit)
    .offset(q.offset)
    .execute();
  const total = await trx
    .selectFrom('monitoring_unmapped')
    .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.sum<string>('samples').as('samples')])
    .executeTakeFirstOrThrow();
  const over = await trx
    .selectFrom('monitoring_unmapped_overflow')
    .select((eb) => [
      eb.fn.sum<string>('series').as('series'),
      eb.fn.sum<string>('samples').as('samples'),
      eb.fn.min('first_seen_at').as('first'),
      eb.fn.max('last_seen_at').as('last'),
    ])
    .executeTakeFirstOrThrow();
  const quarantined = await trx
    .selectFrom('monitoring_staged_quarantine')
    .select((eb) => [
      eb.fn.countAll<string>().as('n'),
      eb.fn.sum<string>('samples').as('samples'),
      eb.fn.max('quarantined_at').as('last'),
    ])
    .executeTakeFirstOrThrow();
  const latest = await trx
    .selectFrom('monitoring_staged_quarantine')
    .select(['error'])
    .orderBy('quarantined_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const iso = (d: unknown) => (d ? new Date(d as Date).toISOString() : null);
  const notListed = { series: Number(over.series ?? 0), samples: Number(over.samples ?? 0) };
  return {
    items: rows.map((r) => ({
      series: r.series,
      reason: r.reason,
      samples: Number(r.samples),
      firstSeenAt: r.first_seen_at.toISOString(),
      lastSeenAt: r.last_seen_at.toISOString(),
    })),
    /** series listed */
    total: Number(total.n),
    /** samples of every unmapped series, listed or not */
    samples: Number(total.samples ?? 0) + notListed.samples,
    notListed: { ...notListed, firstSeenAt: iso(over.first), lastSeenAt: iso(over.last) },
    quarantined: {
      batches: Number(quarantined.n),
      samples: Number(quarantined.samples ?? 0),
      lastAt: iso(quarantined.last),
      lastError: latest?.error ?? null,
    },
  };
}

// ------------------------------------------------------------------------------------------ settings

export interface SettingView {
  jurisdictionId: string;
  mappingLabel: string;
  retentionDays: number;
  outOfOrderMinutes: number;
  rectificationWorkingDays: number;
  pullUrl: string | null;
  pullPulledUntil: string | null;
  thresholdOverrides: Record<string, number>;
  thresholds: Thresholds;
  thresholdSources: Record<string, string>;
}

export async function settingView(trx: Trx, jurisdictionId: string): Promise<SettingView> {
  const s = await readSetting(trx, jurisdictionId);
  // the policy's period (pack or local policy override), shown here; set through the policy, not these settings
  const rectificationDays = await rectificationWorkingDays(trx, jurisdictionId);
  const t = await thresholdsOf(trx, jurisdictionId);
  return {
    jurisdictionId,
    mappingLabel: s.mappingLabel,
    retentionDays: s.retentionDays,
    outOfOrderMinutes: s.outOfOrderMinutes,
    rectificationWorkingDays: rectificationDays,
    pullUrl: s.pullUrl,
    pullPulledUntil: s.pullPulledUntil?.toISOString() ?? null,
    thresholdOverrides: s.thresholds,
    thresholds: t.values,
    thresholdSources: t.sources,
  };
}

/**
 * The pull URL is typed in by ops (monitoring:manage) but must pass the jurisdiction's egress policy, which only
 * the system administrator (webhook:manage) sets: checked here when it is saved, and again at every pull.
 */
async function checkPullTarget(trx: Trx, jurisdictionId: string, pullUrl: string): Promise<void> {
  try {
    await checkTarget(pullUrl, await egressPolicyOf(trx, jurisdictionId));
  } catch (error) {
    if (!(error instanceof EgressRefused)) throw error;
    const message =
      `${error.message}; the system administrator may allow it in the egress policy ` +
      '(PUT /api/v1/webhooks/egress-policy) / 该地址不在本辖区出站策略允许范围内，请系统管理员放行';
    throw new AppError('pull_target_refused', `body.pullUrl: ${message}`, [{ field: 'body.pullUrl', message }]);
  }
}

export async function updateSetting(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  input: Partial<Omit<Setting, 'jurisdictionId' | 'pullPulledUntil' | 'thresholds'>> & {
    thresholds?: Record<string, number>;
  },
  now: Date,
): Promise<SettingView> {
  const jurisdictionId = auth.jurisdictionId;
  for (const [k, v] of Object.entries(input.thresholds ?? {})) {
    if (!(k in DEFAULT_THRESHOLDS)) {
      throw invalid(
        `body.thresholds.${k}`,
        `unknown threshold; thresholds: ${Object.keys(DEFAULT_THRESHOLDS).join(', ')}`,
      );
    }
    if (!Number.isFinite(v) || v < 0) throw invalid(`body.thresholds.${k}`, 'must be a number >= 0');
  }
  if (input.pullUrl) {
    let url: URL;
    try {
      url = new URL(input.pullUrl);
    } catch {
      throw invalid('body.pullUrl', 'not a URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('body.pullUrl', 'must be http(s)');
    await checkPullTarget(trx, jurisdictionId, input.pullUrl);
  }
  const before = await readSetting(trx, jurisdictionId);
  const after = {
    mapping_label: input.mappingLabel ?? before.mappingLabel,
    thresholds: JSON.stringify(input.thresholds ?? before.thresholds),
    retention_days: input.retentionDays ?? before.retentionDays,
    out_of_order_minutes: input.outOfOrderMinutes ?? before.outOfOrderMinutes,
    pull_url: input.pullUrl === undefined ? before.pullUrl : input.pullUrl,
    updated_at: now,
  };
  await trx
    .insertInto('monitoring_setting')
    .values({ jurisdiction_id: jurisdictionId, ...after })
    .onConflict((oc) => oc.column('jurisdiction_id').doUpdateSet(after))
    .execute();
  await writeAudit(trx, actor, {
    action: 'monitoring.settings_changed',
    objectType: 'jurisdiction',
    objectId: jurisdictionId,
    detail: { before: { ...before, pullPulledUntil: undefined }, changes: input },
  });
  return settingView(trx, jurisdictionId);
}

// ------------------------------------------------------------------------------------------ reports

export interface UtilisationRow {
  organisationId: string | null;
  organisationName: string;
  resources: number;
  reporting: number;
  cpuAvg: number | null;
  cpuP95: number | null;
  cpuMax: number | null;
  memoryAvg: number | null;
  networkInAvg: number | null;
  networkOutAvg: number | null;
  diskIoAvg: number | null;
  findings: number;
}

export interface UtilisationReport {
  period: 'week' | 'month';
  from: string;
  to: string;
  units: UtilisationRow[];
  city: UtilisationRow;
}

/** The [from, to) of a week (Monday start) or a calendar month, Asia/Shanghai days. */
export function periodOf(period: 'week' | 'month', start: string): { from: string; to: string } {
  if (!isCalendarDay(start)) throw invalid('query.start', 'must be a day YYYY-MM-DD');
  if (period === 'week') return { from: start, to: addDays(start, 7) };
  const [y, m] = start.split('-').map(Number) as [number, number];
  const from = `${y}-${String(m).padStart(2, '0')}-01`;
  const to = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  return { from, to };
}

const num = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 100) / 100);

/** Weekly or monthly utilisation per unit and city-wide (TZ 12(1)), over the resources the caller sees. */
export async function utilisationReport(trx: Trx, period: 'week' | 'month', start: string): Promise<UtilisationReport> {
  const { from, to } = periodOf(period, start);
  const f = startOfShanghaiDay(from);
  const t = startOfShanghaiDay(to);
  const { rows } = await sql<Record<string, unknown>>`
    with per_resource as (
      select resource_id, organisation_id,
        sum(sum) filter (where metric = 'cpu') / nullif(sum(count) filter (where metric = 'cpu'), 0) as cpu_avg,
        max(max) filter (where metric = 'cpu') as cpu_max,
        sum(sum) filter (where metric = 'memory') / nullif(sum(count) filter (where metric = 'memory'), 0) as mem_avg,
        sum(sum) filter (where metric = 'network_in') / nullif(sum(count) filter (where metric = 'network_in'), 0) as in_avg,
        sum(sum) filter (where metric = 'network_out') / nullif(sum(count) filter (where metric = 'network_out'), 0) as out_avg,
        sum(sum) filter (where metric = 'disk_io') / nullif(sum(count) filter (where metric = 'disk_io'), 0) as io_avg
      from monitoring_rollup where hour >= ${f} and hour < ${t} group by resource_id, organisation_id),
    units as (
      select r.organisation_id, count(*)::int as resources, count(p.resource_id)::int as reporting,
        avg(p.cpu_avg) as cpu_avg, max(p.cpu_max) as cpu_max, avg(p.mem_avg) as mem_avg, avg(p.in_avg) as in_avg,
        avg(p.out_avg) as out_avg, avg(p.io_avg) as io_avg
      from resource r left join per_resource p on p.resource_id = r.id
      where r.state in ('active', 'suspended', 'reclaiming') or p.resource_id is not null
      group by grouping sets ((r.organisation_id), ())),
    p95 as (
      select organisation_id, percentile_cont(0.95) within group (order by sum / count) as cpu_p95
      from monitoring_rollup where metric = 'cpu' and hour >= ${f} and hour < ${t}
      group by grouping sets ((organisation_id), ())),
    open_findings as (
      select organisation_id, count(*)::int as n from monitoring_finding
      where status in ('open', 'in_rectification', 'escalated') group by grouping sets ((organisation_id), ()))
    select u.*, o.name as organisation_name, p95.cpu_p95, coalesce(f.n, 0) as findings
    from units u left join organisation o on o.id = u.organisation_id
      left join p95 on p95.organisation_id is not distinct from u.organisation_id
      left join open_findings f on f.organisation_id is not distinct from u.organisation_id
    order by u.organisation_id is null, o.name`.execute(trx);
  const toRow = (r: Record<string, unknown>): UtilisationRow => ({
    organisationId: (r.organisation_id as string | null) ?? null,
    organisationName: (r.organisation_name as string | null) ?? '全市合计 / City total',
    resources: Number(r.resources),
    reporting: Number(r.reporting),
    cpuAvg: num(r.cpu_avg),
    cpuP95: num(r.cpu_p95),
    cpuMax: num(r.cpu_max),
    memoryAvg: num(r.mem_avg),
    networkInAvg: num(r.in_avg),
    networkOutAvg: num(r.out_avg),
    diskIoAvg: num(r.io_avg),
    findings: Number(r.findings),
  });
  const all = rows.map(toRow);
  const city = all.find((r) => r.organisationId === null) ?? {
    ...toRow({ resources: 0, reporting: 0, findings: 0 }),
  };
  return { period, from, to, units: all.filter((r) => r.organisationId !== null), city };
}

const REPORT_COLUMNS: [keyof UtilisationRow, string][] = [
  ['organisationName', '单位 Unit'],
  ['resources', '资源数 Resources'],
  ['reporting', '有监测数据 Reporting'],
  ['cpuAvg', 'CPU平均% CPU avg %'],
  ['cpuP95', 'CPU P95%'],
  ['cpuMax', 'CPU峰值% CPU max %'],
  ['memoryAvg', '内存平均% Memory avg %'],
  ['networkInAvg', '入流量 B/s Network in'],
  ['networkOutAvg', '出流量 B/s Network out'],
  ['diskIoAvg', '磁盘IO B/s Disk I/O'],
  ['findings', '未关闭发现 Open findings'],
];

/** The report as .xlsx: every text cell neutralised against formulas; the export is audited. */
export async function utilisationWorkbook(trx: Trx, actor: Actor, report: UtilisationReport): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet(report.period === 'week' ? '周报 Weekly' : '月报 Monthly');
  sheet.addRow([
    neutralise(`资源使用率${report.period === 'week' ? '周' : '月'}报 ${report.from} ~ ${report.to}（不含）`),
  ]);
  sheet.addRow(REPORT_COLUMNS.map(([, h]) => h));
  for (const row of [...report.units, report.city]) {
    sheet.addRow(REPORT_COLUMNS.map(([k]) => (typeof row[k] === 'string' ? neutralise(row[k] as string) : row[k])));
  }
  sheet.getRow(2).font = { bold: true };
  sheet.views = [{ state: 'frozen', ySplit: 2 }];
  await writeAudit(trx, actor, {
    action: 'monitoring.report_exported',
    objectType: 'utilisation_report',
    objectId: `${report.period}:${report.from}`,
    detail: { period: report.period, from: report.from, to: report.to, units: report.units.length },
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Units x days, the average CPU of each (for the ECharts heat map). */
export async function heatmap(trx: Trx, q: { from: string; days: number }) {
  if (!isCalendarDay(q.from)) throw invalid('query.from', 'must be a day YYYY-MM-DD');
  const f = startOfShanghaiDay(q.from);
  const t = startOfShanghaiDay(addDays(q.from, q.days));
  const { rows } = await sql<{ organisation_id: string; name: string; day: string; avg: number }>`
    select m.organisation_id, o.name, to_char((m.hour at time zone 'Asia/Shanghai')::date, 'YYYY-MM-DD') as day,
      sum(m.sum) / sum(m.count) as avg
    from monitoring_rollup m join organisation o on o.id = m.organisation_id
    where m.metric = 'cpu' and m.hour >= ${f} and m.hour < ${t}
    group by 1, 2, 3 order by 2, 3`.execute(trx);
  const days = Array.from({ length: q.days }, (_, i) => addDays(q.from, i));
  const units = [...new Map(rows.map((r) => [r.organisation_id, r.name])).entries()].map(([id, name]) => ({
    id,
    name,
  }));
  const index = new Map(units.map((u, i) => [u.id, i]));
  const dayIndex = new Map(days.map((d, i) => [d, i]));
  return {
    days,
    units,
    // [dayIndex, unitIndex, avg CPU %] as ECharts' heatmap series takes them
    cells: rows.map((r) => [
      dayIndex.get(r.day) ?? 0,
      index.get(r.organisation_id) ?? 0,
      Math.round(Number(r.avg) * 100) / 100,
    ]),
  };
}

export interface Suggestion {
  resourceId: string;
  resourceName: string;
  organisationId: string;
  organisationName: string | null;
  vcpu: number | null;
  cpuAvg: number;
  cpuP95: number;
  memoryP95: number | null;
  advice: 'downsize' | 'expand' | 'keep';
  suggestedVcpu: number | null;
  reason: string;
}

/**
 * The monthly analysis (TZ 12(5)): right-sizing per resource from the month's hourly CPU: p95 below 30%
 * -> downsize so the p95 would sit near 60% (at least 1 vCPU); p95 above 85% -> expand to bring it near 60%.
 */
export async function monthlyAnalysis(trx: Trx, month: string) {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw invalid('query.month', 'must be YYYY-MM');
  // A month whose end falls past year 9999 has no date to end at: 400, not a 500 from an invalid Date.
  if (Number(month.slice(0, 4)) < 1970 || month >= '9999-12')
    throw invalid('query.month', 'must be 1970-01 to 9999-11');
  const { from, to } = periodOf('month', `${month}-01`);
  const { rows } = await sql<Record<string, unknown>>`
    select r.id, r.name, r.organisation_id, o.name as organisation_name, r.quantities->>'vcpu' as vcpu,
      sum(m.sum) filter (where m.metric = 'cpu') / nullif(sum(m.count) filter (where m.metric = 'cpu'), 0) as cpu_avg,
      percentile_cont(0.95) within group (order by m.sum / m.count) filter (where m.metric = 'cpu') as cpu_p95,
      percentile_cont(0.95) within group (order by m.sum / m.count) filter (where m.metric = 'memory') as mem_p95
    from monitoring_rollup m join resource r on r.id = m.resource_id left join organisation o on o.id = r.organisation_id
    where m.hour >= ${startOfShanghaiDay(from)} and m.hour < ${startOfShanghaiDay(to)} and m.metric in ('cpu', 'memory')
    group by r.id, r.name, r.organisation_id, o.name, r.quantities
    having count(*) filter (where m.metric = 'cpu') > 0
    order by o.name, r.name`.execute(trx);
  const suggestions: Suggestion[] = rows.map((r) => {
    const vcpu = r.vcpu === null || r.vcpu === undefined ? null : Number(r.vcpu);
    const p95 = Number(r.cpu_p95);
    let advice: Suggestion['advice'] = 'keep';
    let suggested: number | null = vcpu;
    let reason = 'CPU p95 between 30% and 85%';
    if (p95 < 30) {
      advice = 'downsize';
      suggested = vcpu === null ? null : Math.max(1, Math.ceil((vcpu * p95) / 60));
      reason = `CPU p95 ${p95.toFixed(1)}% < 30%`;
      if (suggested !== null && vcpu !== null && suggested >= vcpu) advice = 'keep';
    } else if (p95 > 85) {
      advice = 'expand';
      suggested = vcpu === null ? null : Math.ceil((vcpu * p95) / 60);
      reason = `CPU p95 ${p95.toFixed(1)}% > 85%`;
    }
    return {
      resourceId: r.id as string,
      resourceName: r.name as string,
      organisationId: r.organisation_id as string,
      organisationName: (r.organisation_name as string | null) ?? null,
      vcpu,
      cpuAvg: num(r.cpu_avg) ?? 0,
      cpuP95: num(p95) ?? 0,
      memoryP95: num(r.mem_p95),
      advice,
      suggestedVcpu: suggested,
      reason,
    };
  });
  const count = (a: Suggestion['advice']) => suggestions.filter((s) => s.advice === a).length;
  return {
    month,
    from,
    to,
    summary: {
      resources: suggestions.length,
      downsize: count('downsize'),
      expand: count('expand'),
      keep: count('keep'),
    },
    suggestions,
  };
}

export function assertJurisdictionScope(auth: AuthContext): void {
  if (auth.visibility.kind !== 'jurisdiction') throw new AppError('forbidden', 'needs a jurisdiction-wide role');
}
