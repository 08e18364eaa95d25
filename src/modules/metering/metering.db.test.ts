import ExcelJS from 'exceljs';
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
  const vm = (
    organisationId: string,
    name: string,
    jurisdictionId = ids.city,
    work: { projectId?: string; systemId?: string } = {},
  ) => addResource(db, { organisationId, jurisdictionId, providerId: ids.providerA, name, ...work });

  // R1 (health) resize mid-month: 4 vCPU/8 GB until 16 Oct 00:00, then 8/16; 100 GB disk throughout.
  // R1 and R2 belong to health's project (the demo's 全民健康信息平台二期), each to one of its systems; R4 to none.
  r.resize = await vm(ids.health, 'his-app-01', ids.city, {
    projectId: ids.healthProject,
    systemId: ids.healthPlatform,
  });
  await addEvent(db, r.resize, 'delivered', '2026-09-20T00:00:00+08:00', CPU_MEM_DISK(4, 8, 100));
  await addEvent(db, r.resize, 'resized', '2026-10-16T00:00:00+08:00', CPU_MEM_DISK(8, 16, 100));
  // R2 (health) price change mid-month: database-server, vCPU price 90 until 11 Oct, 120 after.
  r.price = await addResource(db, {
    organisationId: ids.health,
    jurisdictionId: ids.city,
    providerId: ids.providerB,
    item: 'database-server',
    name: 'his-db-01',
    projectId: ids.healthProject,
    systemId: ids.healthSupervision,
  });
  await addEvent(db, r.price, 'delivered', '2026-09-01T00:00:00+08:00', CPU_MEM_DISK(2, 4, 50));
  // R3 (education) reclaim mid-month: reclaimed 10 Oct 12:00, i.e. 9.5 days billed.
  r.reclaim = await vm(ids.education, 'edu-web-01', ids.city, {
    projectId: ids.educationProject,
    systemId: ids.educationEnrolment,
  });
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

  it('lines carry their project and system; the statement subtotals per project and system; the summary per unit', async () => {
    const s = await statementOf(finance, '2026-10', 'demo-health');
    const line = (resource: string) => s.lines.find((l) => l.resourceId === r[resource] && l.dimension === 'vcpu');
    expect(line('resize')).toMatchObject({
      projectId: ids.healthProject,
      projectName: '全民健康信息平台二期',
      systemId: ids.healthPlatform,
      systemName: '全民健康信息平台',
      resourceName: 'his-app-01',
      providerCode: 'demo-provider-a',
      catalogueItemCode: 'cloud-vm',
    });
    expect(line('price')).toMatchObject({
      projectId: ids.healthProject,
      systemId: ids.healthSupervision,
      systemName: '卫生监督执法系统',
      providerCode: 'demo-provider-b',
      catalogueItemCode: 'database-server',
    });
    expect(line('lastDay')).toMatchObject({ projectId: null, projectName: null, systemId: null, systemName: null });
    // the project: R1 65645 (36387 + 24258 + 5000) + R2 39065 (22065 + 12000 + 5000); no project: R4 363
    expect(s.byProject).toEqual([
      {
        projectId: ids.healthProject,
        projectName: '全民健康信息平台二期',
        lineCount: 6,
        totalFen: '104710',
        total: '1047.10',
      },
      { projectId: null, projectName: null, lineCount: 3, totalFen: '363', total: '3.63' },
    ]);
    expect(s.bySystem).toEqual([
      {
        projectId: ids.healthProject,
        systemId: ids.healthPlatform,
        systemName: '全民健康信息平台',
        lineCount: 3,
        totalFen: '65645',
        total: '656.45',
      },
      {
        projectId: ids.healthProject,
        systemId: ids.healthSupervision,
        systemName: '卫生监督执法系统',
        lineCount: 3,
        totalFen: '39065',
        total: '390.65',
      },
      { projectId: null, systemId: null, systemName: null, lineCount: 3, totalFen: '363', total: '3.63' },
    ]);
    const edu = await statementOf(finance, '2026-10', 'demo-education');
    expect(edu.bySystem).toEqual([
      expect.objectContaining({ systemId: ids.educationEnrolment, lineCount: 3, totalFen: '6742' }),
    ]);
    const summary = await as(t.app, finance, { method: 'GET', url: `/api/v1/settlement/runs/${first.run.id}` });
    expect(
      summary
        .json()
        .byUnit.map((u: { code: string; jurisdiction: string; outsideCityBudget: boolean; totalFen: string }) => [
          u.code,
          u.jurisdiction,
          u.outsideCityBudget,
          u.totalFen,
        ]),
    ).toEqual([
      ['demo-east-civil', 'demo-east', true, '13548'],
      ['demo-education', 'demo-city', false, '6742'],
      ['demo-health', 'demo-city', false, '105073'],
      ['demo-health-cdc', 'demo-city', false, '20700'],
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
    const id = first.run.id;
    expect((await settle('2026-10')).statusCode).toBe(409);
    const c = await as(t.app, approver, {
      method: 'PUT',
      url: `/api/v1/settlement/coefficients/${ids.health}/2026-10`,
      payload: { coefficient: '0.5', note: '评估结果调整' },
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
      payload: { coefficient: '0.5', note: '评估结果调整' },
    });
    expect(none.statusCode, none.body).toBe(409);
    const db = t.database.db;
    const rows = async () =>
      (
        await sql<{ runs: number; statements: number; lines: number }>`select
          (select count(*)::int from settlement_run) as runs, (select count(*)::int from statement) as statements,
          (select count(*)::int from statement_line) as lines`.execute(db)
      ).rows[0];
    const before = await rows();
    await expect(sql`update statement_line set amount_fen = 0`.execute(db)).rejects.toThrow(/closed/);
    await expect(sql`delete from statement_line`.execute(db)).rejects.toThrow(/closed/);
    await expect(sql`delete from statement where run_id = ${id}`.execute(db)).rejects.toThrow(/closed/);
    await expect(sql`delete from settlement_run where id = ${id}`.execute(db)).rejects.toThrow(/closed/);
    // nor can anything be added to it: a line to one of its statements, or a statement
    await expect(
      sql`insert into statement_line select statement_id, line_no + 1000, organisation_id, jurisdiction_id, kind,
        resource_id, provider_id, project_id, system_id, catalogue_item_code, dimension, quantity_seconds,
        price_seconds, month_seconds, coefficient, amount_fen, event_ids, version_ids, adjusts_period,
        adjusts_statement_id, adjusts_line_no
        from statement_line where statement_id in (select id from statement where run_id = ${id}) limit 1`.execute(db),
    ).rejects.toThrow(/closed/);
    await expect(
      sql`insert into statement (run_id, organisation_id, jurisdiction_id, period, outside_city_budget, coefficient,
        usage_fen, adjustment_fen, total_fen, line_count)
        select ${id}::uuid, o.id, o.jurisdiction_id, '2026-10', false, 1, 100, 0, 100, 0
        from organisation o where o.code = 'demo-west-civil'`.execute(db),
    ).rejects.toThrow(/closed/);
    expect(await rows()).toEqual(before);
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
    // the economy & IT authority, who confirms them, sees every statement of the city and its districts
    const authority = await as(t.app, econ, { method: 'GET', url: '/api/v1/settlement/statements?month=2026-10' });
    expect(authority.statusCode).toBe(200);
    const codes = (res: typeof all) =>
      res
        .json()
        .items.map((x: { organisationCode: string }) => x.organisationCode)
        .sort();
    expect(codes(authority)).toEqual(['demo-east-civil', 'demo-education', 'demo-health', 'demo-health-cdc']);
    expect(codes(authority)).toEqual(codes(all));
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
      payload: { coefficient: '0.8', note: '评估结果调整' },
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
      setByName: '吴刚（大数据局审批人）',
      outsideCityBudget: false,
      runStatus: 'closed',
    });
    expect(byCode.get('demo-health')).toMatchObject({
      coefficient: '1',
      coefficientSet: false,
      setBy: null,
      setByName: null,
    });
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

describe('November 2026: ties, a reviewed recompute, a negative adjustment, a district', () => {
  // November has 30 days = 2,592,000 s; cloud-vm's vCPU is 60 元/月, so one vCPU costs 6000 / 2,592,000 fen a
  // second = 1/432 fen: 1,080 s are exactly 2.5 fen and 1,512 s exactly 3.5 fen.
  let november: { id: string };

  it('half-up to the fen: an exact .5-fen tie rounds up, where half-even would round 2.5 down', async () => {
    const db = t.database.db;
    const vm = (name: string) =>
      addResource(db, { organisationId: ids.education, jurisdictionId: ids.city, providerId: ids.providerA, name });
    r.tieEven = await vm('edu-tie-even');
    await addEvent(db, r.tieEven, 'delivered', '2026-11-10T10:00:00+08:00', { vcpu: 1 });
    await addEvent(db, r.tieEven, 'reclaimed', '2026-11-10T10:18:00+08:00', {});
    r.tieOdd = await vm('edu-tie-odd');
    await addEvent(db, r.tieOdd, 'delivered', '2026-11-10T11:00:00+08:00', { vcpu: 1 });
    await addEvent(db, r.tieOdd, 'reclaimed', '2026-11-10T11:25:12+08:00', {});
    const res = await settle('2026-11');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().changed).toBe(true);
    november = res.json().run;
    const s = await statementOf(finance, '2026-11', 'demo-education');
    const line = (resource: string) => s.lines.find((l) => l.resourceId === r[resource]) as Line;
    // 1 x 60 x 1080 = 64800 yuan·s; 100 x 64800 / 2592000 = 2.5 fen exactly -> 3 (half-even: 2, truncation: 2)
    expect(line('tieEven')).toMatchObject({ priceSeconds: '64800', monthSeconds: 2_592_000, amountFen: '3' });
    // 1 x 60 x 1512 = 90720 yuan·s; 100 x 90720 / 2592000 = 3.5 fen exactly -> 4 (half-even: 4, truncation: 3)
    expect(line('tieOdd')).toMatchObject({ priceSeconds: '90720', amountFen: '4' });
    expect(s.lines.filter((l) => l.resourceId === r.tieEven || l.resourceId === r.tieOdd)).toHaveLength(2);
  });

  it('a recompute of a reviewed run: unchanged it stays reviewed, changed it goes back to draft', async () => {
    const reviewed = await as(t.app, reviewer, {
      method: 'POST',
      url: `/api/v1/settlement/runs/${november.id}/review`,
    });
    expect(reviewed.statusCode, reviewed.body).toBe(200);
    clock.advance(60_000);
    const same = await settle('2026-11');
    expect(same.json()).toMatchObject({
      changed: false,
      run: { id: november.id, status: 'reviewed', reviewedBy: 'reviewer', reviewedByName: '赵敏（运管审核员）' },
    });
    const healthBefore = await statementOf(finance, '2026-11', 'demo-health');
    const eastBefore = await statementOf(finance, '2026-11', 'demo-east-civil');

    const c = await as(t.app, approver, {
      method: 'PUT',
      url: `/api/v1/settlement/coefficients/${ids.eastCivil}/2026-11`,
      payload: { coefficient: '0.95', note: '评估结果调整' },
    });
    expect(c.statusCode, c.body).toBe(200);
    const changed = await settle('2026-11');
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({
      changed: true,
      run: { id: november.id, status: 'draft', reviewedBy: null, reviewedByName: null, reviewedAt: null },
    });
    expect(changed.json().run.contentHash).not.toBe(same.json().run.contentHash);
    // the corrected unit's lines are rewritten at the new coefficient; the other units' stay as they were
    const east = await statementOf(finance, '2026-11', 'demo-east-civil');
    expect(east.lines.map((l) => [l.resourceId, l.dimension])).toEqual(
      eastBefore.lines.map((l) => [l.resourceId, l.dimension]),
    );
    expect(east.lines.length).toBeGreaterThan(0);
    for (const [k, l] of east.lines.entries()) {
      expect(Number(l.coefficient)).toBe(0.95);
      expect(BigInt(l.amountFen)).toBeLessThanOrEqual(BigInt(eastBefore.lines[k]?.amountFen as string));
    }
    expect(east.totalFen).toBe(String(east.lines.reduce((sum, l) => sum + BigInt(l.amountFen), 0n)));
    expect((await statementOf(finance, '2026-11', 'demo-health')).lines).toEqual(healthBefore.lines);
    // what was reviewed is not what is there now: it must be reviewed again before 核定
    const confirm = await as(t.app, econ, { method: 'POST', url: `/api/v1/settlement/runs/${november.id}/confirm` });
    expect(confirm.statusCode).toBe(409);
  });

  it('a negative adjustment exports as a number: plain in CSV, a numeric cell in Excel; text stays neutralised', async () => {
    // recorded 20 Nov: R4 ('=cmd|calc', delivered 31 Oct 18:00) had been reclaimed at 21:00, so October billed 6 h
    // instead of 3: vcpu 4 x 60 x 10800 / 2678400 = 0.967741.. -> 97 (billed 194): -97; memory 8 x 20 x ..
    // = 0.645161.. -> 65 (129): -64; disk 100 x 0.5 x .. = 0.201612.. -> 20 (40): -20
    await addEvent(
      t.database.db,
      String(r.lastDay),
      'reclaimed',
      '2026-10-31T21:00:00+08:00',
      {},
      '2026-11-20T09:00:00+08:00',
    );
    const res = await settle('2026-11');
    expect(res.statusCode, res.body).toBe(200);
    const s = await statementOf(applicant, '2026-11', 'demo-health');
    const adjustments = s.lines.filter((l) => l.kind === 'adjustment' && l.resourceId === r.lastDay);
    expect(adjustments.map((l) => [l.dimension, l.amountFen, l.amount])).toEqual([
      ['memory_gb', '-64', '-0.64'],
      ['storage_gb', '-20', '-0.20'],
      ['vcpu', '-97', '-0.97'],
    ]);
    expect(s.lines.some((l) => l.kind === 'usage' && l.resourceId === r.lastDay)).toBe(false);

    const csv = await as(t.app, applicant, {
      method: 'GET',
      url: `/api/v1/settlement/statements/${s.id}/export?format=csv`,
    });
    expect(csv.statusCode).toBe(200);
    const vcpuRow = csv.body
      .split('\r\n')
      .find((row) => row.includes(`"'=cmd|calc"`) && row.includes('"vcpu"') && row.includes('"adjustment"'));
    // text quoted (the name neutralised); coefficient, amount -0.97 and the adjusted line number plain
    expect(vcpuRow).toMatch(/,1\.0000,-0\.97,"2026-10",\d+$/);
    expect(csv.body).not.toContain("'-");
    expect(csv.body).not.toMatch(/(^|,)"?=cmd/m);

    const xlsx = await as(t.app, applicant, {
      method: 'GET',
      url: `/api/v1/settlement/statements/${s.id}/export?format=xlsx`,
    });
    expect(xlsx.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheet = wb.worksheets[0] as ExcelJS.Worksheet;
    const cells: ExcelJS.Cell[] = [];
    sheet.eachRow((row) => row.eachCell((cell) => cells.push(cell)));
    expect(cells.length).toBeGreaterThan(0);
    expect(cells.filter((c) => c.type === ExcelJS.ValueType.Formula || c.formula !== undefined)).toEqual([]);
    const rows: ExcelJS.Row[] = [];
    sheet.eachRow((row) => rows.push(row));
    const row = rows.find(
      (x) =>
        x.getCell(2).value === 'adjustment' && x.getCell(5).value === "'=cmd|calc" && x.getCell(8).value === 'vcpu',
    ) as ExcelJS.Row;
    expect(row).toBeDefined();
    expect(row.getCell(5).value).toBe("'=cmd|calc");
    expect(row.getCell(5).type).toBe(ExcelJS.ValueType.String);
    expect(row.getCell(13).value).toBe(-0.97);
    expect(row.getCell(13).type).toBe(ExcelJS.ValueType.Number);
    expect(row.getCell(13).numFmt).toBe('0.00');
    expect(row.getCell(12).value).toBe(1);
    expect(row.getCell(14).value).toBe('2026-10');
    // every amount is a number, the total too
    const amounts = rows.slice(2).map((x) => x.getCell(13));
    expect(amounts.every((c) => c.type === ExcelJS.ValueType.Number && c.numFmt === '0.00')).toBe(true);
    expect(amounts.at(-1)?.value).toBe(Number(s.total));
    expect(rows.at(-1)?.getCell(12).value).toBe('合计 Total');
  });

  it('a district is not settled on its own: its units are in the city’s run, which the district may not compute', async () => {
    const eastReviewer = await login(t.app, 'eastreviewer');
    for (const payload of [{ month: '2026-11', jurisdiction: 'demo-east' }, { month: '2026-11' }]) {
      const res = await as(t.app, eastReviewer, { method: 'POST', url: '/api/v1/settlement/runs', payload });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().errors).toEqual([
        { field: 'body.jurisdiction', message: 'a district rolls up to its city: settle the city' },
      ]);
    }
    const city = await as(t.app, eastReviewer, {
      method: 'POST',
      url: '/api/v1/settlement/runs',
      payload: { month: '2026-11', jurisdiction: 'demo-city' },
    });
    expect(city.statusCode).toBe(403);
    // the district's statements are the city run's, and the district sees them
    const mine = await as(t.app, eastReviewer, { method: 'GET', url: '/api/v1/settlement/statements?month=2026-11' });
    expect(
      mine
        .json()
        .items.map((x: { organisationCode: string; jurisdiction: string; cityJurisdiction: string; runId: string }) => [
          x.organisationCode,
          x.jurisdiction,
          x.cityJurisdiction,
          x.runId,
        ]),
    ).toEqual([['demo-east-civil', 'demo-east', 'demo-city', november.id]]);
    const runs = await sql<{ code: string }>`select distinct j.code from settlement_run r
      join jurisdiction j on j.id = r.jurisdiction_id`.execute(t.database.db);
    expect(runs.rows.map((x) => x.code)).toEqual(['demo-city']);
  });
});
