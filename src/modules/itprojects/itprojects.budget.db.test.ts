import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { as, login, type Session } from '../../../test/sessions.ts';
import { XLSX_MEDIA_TYPE } from '../../platform/spreadsheet.ts';
import { ManualClock } from '../../platform/time/clock.ts';
import { seedDemo } from '../../seed.ts';

// Cloud spending in the annual budget (JQ 30-31, SH 27, TZ 19), through the HTTP API: the demo's activity
// (October 2026 rated), October and November settled (reviewed by the ops unit, confirmed by the economy & IT
// authority), then finance's view per unit and year equals the sum of each unit's settled statements to the
// fen, month by month, with the forecast from the run rate, the budget finance set and the xlsx export.

// After the real moment the demo's events are recorded at (the engine rates events recorded by its as-of).
const clock = new ManualClock('2027-01-05T02:00:00Z');
let t: TestApp;
let finance: Session;
let reviewer: Session;
let econ: Session;
let unit: Session;

type Answer = any;
async function ok(res: Promise<{ statusCode: number; body: string; json(): unknown }>, status = 200): Promise<Answer> {
  const r = await res;
  expect(r.statusCode, r.body).toBe(status);
  return r.json();
}

async function settleMonth(month: string) {
  const run = await ok(as(t.app, reviewer, { method: 'POST', url: '/api/v1/settlement/runs', payload: { month } }));
  const id = run.run?.id ?? run.id;
  await ok(as(t.app, reviewer, { method: 'POST', url: `/api/v1/settlement/runs/${id}/review` }));
  await ok(as(t.app, econ, { method: 'POST', url: `/api/v1/settlement/runs/${id}/confirm` }));
}

beforeAll(async () => {
  t = await testApp({ clock });
  await seedDemo(t.database.db, undefined, { activity: true });
  [finance, reviewer, econ, unit] = (await Promise.all(
    ['finance', 'reviewer', 'econ', 'applicant'].map((u) => login(t.app, u)),
  )) as [Session, Session, Session, Session];
  await settleMonth('2026-10');
  await settleMonth('2026-11');
}, 300_000);
afterAll(() => t?.close());

describe('budget against actual, per unit and year', () => {
  it('equals the sum of each unit’s settled statements, to the fen, month by month', async () => {
    const statements = (await ok(as(t.app, finance, { url: '/api/v1/settlement/statements?year=2026' }))).items as {
      organisationId: string;
      month: string;
      status: string;
      totalFen: string;
      outsideCityBudget: boolean;
    }[];
    const settled = statements.filter((s) => s.status === 'closed');
    expect(settled.length).toBeGreaterThan(0);
    const view = await ok(as(t.app, finance, { url: '/api/v1/it-projects/budget?year=2026' }));
    const units = new Set(settled.map((s) => s.organisationId));
    for (const id of units) {
      const line = view.units.find((u: { organisationId: string }) => u.organisationId === id);
      const mine = settled.filter((s) => s.organisationId === id);
      const sum = mine.reduce((a, s) => a + BigInt(s.totalFen), 0n);
      expect(line.actualFen).toBe(sum.toString());
      expect(line.outsideCityBudget).toBe(mine[0]?.outsideCityBudget);
      for (const m of ['2026-10', '2026-11']) {
        const fen = mine.filter((s) => s.month === m).reduce((a, s) => a + BigInt(s.totalFen), 0n);
        const shown = line.months.find((x: { month: string }) => x.month === m).settled;
        expect(shown === null ? 0n : BigInt(shown.replace('.', ''))).toBe(fen);
      }
      // forecast from the run rate: the settled months' total plus their average for each month left
      const n = BigInt(line.settledMonths);
      const forecast = sum + (sum * (12n - n) * 2n + n) / (2n * n);
      expect(BigInt(line.forecast.replace('.', ''))).toBe(forecast);
    }
  });

  it('finance sets a unit’s budget; a unit sees only its own line and cannot set one', async () => {
    const me = (await ok(as(t.app, unit, { url: '/api/v1/it-projects/budget?year=2026' }))).units;
    expect(me).toHaveLength(1);
    const orgId = me[0].organisationId;
    expect(
      (
        await as(t.app, unit, {
          method: 'PUT',
          url: `/api/v1/it-projects/budget/${orgId}`,
          payload: { year: 2026, budget: '1' },
        })
      ).statusCode,
    ).toBe(403);
    const bad = await as(t.app, finance, {
      method: 'PUT',
      url: `/api/v1/it-projects/budget/${orgId}`,
      payload: { year: 2026, budget: '1.234' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('body.budget');
    await ok(
      as(t.app, finance, {
        method: 'PUT',
        url: `/api/v1/it-projects/budget/${orgId}`,
        payload: { year: 2026, budget: '50000.5' },
      }),
    );
    const line = (await ok(as(t.app, finance, { url: '/api/v1/it-projects/budget?year=2026' }))).units.find(
      (u: { organisationId: string }) => u.organisationId === orgId,
    );
    expect(line.budget).toBe('50000.50');
    expect(line.actual).toBe(me[0].actual);
  });

  it('exports as xlsx with Chinese headers', async () => {
    const res = await as(t.app, finance, { url: '/api/v1/it-projects/budget/export?year=2026' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain(XLSX_MEDIA_TYPE);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0] as ExcelJS.Worksheet;
    expect(sheet.getRow(1).getCell(1).value).toBe('单位');
    expect(sheet.getRow(1).getCell(17).value).toBe('已结算合计（元）');
    const view = await ok(as(t.app, finance, { url: '/api/v1/it-projects/budget?year=2026' }));
    expect(sheet.rowCount).toBe(view.units.length + 1);
    expect(sheet.getRow(2).getCell(17).value).toBe(view.units[0].actual);
  });
});

describe('the same per project, for the economy & IT authority setting quotas (SH 18)', () => {
  it('each project’s settled fees equal its subtotals in the closed statements, to the fen, month by month', async () => {
    const statements = (await ok(as(t.app, econ, { url: '/api/v1/settlement/statements?year=2026' }))).items as {
      id: string;
      month: string;
      status: string;
    }[];
    const expected = new Map<string, Map<string, bigint>>();
    for (const s of statements.filter((x) => x.status === 'closed')) {
      const full = await ok(as(t.app, econ, { url: `/api/v1/settlement/statements/${s.id}` }));
      for (const g of full.byProject as { projectId: string | null; totalFen: string }[]) {
        if (!g.projectId) continue;
        const months = expected.get(g.projectId) ?? new Map<string, bigint>();
        months.set(s.month, (months.get(s.month) ?? 0n) + BigInt(g.totalFen));
        expected.set(g.projectId, months);
      }
    }
    expect(expected.size).toBeGreaterThan(0);
    const view = await ok(as(t.app, econ, { url: '/api/v1/it-projects/budget/projects?year=2026' }));
    for (const [projectId, months] of expected) {
      const line = view.projects.find((p: { projectId: string }) => p.projectId === projectId);
      const total = [...months.values()].reduce((a, b) => a + b, 0n);
      expect(line.actualFen).toBe(total.toString());
      for (const [month, fen] of months) {
        const shown = line.months.find((m: { month: string }) => m.month === month).settled;
        expect(BigInt(shown.replace('.', ''))).toBe(fen);
      }
      // settled without a declaration (approved before the lifecycle): no planned cost
      expect(line.planned).toBeNull();
    }
  });

  it('an approved declared project shows its planned annual cloud cost; a unit sees only its own projects', async () => {
    const view = await ok(as(t.app, econ, { url: '/api/v1/it-projects/budget/projects?year=2026' }));
    const urgent = view.projects.find((p: { projectName: string }) => p.projectName === '突发公共卫生事件应急指挥系统');
    const declarations = (await ok(as(t.app, econ, { url: '/api/v1/it-projects/declarations?year=2026' }))).items;
    const declared = declarations.find((d: { projectId: string }) => d.projectId === urgent.projectId);
    // 2 x (8 x 60 + 16 x 20 + 240 x 0.5) + 1 x (4 x 60 + 8 x 20 + 240 x 0.5) = 1840 + 520 = 2360 a month
    expect(declared.annualCloudCost).toBe('28320.00');
    expect(urgent.planned).toBe('28320.00');
    expect(urgent.actual).toBe('0.00');
    const mine = await ok(as(t.app, unit, { url: '/api/v1/it-projects/budget/projects?year=2026' }));
    const names = new Set(mine.projects.map((p: { organisationName: string }) => p.organisationName));
    expect([...names]).toEqual(['示范市卫生健康委员会']);
    expect(mine.projects.length).toBeLessThan(view.projects.length);
  });
});
