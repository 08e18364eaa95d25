import ExcelJS from 'exceljs';
import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { invalid, notFound } from '../../platform/errors.ts';
import { neutralise } from '../../platform/spreadsheet.ts';
import { shanghaiDay } from '../../platform/time/time.ts';
import type { Trx } from '../../schema.ts';
import { getStatement, listStatements, yuan } from '../metering/index.ts';
import * as repo from './itprojects.repository.ts';
import { fenOf, forecastFen } from './itprojects.rules.ts';

// Cloud spending in the annual budget (JQ 30-31, SH 27, TZ 19): per unit and year, the cloud cost planned in
// its approved projects, the budget finance set, the fees actually settled month by month (closed
// statements only, to the fen), and a forecast to year end from the run rate. Units outside the city budget
// pay their own fees (SH 27, JQ 31) and are marked.

const MONTHS = Array.from({ length: 12 }, (_, i) => String(i + 1).padStart(2, '0'));

interface UnitLine {
  organisationId: string;
  organisationName: string;
  outsideCityBudget: boolean;
  planned: bigint;
  budget: bigint | null;
  months: Map<string, bigint>;
  projects: { projectId: string; projectName: string; planned: bigint }[];
}

export async function budgetView(trx: Trx, year: number, now: Date) {
  const units = new Map<string, UnitLine>();
  const unit = (id: string, name = '', outside = false) => {
    let u = units.get(id);
    if (!u) {
      u = {
        organisationId: id,
        organisationName: name,
        outsideCityBudget: outside,
        planned: 0n,
        budget: null,
        months: new Map(),
        projects: [],
      };
      units.set(id, u);
    }
    return u;
  };
  for (const s of (await listStatements(trx, { year })).items) {
    if (s.status !== 'closed') continue;
    const u = unit(s.organisationId, s.organisationName, s.outsideCityBudget);
    const month = s.month.slice(5, 7);
    u.months.set(month, (u.months.get(month) ?? 0n) + BigInt(s.totalFen));
  }
  for (const p of await repo.plannedOfYear(trx, year)) {
    const u = unit(p.organisation_id);
    const fen = BigInt(p.annual_cloud_cost_fen);
    u.planned += fen;
    u.projects.push({ projectId: p.project_id, projectName: p.project_name, planned: fen });
  }
  for (const b of await repo.budgetsOf(trx, year)) unit(b.organisation_id).budget = BigInt(b.budget_fen);
  const names = await repo.organisationsNamed(trx, [...units.keys()]);
  for (const o of names) {
    const u = units.get(o.id) as UnitLine;
    u.organisationName = o.name;
    u.outsideCityBudget = o.outside_city_budget;
  }
  const today = shanghaiDay(now);
  const lines = [...units.values()]
    .filter((u) => names.some((n) => n.id === u.organisationId))
    .sort((a, b) => a.organisationName.localeCompare(b.organisationName, 'zh'))
    .map((u) => {
      const settled = MONTHS.filter((m) => u.months.has(m)).map((m) => u.months.get(m) as bigint);
      const actual = settled.reduce((s, v) => s + v, 0n);
      return {
        organisationId: u.organisationId,
        organisationName: u.organisationName,
        outsideCityBudget: u.outsideCityBudget,
        planned: yuan(u.planned),
        budget: u.budget === null ? null : yuan(u.budget),
        actual: yuan(actual),
        actualFen: actual.toString(),
        settledMonths: settled.length,
        forecast: yuan(forecastFen(settled)),
        months: MONTHS.map((m) => ({
          month: `${year}-${m}`,
          settled: u.months.has(m) ? yuan(u.months.get(m) as bigint) : null,
        })),
        projects: u.projects.map((p) => ({
          projectId: p.projectId,
          projectName: p.projectName,
          planned: yuan(p.planned),
        })),
      };
    });
  return { year, asOf: today, units: lines };
}

interface ProjectLine {
  projectId: string;
  projectName: string;
  organisationId: string;
  organisationName: string;
  planned: bigint | null;
  months: Map<string, bigint>;
}

/**
 * The same per project (the economy & IT authority setting quotas, SH 18): each project's planned annual cloud
 * cost (its approved declaration) against the fees settled for its resources month by month (the closed
 * statements' subtotals per project, exactly metering's), and the forecast to year end from the run rate.
 * Resources of no project are left out; a project settled without a declaration has no planned cost.
 */
export async function projectBudgetView(trx: Trx, year: number, now: Date) {
  const projects = new Map<string, ProjectLine>();
  const line = (projectId: string, projectName: string, organisationId: string, organisationName: string) => {
    let p = projects.get(projectId);
    if (!p) {
      p = { projectId, projectName, organisationId, organisationName, planned: null, months: new Map() };
      projects.set(projectId, p);
    }
    return p;
  };
  for (const s of (await listStatements(trx, { year })).items) {
    if (s.status !== 'closed') continue;
    const month = s.month.slice(5, 7);
    for (const g of (await getStatement(trx, s.id)).byProject) {
      if (!g.projectId) continue;
      const p = line(g.projectId, g.projectName ?? '', s.organisationId, s.organisationName);
      p.months.set(month, (p.months.get(month) ?? 0n) + BigInt(g.totalFen));
    }
  }
  for (const planned of await repo.plannedOfYear(trx, year)) {
    const p = line(planned.project_id, planned.project_name, planned.organisation_id, '');
    p.planned = (p.planned ?? 0n) + BigInt(planned.annual_cloud_cost_fen);
  }
  const names = await repo.organisationsNamed(trx, [...new Set([...projects.values()].map((p) => p.organisationId))]);
  const rows = [...projects.values()].flatMap((p) => {
    const org = names.find((n) => n.id === p.organisationId);
    if (!org) return [];
    const settled = MONTHS.filter((m) => p.months.has(m)).map((m) => p.months.get(m) as bigint);
    const actual = settled.reduce((sum, v) => sum + v, 0n);
    return [
      {
        projectId: p.projectId,
        projectName: p.projectName,
        organisationId: p.organisationId,
        organisationName: org.name,
        outsideCityBudget: org.outside_city_budget,
        planned: p.planned === null ? null : yuan(p.planned),
        actual: yuan(actual),
        actualFen: actual.toString(),
        settledMonths: settled.length,
        forecast: yuan(forecastFen(settled)),
        months: MONTHS.map((m) => ({
          month: `${year}-${m}`,
          settled: p.months.has(m) ? yuan(p.months.get(m) as bigint) : null,
        })),
      },
    ];
  });
  rows.sort(
    (a, b) =>
      a.organisationName.localeCompare(b.organisationName, 'zh') || a.projectName.localeCompare(b.projectName, 'zh'),
  );
  return { year, asOf: shanghaiDay(now), projects: rows };
}

/** Finance (or the authority) sets a unit's cloud budget for a year (`budget:set`), audited before/after. */
export async function setBudget(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  organisationId: string,
  input: { year: number; budget: string },
  now: Date,
) {
  const budget = fenOf(input.budget);
  if (budget === null) throw invalid('body.budget', 'an amount in yuan, at most 2 decimals / 金额格式不正确');
  const [org] = await repo.organisationsNamed(trx, [organisationId]);
  const v = auth.visibility;
  if (!org || v.kind !== 'jurisdiction' || !v.jurisdictions.includes(org.jurisdiction_id)) {
    throw notFound(`organisation ${organisationId}`);
  }
  const before = (await repo.budgetsOf(trx, input.year)).find((b) => b.organisation_id === organisationId);
  await repo.upsertBudget(trx, {
    organisation_id: organisationId,
    jurisdiction_id: org.jurisdiction_id,
    year: input.year,
    budget_fen: budget,
    set_by: auth.name,
    set_at: now,
  });
  await writeAudit(trx, actor, {
    action: 'unit_cloud_budget.set',
    objectType: 'organisation',
    objectId: organisationId,
    detail: { year: input.year, before: before ? yuan(before.budget_fen) : null, after: yuan(budget) },
  });
  return { organisationId, year: input.year, budget: yuan(budget) };
}

/** The budget view as .xlsx: one row per unit, the twelve months, Chinese headers, formula-safe text. */
export async function budgetWorkbook(view: Awaited<ReturnType<typeof budgetView>>): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Yunguan 云管';
  const sheet = workbook.addWorksheet(`${view.year}年度云资源预算执行`);
  const headers = [
    '单位',
    '非市财政预算单位',
    '立项计划云费用（元）',
    '预算（元）',
    ...(view.units[0]?.months.map((m) => `${Number(m.month.slice(5))}月结算（元）`) ??
      MONTHS.map((m) => `${Number(m)}月结算（元）`)),
    '已结算合计（元）',
    '全年预测（元）',
  ];
  sheet.addRow(headers).font = { bold: true };
  for (const u of view.units) {
    sheet.addRow([
      neutralise(u.organisationName),
      u.outsideCityBudget ? '是（费用自筹）' : '否',
      u.planned,
      u.budget ?? '',
      ...u.months.map((m) => m.settled ?? ''),
      u.actual,
      u.forecast,
    ]);
  }
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  sheet.columns.forEach((c, i) => {
    c.width = i === 0 ? 24 : 14;
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
