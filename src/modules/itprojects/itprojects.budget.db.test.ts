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
