import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { as, login, type Session } from '../../../test/sessions.ts';
import { ManualClock } from '../../platform/time/clock.ts';
import { seedDemo } from '../../seed.ts';
import { addCatalogueVersion, addEvent, addResource, demoIds, type Ids } from './metering.fixtures.ts';

// Worked examples for October 2026 (31 days = 2,678,400 s) with the demo catalogue's cloud-vm prices
// (vcpu 60, memory_gb 20, storage_gb 0.5 元/月) and database-server (vcpu 90 -> 120 from 11 October, memory_gb
// 30, storage_gb 1). A month-price applies per second as price / seconds-in-the-month; every line is
// rounded half-up to the fen once. Expected amounts are computed by hand in the comments.

const clock = new ManualClock('2026-11-02T02:00:00Z');
let t: TestApp;
let ids: Ids;
let reviewer: Session;
let econ: Session;
let finance: Session;
let approver: Session;
let applicant: Session;
let edu: Session;
const r: Record<string, string> = {};

const CPU_MEM_DISK = (vcpu: number, memory: number, storage: number) => ({
  vcpu,
  memory_gb: memory,
  storage_gb: storage,
});

type Line = { resourceId: string; dimension: string; amountFen: string; kind: string; [k: string]: unknown };
type Statement = { id: string; organisationCode: string; totalFen: string; lines: Line[]; [k: string]: unknown };

async function statementOf(session: Session, month: string, code: string): Promise<Statement> {
  const list = await as(t.app, session, { method: 'GET', url: `/api/v1/settlement/statements?month=${month}` });
  expect(list.statusCode).toBe(200);
  const s = list.json().items.find((x: { organisationCode: string }) => x.organisationCode === code);
  expect(s, `statement of ${code} for ${month}`).toBeDefined();
  const detail = await as(t.app, session, { method: 'GET', url: `/api/v1/settlement/statements/${s.id}` });
  expect(detail.statusCode).toBe(200);
  return detail.json();
}

const fen = (s: Statement, resource: string, dimension: string, kind = 'usage') =>
  s.lines.find((l) => l.resourceId === r[resource] && l.dimension === dimension && l.kind === kind)?.amountFen;

async function settle(month: string) {
  return as(t.app, reviewer, { method: 'POST', url: '/api/v1/settlement/runs', payload: { month } });
}

beforeAll(async () => {
  t = await testApp({ clock });
  const db = t.database.db;
  await seedDemo(db);
  ids = await demoIds(db);
  await addCatalogueVersion(db, ids.city, '2026-10-11', [
    { item: 'cloud-vm', dimension: 'vcpu', unitPrice: '60' },
    { item: 'cloud-vm', dimension: 'memory_gb', unitPrice: '20' },
    { item: 'cloud-vm', dimension: 'storage_gb', unitPrice: '0.5' },
    { item: 'database-server', dimension: 'vcpu', unitPrice: '120' },
    { item: 'database-server', dimension: 'memory_gb', unitPrice: '30' },
    { item: 'database-server', dimension: 'storage_gb', unitPrice: '1' },
  ]);
  const vm = (organisationId: string, name: string, jurisdictionId = ids.city, item = 'cloud-vm') =>
    addResource(db, { organisationId, jurisdictionId, providerId: ids.providerA, item, name });

  // R1 (health) resize mid-month: 4 vCPU/8 GB until 16 Oct 00:00, then 8/16; 100 GB disk throughout.
  r.resize = await vm(ids.health, 'his-app-01');
  await addEvent(db, r.resize, 'delivered', '2026-09-20T00:00:00+08:00', CPU_MEM_DISK(4, 8, 100));
  await addEvent(db, r.resize, 'resized', '2026-10-16T00:00:00+08:00', CPU_MEM_DISK(8, 16, 100));
  // R2 (health) price change mid-month: database-server, vCPU price 90 until 11 Oct, 120 after.
  r.price = await addResource(db, {
    organisationId: ids.health,
    jurisdictionId: ids.city,
    providerId: ids.providerB,
    item: 'database-server',
    name: 'his-db-01',
  });
  await addEvent(db, r.price, 'delivered', '2026-09-01T00:00:00+08:00', CPU_MEM_DISK(2, 4, 50));
  // R3 (education) reclaim mid-month: reclaimed 10 Oct 12:00, i.e. 9.5 days billed.
  r.reclaim = await vm(ids.education, 'edu-web-01');
  await addEvent(db, r.reclaim, 'delivered', '2026-08-01T00:00:00+08:00', CPU_MEM_DISK(2, 4, 40));
  await addEvent(db, r.reclaim, 'reclaimed', '2026-10-10T12:00:00+08:00', {});
  // R4 (health) delivered on the last day at 18:00: 6 hours = 21,600 s. Its name looks like a formula.
  r.lastDay = await vm(ids.health, '=cmd|calc');
  await addEvent(db, r.lastDay, 'delivered', '2026-10-31T18:00:00+08:00', CPU_MEM_DISK(4, 8, 100));
  // R5 (CDC, a sub-unit of health) a full month with coefficient 0.9.
  r.coefficient = await vm(ids.cdc, 'cdc-app-01');
  await addEvent(db, r.coefficient, 'delivered', '2026-09-01T00:00:00+08:00', CPU_MEM_DISK(3, 2, 20));
  // R6 (east district's civil affairs bureau, outside the city budget) suspended 11-21 Oct: 21 days billed.
  r.suspend = await vm(ids.eastCivil, 'east-app-01', ids.east);
  await addEvent(db, r.suspend, 'delivered', '2026-09-01T00:00:00+08:00', { vcpu: 2, memory_gb: 4 });
  await addEvent(db, r.suspend, 'suspended', '2026-10-11T00:00:00+08:00', {});
  await addEvent(db, r.suspend, 'resumed', '2026-10-21T00:00:00+08:00', { vcpu: 2, memory_gb: 4 });

  reviewer = await login(t.app, 'reviewer');
  econ = await login(t.app, 'econ');
  finance = await login(t.app, 'finance');
  approver = await login(t.app, 'approver');
  applicant = await login(t.app, 'applicant');
  edu = await login(t.app, 'edu');

  const c = await as(t.app, approver, {
    method: 'PUT',
    url: `/api/v1/settlement/coefficients/${ids.cdc}/2026-10`,
    payload: { coefficient: '0.9', note: '效能评估 2026Q3' },
  });
  expect(c.statusCode, c.body).toBe(200);
  const b = await as(t.app, finance, {
    method: 'PUT',
    url: `/api/v1/settlement/budget/${ids.eastCivil}`,
    payload: { outsideCityBudget: true },
  });
  expect(b.statusCode, b.body).toBe(200);
});

afterAll(async () => {
  await t?.close();
});

describe('rating: worked examples, October 2026', () => {
  let first: { run: { id: string; contentHash: string; totalFen: string; status: string } };

  it('settles the month for the city and its districts', async () => {
    const res = await settle('2026-10');
    expect(res.statusCode, res.body).toBe(200);
    first = res.json();
    expect(first.run.status).toBe('draft');
    // 105073 (health) + 20700 (CDC) + 6742 (education) + 13548 (east civil)
    expect(first.run.totalFen).toBe('146063');
  });

  it('resize mid-month: 4 vCPU for 15 days then 8 for 16 days', async () => {
    const s = await statementOf(finance, '2026-10', 'demo-health');
    // vcpu (4x15 + 8x16) = 188 vCPU-days x 60 / 31 = 363.870967.. yuan -> 36387 fen
    expect(fen(s, 'resize', 'vcpu')).toBe('36387');
    // memory (8x15 + 16x16) = 376 GB-days x 20 / 31 = 242.580645.. -> 24258 fen
    expect(fen(s, 'resize', 'memory_gb')).toBe('24258');
    // disk 100 GB x 0.5 for the whole month -> exactly 50.00
    expect(fen(s, 'resize', 'storage_gb')).toBe('5000');
  });

  it('price change mid-month: database vCPU at 90 for 10 days, 120 for 21 days', async () => {
    const s = await statementOf(finance, '2026-10', 'demo-health');
    // 2 x (10 x 90 + 21 x 120) / 31 = 6840 / 31 = 220.645161.. -> 22065 fen (half-up of 22064.516)
    expect(fen(s, 'price', 'vcpu')).toBe('22065');
    expect(fen(s, 'price', 'memory_gb')).toBe('12000');
    expect(fen(s, 'price', 'storage_gb')).toBe('5000');
    const line = s.lines.find((l) => l.resourceId === r.price && l.dimension === 'vcpu') as Line;
    expect((line.versionIds as string[]).length).toBe(2);
  });

  it('reclaim mid-month: 9.5 days billed', async () => {
    const s = await statementOf(finance, '2026-10', 'demo-education');
    // 2 x 60 x 9.5 / 31 = 36.774193.. -> 3677; 4 x 20 x 9.5 / 31 = 24.516129.. -> 2452; 40 x 0.5 x 9.5 / 31 = 6.129032.. -> 613
    expect(fen(s, 'reclaim', 'vcpu')).toBe('3677');
    expect(fen(s, 'reclaim', 'memory_gb')).toBe('2452');
    expect(fen(s, 'reclaim', 'storage_gb')).toBe('613');
    expect(s.totalFen).toBe('6742');
  });

  it('delivery on the last day at 18:00: six hours', async () => {
    const s = await statementOf(finance, '2026-10', 'demo-health');
    // 4 x 60 x 21600 / 2678400 = 1.935483.. yuan -> 194 fen; 8 x 20 x .. = 1.290322.. -> 129; 100 x 0.5 x .. = 0.403225.. -> 40
    expect(fen(s, 'lastDay', 'vcpu')).toBe('194');
    expect(fen(s, 'lastDay', 'memory_gb')).toBe('129');
    expect(fen(s, 'lastDay', 'storage_gb')).toBe('40');
    // 65645 + 39065 + 363
    expect(s.totalFen).toBe('105073');
  });

  it('coefficient 0.9 applies to every line of the unit', async () => {
    const s = await statementOf(finance, '2026-10', 'demo-health-cdc');
    expect(s.coefficient).toBe('0.9000');
    // 3 x 60 x 0.9 = 162.00; 2 x 20 x 0.9 = 36.00; 20 x 0.5 x 0.9 = 9.00
    expect(fen(s, 'coefficient', 'vcpu')).toBe('16200');
    expect(fen(s, 'coefficient', 'memory_gb')).toBe('3600');
    expect(fen(s, 'coefficient', 'storage_gb')).toBe('900');
    expect(s.totalFen).toBe('20700');
  });

  it('suspension is not billed; a unit outside the budget is marked and billed to itself; districts roll up', async () => {
    const s = await statementOf(finance, '2026-10', 'demo-east-civil');
    // 21 days: 2 x 60 x 21 / 31 = 81.290322.. -> 8129; 4 x 20 x 21 / 31 = 54.193548.. -> 5419
    expect(fen(s, 'suspend', 'vcpu')).toBe('8129');
    expect(fen(s, 'suspend', 'memory_gb')).toBe('5419');
    expect(s.outsideCityBudget).toBe(true);
    expect(s.billedTo).toBe('unit');
    expect(s.jurisdiction).toBe('demo-east');
    const summary = await as(t.app, finance, { method: 'GET', url: `/api/v1/settlement/runs/${first.run.id}` });
    expect(summary.statusCode, summary.body).toBe(200);
    const body = summary.json();
    expect(body.totalFen).toBe('146063');
    expect(body.billedToUnits.totalFen).toBe('13548');
    expect(body.cityBudget.totalFen).toBe('132515');
    expect(body.byJurisdiction).toEqual([
      expect.objectContaining({ code: 'demo-city', parent: null, totalFen: '132515' }),
      expect.objectContaining({ code: 'demo-east', parent: 'demo-city', totalFen: '13548' }),
    ]);
    const providerB = body.byProvider.find((p: { code: string }) => p.code === 'demo-provider-b');
    expect(providerB.totalFen).toBe('39065');
    const dbVcpu = body.byItem.find(
      (i: { catalogueItemCode: string; dimension: string }) =>
        i.catalogueItemCode === 'database-server' && i.dimension === 'vcpu',
    );
    expect(dbVcpu.totalFen).toBe('22065');
  });

  it('every line explains itself: events, prices, seconds', async () => {
    const s = await statementOf(finance, '2026-10', 'demo-health');
    const line = s.lines.find((l) => l.resourceId === r.price && l.dimension === 'vcpu') as Line;
    const res = await as(t.app, finance, {
      method: 'GET',
      url: `/api/v1/settlement/statements/${s.id}/lines/${line.lineNo}`,
    });
    expect(res.statusCode, res.body).toBe(200);
    const pieces = res.json().pieces;
    expect(pieces.map((p: { seconds: string; unitPrice: string }) => [p.seconds, Number(p.unitPrice)])).toEqual([
      ['864000', 90],
      ['1814400', 120],
    ]);
  });

  it('recomputing an open month is idempotent: identical statements', async () => {
    const before = await statementOf(finance, '2026-10', 'demo-health');
    clock.advance(3600_000);
    const again = await settle('2026-10');
    expect(again.statusCode).toBe(200);
    expect(again.json().changed).toBe(false);
    expect(again.json().run.contentHash).toBe(first.run.contentHash);
    expect(again.json().run.id).toBe(first.run.id);
    const after = await statementOf(finance, '2026-10', 'demo-health');
    expect(after).toEqual({ ...before, asOf: after.asOf });
  });

  it('the flow: draft -> review (ops) -> confirmation (economy & IT) -> closed, by permission', async () => {
    const id = first.run.id;
    const early = await as(t.app, econ, { method: 'POST', url: `/api/v1/settlement/runs/${id}/confirm` });
    expect(early.statusCode).toBe(409);
    const denied = await as(t.app, finance, { method: 'POST', url: `/api/v1/settlement/runs/${id}/review` });
    expect(denied.statusCode).toBe(403);
    const reviewed = await as(t.app, reviewer, { method: 'POST', url: `/api/v1/settlement/runs/${id}/review` });
    expect(reviewed.statusCode, reviewed.body).toBe(200);
    expect(reviewed.json().status).toBe('reviewed');
    const notOps = await as(t.app, reviewer, { method: 'POST', url: `/api/v1/settlement/runs/${id}/confirm` });
    expect(notOps.statusCode).toBe(403);
    const confirmed = await as(t.app, econ, { method: 'POST', url: `/api/v1/settlement/runs/${id}/confirm` });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect(confirmed.json().status).toBe('closed');
    const audit = await sql<{
      action: string;
    }>`select action from audit_event where object_id = ${id} order by id`.execute(t.database.db);
    const notices = await sql<{ kind: string; n: number }>`select kind, count(*)::int as n from notification
      where kind like 'settlement.%' group by kind order by kind`.execute(t.database.db);
    // econ is told to confirm; every user of the four units is told the statement is confirmed
    expect(notices.rows.find((x) => x.kind === 'settlement.reviewed')?.n).toBeGreaterThan(0);
    expect(notices.rows.find((x) => x.kind === 'settlement.confirmed')?.n).toBeGreaterThanOrEqual(4);
    expect(audit.rows.map((a) => a.action)).toEqual([
      'settlement.computed',
      'settlement.computed',
      'settlement.reviewed',
      'settlement.confirmed',
    ]);
  });

  it('a closed month never changes: recompute and coefficient are refused, even in the database', async () => {
    expect((await settle('2026-10')).statusCode).toBe(409);
    const c = await as(t.app, approver, {
      method: 'PUT',
      url: `/api/v1/settlement/coefficients/${ids.health}/2026-10`,
      payload: { coefficient: '0.5' },
    });
    expect(c.statusCode).toBe(409);
    // a unit without usage that month has no statement, but its month is closed all the same (the city's run)
    const westCivil = await t.database.db
      .selectFrom('organisation')
      .select('id')
      .where('code', '=', 'demo-west-civil')
      .executeTakeFirstOrThrow();
    const none = await as(t.app, approver, {
      method: 'PUT',
      url: `/api/v1/settlement/coefficients/${westCivil.id}/2026-10`,
      payload: { coefficient: '0.5' },
    });
    expect(none.statusCode, none.body).toBe(409);
    await expect(sql`update statement_line set amount_fen = 0`.execute(t.database.db)).rejects.toThrow(/closed/);
  });

  it('a late event after closing becomes an adjustment line in the next open month', async () => {
    // recorded 5 Nov: R1 had been resized to 10 vCPU on 26 Oct
    await addEvent(
      t.database.db,
      String(r.resize),
      'resized',
      '2026-10-26T00:00:00+08:00',
      CPU_MEM_DISK(10, 16, 100),
      '2026-11-05T09:00:00+08:00',
    );
    clock.set('2026-12-01T02:00:00Z');
    const res = await settle('2026-11');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().adjustments).toBe(1);
    const nov = await statementOf(finance, '2026-11', 'demo-health');
    // November: 10 vCPU all month = 600.00
    expect(fen(nov, 'resize', 'vcpu')).toBe('60000');
    // October re-rated: (4x15 + 8x10 + 10x6) = 200 vCPU-days x 60 / 31 = 387.096774.. -> 38710; billed 36387: +2323
    const adjustment = nov.lines.find((l) => l.kind === 'adjustment') as Line;
    expect(adjustment).toMatchObject({
      resourceId: r.resize,
      dimension: 'vcpu',
      amountFen: '2323',
      adjustsMonth: '2026-10',
    });
    const oct = await statementOf(finance, '2026-10', 'demo-health');
    expect(oct.totalFen).toBe('105073');
    const fixed = oct.lines.find((l) => l.resourceId === r.resize && l.dimension === 'vcpu') as Line;
    expect(adjustment.adjustsStatementId).toBe(oct.id);
    expect(adjustment.adjustsLineNo).toBe(fixed.lineNo);
    // recomputing November does not add the adjustment twice
    const again = await settle('2026-11');
    expect(again.json().changed).toBe(false);
  });
});

describe('visibility and exports', () => {
  it('a unit sees only its own statements (and its sub-units’); finance sees all', async () => {
    const mine = await as(t.app, edu, { method: 'GET', url: '/api/v1/settlement/statements?month=2026-10' });
    expect(mine.json().items.map((s: { organisationCode: string }) => s.organisationCode)).toEqual(['demo-education']);
    const health = await as(t.app, applicant, { method: 'GET', url: '/api/v1/settlement/statements?month=2026-10' });
    expect(
      health
        .json()
        .items.map((s: { organisationCode: string }) => s.organisationCode)
        .sort(),
    ).toEqual(['demo-health', 'demo-health-cdc']);
    const all = await as(t.app, finance, { method: 'GET', url: '/api/v1/settlement/statements?month=2026-10' });
    expect(all.json().items).toHaveLength(4);
    const other = all.json().items.find((s: { organisationCode: string }) => s.organisationCode === 'demo-health');
    const peek = await as(t.app, edu, { method: 'GET', url: `/api/v1/settlement/statements/${other.id}` });
    expect(peek.statusCode).toBe(404);
    const runs = await as(t.app, edu, { method: 'GET', url: '/api/v1/settlement/runs' });
    expect(runs.statusCode).toBe(403);
    const trends = await as(t.app, edu, { method: 'GET', url: '/api/v1/settlement/trends?from=2026-01&to=2026-12' });
    expect(trends.json().items.map((x: { month: string; totalFen: string }) => [x.month, x.totalFen])).toEqual([
      ['2026-10', '6742'],
    ]);
  });

  it('CSV and Excel exports are formula-safe and audited; the print view renders', async () => {
    const s = await statementOf(applicant, '2026-10', 'demo-health');
    const before = await sql<{
      n: number;
    }>`select count(*)::int as n from audit_event where action = 'settlement.exported'`.execute(t.database.db);
    const csv = await as(t.app, applicant, {
      method: 'GET',
      url: `/api/v1/settlement/statements/${s.id}/export?format=csv`,
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.body.split('\r\n')[0]).toBe(
      '\ufeff"结算单 Statement 2026-10","示范市卫生健康委员会 (demo-health)","市级预算 city budget",' +
        '"效能系数 coefficient 1.0000","合计 1050.73 元","状态 已核定 closed"',
    );
    expect(csv.body).toContain(`"'=cmd|calc"`);
    expect(csv.body).not.toMatch(/(^|,)"?=cmd/m);
    const xlsx = await as(t.app, applicant, {
      method: 'GET',
      url: `/api/v1/settlement/statements/${s.id}/export?format=xlsx`,
    });
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
    const after = await sql<{
      n: number;
    }>`select count(*)::int as n from audit_event where action = 'settlement.exported'`.execute(t.database.db);
    expect(after.rows[0]?.n).toBe((before.rows[0]?.n ?? 0) + 2);
    const print = await as(t.app, applicant, { method: 'GET', url: `/api/v1/settlement/statements/${s.id}/print` });
    expect(print.statusCode).toBe(200);
    expect(print.body).toContain('1050.73');
    expect(print.body).toContain('=cmd|calc');
  });

  it('the annual view gives finance each unit’s months', async () => {
    const res = await as(t.app, finance, { method: 'GET', url: '/api/v1/settlement/annual?year=2026' });
    expect(res.statusCode).toBe(200);
    const health = res.json().items.find((u: { code: string }) => u.code === 'demo-health');
    expect(health.monthsFen[9]).toBe('105073');
    expect(health.confirmedFen).toBe('105073');
  });

  it('the coefficient and budget flag need their permissions', async () => {
    const c = await as(t.app, finance, {
      method: 'PUT',
      url: `/api/v1/settlement/coefficients/${ids.health}/2026-12`,
      payload: { coefficient: '0.8' },
    });
    expect(c.statusCode).toBe(403);
    const b = await as(t.app, applicant, {
      method: 'PUT',
      url: `/api/v1/settlement/budget/${ids.health}`,
      payload: { outsideCityBudget: true },
    });
    expect(b.statusCode).toBe(403);
    const bad = await as(t.app, approver, {
      method: 'PUT',
      url: `/api/v1/settlement/coefficients/${ids.health}/2026-12`,
      payload: { coefficient: '1.23456' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual([
      {
        field: 'body.coefficient',
        message: '效能系数须为 0 至 10 之间的数，最多 4 位小数 / a decimal between 0 and 10, at most 4 decimal places',
      },
    ]);
  });

  it('the units of a month: budget mark, coefficient (default 1) and run status, in the caller’s scope', async () => {
    const res = await as(t.app, approver, { method: 'GET', url: '/api/v1/settlement/units?month=2026-10' });
    expect(res.statusCode, res.body).toBe(200);
    const byCode = new Map(res.json().items.map((u: { code: string }) => [u.code, u]));
    expect(byCode.get('demo-health-cdc')).toMatchObject({
      coefficient: '0.9000',
      coefficientSet: true,
      note: '效能评估 2026Q3',
      setBy: 'approver',
      outsideCityBudget: false,
      runStatus: 'closed',
    });
    expect(byCode.get('demo-health')).toMatchObject({ coefficient: '1', coefficientSet: false, setBy: null });
    expect(byCode.get('demo-east-civil')).toMatchObject({
      jurisdiction: 'demo-east',
      outsideCityBudget: true,
      runStatus: 'closed',
    });
    // units without usage are listed too (a coefficient may be set before the run); providers are not units
    expect(byCode.has('demo-west-civil')).toBe(true);
    expect(byCode.has('demo-provider-a')).toBe(false);
    const later = await as(t.app, approver, { method: 'GET', url: '/api/v1/settlement/units?month=2027-01' });
    expect(later.json().items.every((u: { runStatus: unknown }) => u.runStatus === null)).toBe(true);
    const mine = await as(t.app, edu, { method: 'GET', url: '/api/v1/settlement/units?month=2026-10' });
    expect(mine.json().items.map((u: { code: string; runStatus: string }) => [u.code, u.runStatus])).toEqual([
      ['demo-education', 'closed'],
    ]);
    const bad = await as(t.app, approver, { method: 'GET', url: '/api/v1/settlement/units?month=2026-13' });
    expect(bad.statusCode).toBe(400);
  });

  it('the annual view counts each month where it was billed: a unit outside the budget from November', async () => {
    const b = await as(t.app, finance, {
      method: 'PUT',
      url: `/api/v1/settlement/budget/${ids.cdc}`,
      payload: { outsideCityBudget: true },
    });
    expect(b.statusCode, b.body).toBe(200);
    const nov = await settle('2026-11');
    expect(nov.statusCode, nov.body).toBe(200);
    expect(nov.json().changed).toBe(true);
    const res = await as(t.app, finance, { method: 'GET', url: '/api/v1/settlement/annual?year=2026' });
    const cdc = res.json().items.find((u: { code: string }) => u.code === 'demo-health-cdc');
    // October (coefficient 0.9) on the city budget; November (coefficient 1): 180 + 40 + 10 = 230.00 billed to the unit
    expect(cdc.monthsFen.slice(9, 11)).toEqual(['20700', '23000']);
    expect(cdc).toMatchObject({
      outsideCityBudget: true,
      totalFen: '43700',
      cityBudgetFen: '20700',
      billedToUnitFen: '23000',
      confirmedFen: '20700',
    });
  });
});
