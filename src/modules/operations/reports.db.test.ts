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
  await changeOrders();
  reviewer = await login(t.app, 'reviewer');
  provider = await login(t.app, 'provider');
  unit = await login(t.app, 'unitadmin');
}, 300_000);
afterAll(() => t?.close());

/**
 * The demo has no change orders: two completed in October (one on its last minute), one completed on the first
 * moment of November and one still in progress, the last two outside the month's changes delivered.
 */
async function changeOrders(): Promise<void> {
  const db = t.database.db;
  const unit = await db
    .selectFrom('organisation')
    .select(['id', 'jurisdiction_id'])
    .where('code', '=', 'demo-health')
    .executeTakeFirstOrThrow();
  const orders: [string, 'change' | 'scale_up', 'completed' | 'in_progress', string | null][] = [
    ['BG-TEST-1', 'change', 'completed', '2026-10-10T15:00:00+08:00'],
    ['BG-TEST-2', 'scale_up', 'completed', '2026-10-31T23:59:59+08:00'],
    ['BG-TEST-3', 'change', 'completed', '2026-11-01T00:00:00+08:00'],
    ['BG-TEST-4', 'change', 'in_progress', null],
  ];
  await db
    .insertInto('resource_order')
    .values(
      orders.map(([number, type, status, closed]) => ({
        organisation_id: unit.id,
        jurisdiction_id: unit.jurisdiction_id,
        number,
        type,
        status,
        title: `门户服务器变更 ${number}`,
        source: 'unit' as const,
        workflow: '[]',
        target_resource_ids: '[]',
        green_channel: false,
        quota_overrun: false,
        closed_at: closed === null ? null : new Date(closed),
        submitted_at: new Date('2026-10-09T02:00:00Z'),
        created_at: new Date('2026-10-09T02:00:00Z'),
        updated_at: new Date('2026-10-09T02:00:00Z'),
      })),
    )
    .execute();
}

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

  it('its changes delivered, idle resources and right-sizing equal the orders and monitoring figures', async () => {
    const f = report.figures;
    // changes: the change and scale-up orders completed in October (Shanghai time), as the orders API lists them
    const from = new Date('2026-10-01T00:00:00+08:00').getTime();
    const end = new Date('2026-11-01T00:00:00+08:00').getTime();
    const completed: { number: string; type: string }[] = [];
    for (const type of ['change', 'scale_up']) {
      const list = await ok(as(t.app, reviewer, { url: `/api/v1/orders?status=completed&type=${type}&limit=500` }));
      for (const o of list.items as { number: string; type: string; closedAt: string | null }[]) {
        const at = o.closedAt === null ? Number.NaN : new Date(o.closedAt).getTime();
        if (at >= from && at < end) completed.push(o);
      }
    }
    expect(f.changes.total).toBe(completed.length);
    expect(f.changes.byType).toEqual({ change: 1, scale_up: 1 });
    expect(f.changes.byType.change + f.changes.byType.scale_up).toBe(f.changes.total);
    expect(f.changes.orders.map((o: { number: string }) => o.number).sort()).toEqual(
      completed.map((o) => o.number).sort(),
    );

    // right-sizing: monitoring's analysis of the month, the same resources and counts; idle: those resources,
    // least average CPU first, with the analysis's own averages
    const analysis = await ok(as(t.app, reviewer, { url: '/api/v1/monitoring/reports/analysis?month=2026-10' }));
    expect(analysis.summary.resources).toBeGreaterThan(0);
    expect(f.rightSizing.summary).toEqual(analysis.summary);
    expect(f.rightSizing.summary.downsize + f.rightSizing.summary.expand + f.rightSizing.summary.keep).toBe(
      f.rightSizing.summary.resources,
    );
    expect(f.rightSizing.suggestions).toEqual(
      analysis.suggestions.filter((x: { advice: string }) => x.advice !== 'keep'),
    );
    expect(f.idle.resources).toBe(analysis.summary.resources);
    expect(f.idle.top.length).toBe(Math.min(20, f.idle.resources));
    const averages = f.idle.top.map((r: { cpuAvg: number }) => r.cpuAvg);
    expect(averages).toEqual([...averages].sort((a, b) => a - b));
    const byId = new Map(analysis.suggestions.map((x: { resourceId: string; cpuAvg: number }) => [x.resourceId, x]));
    for (const r of f.idle.top) expect(byId.get(r.resourceId)).toMatchObject({ cpuAvg: r.cpuAvg });
    const least = Math.min(...analysis.suggestions.map((x: { cpuAvg: number }) => x.cpuAvg));
    expect(f.idle.top[0].cpuAvg).toBe(least);
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
    expect(values.get('交付变更（变更、扩容订单）')).toBe(report.figures.changes.total);
    expect(values.get('建议降配资源数')).toBe(report.figures.rightSizing.summary.downsize);
    expect(wb.getWorksheet('闲置资源')?.rowCount).toBe(1 + report.figures.idle.top.length);
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
    // a provider sees no unit's orders: no changes section; idle resources are its own
    expect(own.figures.changes).toBeNull();
    expect(own.figures.rightSizing).toBeNull();
    expect(
      own.figures.idle.top.every((r: { providerId: string }) => r.providerId === provider.me.organisation.id),
    ).toBe(true);
    const list = await ok(as(t.app, provider, { url: '/api/v1/operations/reports' }));
    expect(list.items.map((r: { id: string }) => r.id)).toEqual([own.id]);
    expect((await as(t.app, provider, { url: `/api/v1/operations/reports/${report.id}` })).statusCode).toBe(404);
    const all = await ok(as(t.app, reviewer, { url: '/api/v1/operations/reports' }));
    expect(all.items.length).toBe(2);
    expect((await as(t.app, unit, { url: '/api/v1/operations/reports' })).statusCode).toBe(403);
  });
});
