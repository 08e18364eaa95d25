import { existsSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { as, login, type Session } from '../../../test/sessions.ts';
import { sm3 } from '../../platform/crypto.ts';
import { ManualClock } from '../../platform/time/clock.ts';
import { seedDemo } from '../../seed.ts';

// The monthly operations report (TZ 12) over the demo's activity (deliveries from September, October 2026
// settled, monitoring rollups): its totals equal what the inventory, monitoring and settlement APIs say for the
// same month; the archived workbook's SM3 is its content hash; a provider sees only its own reports.

const clock = new ManualClock('2026-11-22T02:00:00Z');
let t: TestApp;
let reviewer: Session;
let provider: Session;
let unit: Session;

type Answer = any;
async function ok(r: Promise<{ statusCode: number; body: string; json(): unknown }>, status = 200): Promise<Answer> {
  const x = await r;
  expect(x.statusCode, x.body).toBe(status);
  return x.json();
}

beforeAll(async () => {
  t = await testApp({ clock });
  await seedDemo(t.database.db, () => {}, { activity: true });
  reviewer = await login(t.app, 'reviewer');
  provider = await login(t.app, 'provider');
  unit = await login(t.app, 'unitadmin');
}, 300_000);
afterAll(() => t?.close());

describe('the monthly operations report', () => {
  let report: Answer;

  it('reconciles with the inventory, monitoring and settlement for October 2026', async () => {
    report = await ok(
      as(t.app, reviewer, {
        method: 'POST',
        url: '/api/v1/operations/reports',
        payload: { period: 'month', start: '2026-10-01' },
      }),
      201,
    );
    const f = report.figures;
    expect(f).toMatchObject({ period: 'month', from: '2026-10-01', to: '2026-11-01', scope: 'city' });

    // inventory: resources delivered before 1 November 00:00 (Shanghai) and not reclaimed by then
    const end = new Date('2026-11-01T00:00:00+08:00').getTime();
    const inv = await ok(as(t.app, reviewer, { url: '/api/v1/inventory/resources?limit=500' }));
    const live = inv.items.filter(
      (r: { deliveredAt: string | null; reclaimedAt: string | null }) =>
        r.deliveredAt !== null &&
        new Date(r.deliveredAt).getTime() < end &&
        (r.reclaimedAt === null || new Date(r.reclaimedAt).getTime() >= end),
    );
    expect(live.length).toBeGreaterThan(0);
    expect(f.inventory.total).toBe(live.length);

    // monitoring: the same month's utilisation report
    const use = await ok(
      as(t.app, reviewer, { url: '/api/v1/monitoring/reports/utilisation?period=month&start=2026-10-01' }),
    );
    expect(f.utilisation.city).toEqual(use.city);
    expect(f.utilisation.units).toEqual(use.units);

    // settlement: the month's statements
    const st = await ok(as(t.app, reviewer, { url: '/api/v1/settlement/statements?month=2026-10' }));
    expect(st.items.length).toBeGreaterThan(0);
    const total = st.items.reduce((s: bigint, x: { totalFen: string }) => s + BigInt(x.totalFen), 0n);
    expect(total).toBeGreaterThan(0n);
    expect(f.settlement).toMatchObject({ month: '2026-10', statements: st.items.length, totalFen: String(total) });
  });

  it('archives the workbook: its SM3 is the content hash, and its summary carries the same totals', async () => {
    const res = await as(t.app, reviewer, { url: `/api/v1/operations/reports/${report.id}/workbook` });
    expect(res.statusCode).toBe(200);
    const bytes = res.rawPayload;
    expect(sm3(bytes)).toBe(report.contentHash);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
    const summary = wb.getWorksheet('概览');
    const values = new Map<string, unknown>();
    summary?.eachRow((row) => values.set(String(row.getCell(1).value), row.getCell(2).value));
    expect(values.get('期末在用资源数')).toBe(report.figures.inventory.total);
    expect(values.get('2026-10 结算金额（元）')).toBe(report.figures.settlement.total);
    const again = await ok(as(t.app, reviewer, { url: `/api/v1/operations/reports/${report.id}` }));
    expect(again.figures).toEqual(report.figures);
  });

  it('prints the archived report as a PDF with the Chinese font embedded (or says the font is missing)', async () => {
    const res = await as(t.app, reviewer, { url: `/api/v1/operations/reports/${report.id}/pdf` });
    if (!existsSync('/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc')) {
      // a server without fonts-noto-cjk refuses the PDF by name; the workbook stays
      expect(res.statusCode).toBe(503);
      expect(res.json().code).toBe('pdf_font_unavailable');
      return;
    }
    expect(res.statusCode, res.body.slice(0, 200)).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const pdf = res.rawPayload.toString('latin1');
    expect(pdf.startsWith('%PDF-')).toBe(true);
    expect(pdf).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansCJKsc-Regular/); // a subset of the font, embedded
    expect(pdf).toMatch(/\/FontFile[23]? /);
    // the provider cannot print the city's report
    expect((await as(t.app, provider, { url: `/api/v1/operations/reports/${report.id}/pdf` })).statusCode).toBe(404);
  });

  it('a provider generates its own report and sees only its own; a unit sees none', async () => {
    const own = await ok(
      as(t.app, provider, {
        method: 'POST',
        url: '/api/v1/operations/reports',
        payload: { period: 'week', start: '2026-11-16' },
      }),
      201,
    );
    expect(own.figures.scope).toBe('provider');
    expect(own.figures.settlement).toBeNull();
    const list = await ok(as(t.app, provider, { url: '/api/v1/operations/reports' }));
    expect(list.items.map((r: { id: string }) => r.id)).toEqual([own.id]);
    expect((await as(t.app, provider, { url: `/api/v1/operations/reports/${report.id}` })).statusCode).toBe(404);
    const all = await ok(as(t.app, reviewer, { url: '/api/v1/operations/reports' }));
    expect(all.items.length).toBe(2);
    expect((await as(t.app, unit, { url: '/api/v1/operations/reports' })).statusCode).toBe(403);
  });
});
