import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { as, login, type Session } from '../../../test/sessions.ts';
import { type AuthContext, withTenant } from '../../platform/auth/auth.ts';
import { XLSX_MEDIA_TYPE } from '../../platform/spreadsheet.ts';
import { ManualClock } from '../../platform/time/clock.ts';
import { seedDemo } from '../../seed.ts';
import { onCloudRate, sweepDataCentres } from './index.ts';

// Legacy data centres (LZ 12-19) through the HTTP API, on Liuzhou's pack: the register and who sees what, the
// pre-check, evaluation and approval in working days across the 2026 Mid-Autumn / National Day holidays (25
// September and 1-7 October off, Saturday 10 October a make-up working day), overdue escalation, the outcomes
// (transition by racks, retention and its notices, a rented room's lease), migration, closure and the exports.

const clock = new ManualClock('2026-09-22T02:00:00Z'); // Tuesday 22 September 2026, 10:00 in Shanghai
let t: TestApp;
let health: Session;
let applicant: Session;
let edu: Session;
let reviewer: Session;
let approver: Session;
let auditor: Session;
let east: Session;
let eastReviewer: Session;
const sys: Record<string, string> = {};

type Answer = any;
async function ok(res: Promise<{ statusCode: number; body: string; json(): unknown }>, status = 200): Promise<Answer> {
  const r = await res;
  expect(r.statusCode, r.body).toBe(status);
  return r.json();
}
const post = (s: Session, url: string, payload: unknown = {}) =>
  as(t.app, s, { method: 'POST', url: `/api/v1/data-centres${url}`, payload: payload as object });
const get = (s: Session, url: string) => as(t.app, s, { url: `/api/v1/data-centres${url}` });
const at = (shanghai: string) => clock.set(`${shanghai}+08:00`);

const ANSWERS = {
  network: '已接入柳州电子政务外网，支持IPv6',
  technology: '云平台符合GB/T 33780-2017，已与市级云平台对接',
  scale: 'GB 50174-2017 B类',
  operations: '专职运维3人，7×24小时值守',
  security: '等保三级，含云计算扩展，已测评',
};

function room(name: string, racks: number, overrides: Record<string, unknown> = {}) {
  return {
    construction: 'self_built',
    name,
    address: '柳州市城中区文昌路1号',
    areaSquareMetres: '60',
    racks,
    gb50174Class: 'B',
    extranetConnected: true,
    ipv6: true,
    cloudPlatformConformant: true,
    cityPlatformInterface: true,
    fullTimeOperators: 3,
    service7x24: true,
    mlpsLevel: 3,
    mlpsCloudExtension: true,
    mlpsTestReport: 'CP-2026-001',
    leaseEnd: null,
    systemIds: [],
    ...overrides,
  };
}

const evidence = (purpose: string) => ({
  purpose,
  fileName: `${purpose}.pdf`,
  mediaType: 'application/pdf',
  contentBase64: Buffer.from(`%PDF-1.4 ${purpose}`).toString('base64'),
});

async function newSystem(name: string, classified = false): Promise<string> {
  const s = await ok(
    as(t.app, health, {
      method: 'POST',
      url: '/api/v1/systems',
      payload: { name, mlpsLevel: 2, classified, status: 'legacy_data_centre' },
    }),
    201,
  );
  sys[name] = s.id;
  return s.id;
}

/** Drafts and submits an application with evidence for every criterion; returns its id. */
async function apply(centreId: string, path: 'standard' | 'sensitive' = 'standard'): Promise<string> {
  const app = await ok(
    post(health, `/${centreId}/applications`, {
      path,
      sensitiveReason: path === 'sensitive' ? '承载应急指挥数据' : null,
      answers: ANSWERS,
    }),
    201,
  );
  for (const c of ['network', 'technology', 'scale', 'operations', 'security'])
    await ok(post(health, `/applications/${app.id}/attachments`, evidence(c)), 201);
  await ok(post(health, `/applications/${app.id}/submit`));
  return app.id;
}

async function inbox(s: Session, kind: string): Promise<{ title: { zh: string } }[]> {
  const all = await ok(as(t.app, s, { url: '/api/v1/notifications?limit=200' }));
  return all.items.filter((n: { kind: string }) => n.kind === kind);
}

beforeAll(async () => {
  t = await testApp({ clock });
  await seedDemo(t.database.db);
  health = await login(t.app, 'unitadmin');
  applicant = await login(t.app, 'applicant');
  edu = await login(t.app, 'edu');
  reviewer = await login(t.app, 'reviewer');
  approver = await login(t.app, 'approver');
  auditor = await login(t.app, 'auditor');
  east = await login(t.app, 'eastunit');
  eastReviewer = await login(t.app, 'eastreviewer');
  await ok(
    as(t.app, approver, {
      method: 'PUT',
      url: '/api/v1/jurisdictions/demo-city/policy',
      payload: { packId: 'liuzhou' },
    }),
  );
  for (const name of ['机房甲-系统一', '机房甲-系统二', '机房乙-系统', '机房丙-系统', '租用机房-系统'])
    await newSystem(name);
  await newSystem('机房甲-涉密系统', true);
}, 120_000);
afterAll(() => t?.close());

let roomA: string; // 6 racks, refused
let roomB: string; // 5 racks, refused
let roomC: string; // approved, retained
let rented: string;

describe('the register (LZ 12, 14(1))', () => {
  it('refuses a bad entry naming each field and stores nothing', async () => {
    const res = await post(
      health,
      '',
      room('坏机房', 4, { areaSquareMetres: '12.345', construction: 'rented', systemIds: [] }),
    );
    expect(res.statusCode).toBe(400);
    const fields = res.json().errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['body.areaSquareMetres']));
    const rentedNoLease = await post(health, '', room('坏机房', 4, { construction: 'rented' }));
    expect(rentedNoLease.statusCode).toBe(400);
    expect(rentedNoLease.json().errors.map((e: { field: string }) => e.field)).toContain('body.leaseEnd');
    const foreign = await post(edu, '', room('冒名机房', 4, { systemIds: [sys['机房甲-系统一']] }));
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().errors[0].field).toBe('body.systemIds.0');
    expect((await ok(get(health, ''))).total).toBe(0);
  });

  it('registers self-built and rented rooms with their hosted systems from the systems register', async () => {
    const a = await ok(
      post(
        health,
        '',
        room('卫健委机房甲', 6, { systemIds: [sys['机房甲-系统一'], sys['机房甲-系统二'], sys['机房甲-涉密系统']] }),
      ),
      201,
    );
    roomA = a.id;
    expect(a.organisationName).toBe('示范市卫生健康委员会');
    expect(a.systems.map((s: { systemName: string }) => s.systemName).sort()).toEqual(
      ['机房甲-涉密系统', '机房甲-系统一', '机房甲-系统二'].sort(),
    );
    expect(a.progress.systems).toBe(2); // the classified system does not migrate
    expect(a.stage).toBe('registered');
    roomB = (await ok(post(health, '', room('卫健委机房乙', 5, { systemIds: [sys['机房乙-系统']] })), 201)).id;
    roomC = (await ok(post(health, '', room('卫健委机房丙', 8, { systemIds: [sys['机房丙-系统']] })), 201)).id;
    // a system runs in one room
    const twice = await post(health, '', room('卫健委机房丁', 2, { systemIds: [sys['机房乙-系统']] }));
    expect(twice.statusCode).toBe(400);
    expect(twice.json().errors[0].message).toContain('其他机房');
  });

  it('a rented room migrates by its lease end; extending the lease in the register does not move it (LZ 19)', async () => {
    const r = await ok(
      post(
        health,
        '',
        room('卫健委租用机房', 3, {
          construction: 'rented',
          leaseEnd: '2027-06-30',
          systemIds: [sys['租用机房-系统']],
        }),
      ),
      201,
    );
    rented = r.id;
    expect(r).toMatchObject({ migrationDeadline: '2027-06-30', deadlineArticle: 'LZ 19', stage: 'transition' });
    const extended = await ok(
      as(t.app, health, {
        method: 'PATCH',
        url: `/api/v1/data-centres/${rented}`,
        payload: { leaseEnd: '2029-06-30' },
      }),
    );
    expect(extended).toMatchObject({
      leaseEnd: '2029-06-30',
      leaseEndRegistered: '2027-06-30',
      migrationDeadline: '2027-06-30',
    });
    // a rented room is not certified: it migrates within the lease (LZ 19)
    const applied = await post(health, `/${rented}/applications`, { answers: ANSWERS });
    expect(applied.statusCode).toBe(422);
    expect(applied.json().code).toBe('data_centre_rented');
    // a plan past the lease end is refused with the article
    const late = await as(t.app, health, {
      method: 'PUT',
      url: `/api/v1/data-centres/${rented}/plan`,
      payload: { items: [{ systemId: sys['租用机房-系统'], plan: 'migrate', targetDate: '2027-07-01' }] },
    });
    expect(late.statusCode).toBe(400);
    expect(late.json().errors[0]).toMatchObject({ field: 'body.items.0.targetDate' });
    expect(late.json().errors[0].message).toContain('2027-06-30');
  });

  it('a unit sees and edits only its own rooms; the ops unit, the authority and auditors see all', async () => {
    expect((await ok(get(health, ''))).total).toBe(4);
    expect((await ok(get(applicant, ''))).total).toBe(4); // the unit and its sub-unit
    expect((await ok(get(edu, ''))).total).toBe(0);
    for (const s of [edu, east, eastReviewer]) {
      const res = await get(s, `/${roomA}`);
      expect(res.statusCode).toBe(404);
      const patch = await as(t.app, s, {
        method: 'PATCH',
        url: `/api/v1/data-centres/${roomA}`,
        payload: { racks: 1 },
      });
      expect(patch.statusCode).toBe(s === edu || s === east ? 404 : 403);
    }
    for (const s of [reviewer, approver, auditor]) expect((await ok(get(s, ''))).total).toBe(4);
    expect((await ok(get(eastReviewer, ''))).total).toBe(0);
    // the ops unit sees but does not fill in a unit's register
    const byOps = await as(t.app, reviewer, {
      method: 'PATCH',
      url: `/api/v1/data-centres/${roomA}`,
      payload: { racks: 1 },
    });
    expect(byOps.statusCode).toBe(403);
    expect((await ok(get(health, `/${roomA}`))).racks).toBe(6);
  });

  it('the ops unit’s overview: rooms, racks, systems still off the cloud', async () => {
    const o = await ok(get(reviewer, '/overview'));
    expect(o).toMatchObject({ rooms: 4, racks: 6 + 5 + 8 + 3, systemsOffCloud: 5, classifiedSystems: 1, rented: 1 });
    expect(o.byUnit[0]).toMatchObject({ organisationName: '示范市卫生健康委员会', rooms: 4 });
  });
});

describe('certification (LZ 13, 14, 17)', () => {
  it('the pre-check shows which measurable criteria fail, with the article, before submission', async () => {
    const p = await ok(get(health, `/${roomB}/precheck`));
    expect(p.passed).toBe(false);
    expect(p.failed.map((f: { key: string; article: string }) => [f.key, f.article])).toEqual([['racks', 'LZ 13(3)']]);
    await ok(
      as(t.app, health, {
        method: 'PATCH',
        url: `/api/v1/data-centres/${roomA}`,
        payload: { areaSquareMetres: '39.99', fullTimeOperators: 1, gb50174Class: 'C', mlpsLevel: 2 },
      }),
    );
    const a = await ok(get(health, `/${roomA}/precheck`));
    expect(a.failed.map((f: { key: string; article: string }) => [f.key, f.article])).toEqual([
      ['gb50174Class', 'LZ 13(3)'],
      ['area', 'LZ 13(3)'],
      ['operators', 'LZ 13(4)'],
      ['mlpsLevel', 'LZ 13(5)'],
    ]);
    expect((await ok(get(health, `/${roomC}/precheck`))).passed).toBe(true);
  });

  it('submission needs every criterion answered with evidence; the ops unit then has 15 working days', async () => {
    const draft = await ok(post(health, `/${roomA}/applications`, { answers: { ...ANSWERS, security: '' } }), 201);
    const res = await post(health, `/applications/${draft.id}/submit`);
    expect(res.statusCode).toBe(400);
    const fields = res.json().errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining(['body.answers.security', 'attachments.network', 'attachments.security']),
    );
    await ok(post(health, `/applications/${draft.id}/withdraw`));
    const afterWithdrawal = await post(health, `/applications/${draft.id}/attachments`, evidence('network'));
    expect(afterWithdrawal.statusCode).toBe(409);
  });

  let appA: string;
  let appB: string;
  let appC: string;
  it('evaluation due on the 15th working day counted across the holidays and the make-up Saturday', async () => {
    at('2026-09-22T10:00:00');
    appA = await apply(roomA);
    appB = await apply(roomB);
    appC = await apply(roomC);
    const a = await ok(get(reviewer, `/applications/${appA}`));
    // 23, 24, 28, 29, 30 Sep; 8, 9, 10 (Saturday, make-up), 12, 13, 14, 15, 16, 19, 20 Oct
    expect(a.evaluation).toMatchObject({ workingDays: 15, article: 'LZ 14(3)', dueDay: '2026-10-20', overdue: false });
    expect(a.precheck.filter((i: { passed: boolean }) => !i.passed).length).toBe(4);
    expect((await ok(get(health, `/${roomA}`))).stage).toBe('applied');
    // the ops unit is told, with the due day
    const told = await inbox(reviewer, 'data_centre.application_submitted');
    expect(told.some((n) => n.title.zh.includes('2026-10-20') && n.title.zh.includes('卫健委机房甲'))).toBe(true);
    // a unit cannot evaluate or decide; the authority cannot evaluate
    expect(
      (await post(health, `/applications/${appA}/evaluation`, { recommendation: 'approve', opinion: 'x' })).statusCode,
    ).toBe(403);
    expect(
      (await post(approver, `/applications/${appA}/evaluation`, { recommendation: 'approve', opinion: 'x' }))
        .statusCode,
    ).toBe(403);
    // the authority cannot decide before the evaluation (LZ 14's order)
    const early = await post(approver, `/applications/${appA}/decision`, { decision: 'approve' });
    expect(early.statusCode).toBe(409);
  });

  it('an approval on the 6th working day (across the holiday and the make-up Saturday) is overdue and escalated; a 6-rack room refused gets 2 years from the approval day', async () => {
    at('2026-09-29T15:00:00');
    const noSurvey = await post(reviewer, `/applications/${appA}/evaluation`, {
      recommendation: 'refuse',
      opinion: '规模不达标',
    });
    expect(noSurvey.statusCode).toBe(400);
    expect(noSurvey.json().errors[0].field).toBe('body.siteSurveyOn');
    await ok(post(reviewer, `/applications/${appA}/attachments`, evidence('site_survey')), 201);
    const evaluated = await ok(
      post(reviewer, `/applications/${appA}/evaluation`, {
        siteSurveyOn: '2026-09-28',
        recommendation: 'refuse',
        opinion: '面积、等级、运维人员、等保级别不达标',
      }),
    );
    // 30 Sep; 8, 9, 10 (make-up Saturday), 12 Oct
    expect(evaluated.approval).toMatchObject({ workingDays: 5, article: 'LZ 14(4)', dueDay: '2026-10-12' });
    expect(evaluated.evaluation.overdue).toBe(false);
    // Tuesday 13 October: the 6th working day
    at('2026-10-13T09:00:00');
    const swept = await sweepDataCentres(t.database.db, clock.now());
    expect(swept.escalated).toBe(1);
    const overdue = await inbox(approver, 'data_centre.step_overdue');
    expect(overdue.some((n) => n.title.zh.includes('认定审批') && n.title.zh.includes('2026-10-12'))).toBe(true);
    expect((await inbox(health, 'data_centre.step_overdue')).length).toBe(1);
    expect((await sweepDataCentres(t.database.db, clock.now())).escalated).toBe(0);
    const decided = await ok(
      post(approver, `/applications/${appA}/decision`, { decision: 'refuse', reason: '不符合LZ 13' }),
    );
    expect(decided.application.approval).toMatchObject({ overdue: true, dueDay: '2026-10-12' });
    expect(decided.application.approval.escalatedAt).not.toBeNull();
    expect(decided.dataCentre).toMatchObject({
      stage: 'transition',
      approvedOn: '2026-10-13',
      transitionEnds: '2028-10-13',
      migrationDeadline: '2028-10-13',
      deadlineArticle: 'LZ 15(2)',
    });
  });

  it('an evaluation filed on the 16th working day is overdue and escalated; a 5-rack room refused gets 1 year from the approval day', async () => {
    // Wednesday 21 October: the 16th working day after 22 September
    at('2026-10-21T10:00:00');
    const res = await ok(
      post(reviewer, `/applications/${appB}/evaluation`, {
        siteSurveyOn: '2026-10-20',
        recommendation: 'refuse',
        opinion: '机架数不足6个',
      }),
    );
    expect(res.evaluation).toMatchObject({ dueDay: '2026-10-20', overdue: true });
    expect(res.evaluation.escalatedAt).toBe(clock.now().toISOString());
    const told = await inbox(reviewer, 'data_centre.step_overdue');
    expect(told.some((n) => n.title.zh.includes('评估意见') && n.title.zh.includes('卫健委机房乙'))).toBe(true);
    // the supervisor of the ops reviewer (SUPERVISOR_ROLE, as for orders) is told too
    const supervisor = await inbox(approver, 'data_centre.step_overdue');
    expect(supervisor.some((n) => n.title.zh.includes('评估意见') && n.title.zh.includes('卫健委机房乙'))).toBe(true);
    at('2026-10-22T10:00:00');
    const decided = await ok(
      post(approver, `/applications/${appB}/decision`, { decision: 'refuse', reason: '机架数不足' }),
    );
    expect(decided.application.approval.overdue).toBe(false);
    expect(decided.dataCentre).toMatchObject({
      approvedOn: '2026-10-22',
      transitionEnds: '2027-10-22',
      migrationDeadline: '2027-10-22',
      deadlineArticle: 'LZ 15(1)',
    });
  });

  it('an approved room is retained exactly 2 years from approval; its notices go out at the pack’s leads, once each', async () => {
    const swept = await sweepDataCentres(t.database.db, clock.now());
    expect(swept.escalated).toBe(1); // room C's evaluation, past 20 October
    await ok(
      post(reviewer, `/applications/${appC}/evaluation`, {
        siteSurveyOn: '2026-10-15',
        recommendation: 'approve',
        opinion: '符合认定标准',
      }),
    );
    at('2026-10-23T11:00:00');
    const decided = await ok(post(approver, `/applications/${appC}/decision`, { decision: 'approve', reason: null }));
    expect(decided.dataCentre).toMatchObject({
      stage: 'retained',
      approvedOn: '2026-10-23',
      retentionEnds: '2028-10-23',
      inRetention: true,
      migrationDeadline: '2029-10-23', // then migration within 1 year (LZ 14(5))
      deadlineArticle: 'LZ 14(5)',
    });
    // Liuzhou's pack: 90 and 30 days before the retention ends (LZ 18 gives none; the city's defaults)
    at('2028-07-24T23:00:00'); // 2028-07-25 is 90 days before 2028-10-23
    expect((await sweepDataCentres(t.database.db, clock.now())).notices).toBe(0);
    at('2028-07-25T08:00:00');
    expect((await sweepDataCentres(t.database.db, clock.now())).notices).toBe(1);
    expect((await sweepDataCentres(t.database.db, clock.now())).notices).toBe(0);
    at('2028-09-22T08:00:00');
    expect((await sweepDataCentres(t.database.db, clock.now())).notices).toBe(0);
    at('2028-09-23T08:00:00');
    expect((await sweepDataCentres(t.database.db, clock.now())).notices).toBe(1);
    const sent = await ok(get(health, `/${roomC}/notices`));
    expect(sent.map((n: { noticeDay: string; leadDays: number }) => [n.noticeDay, n.leadDays])).toEqual([
      ['2028-07-25', 90],
      ['2028-09-23', 30],
    ]);
    const unit = await inbox(health, 'data_centre.retention_ending');
    expect(unit.length).toBe(2);
    expect(unit[0]?.title.zh).toContain('2028-10-23');
    // the last day of the retention is still inside it; the day after, the room is in migration
    at('2028-10-23T20:00:00');
    expect((await ok(get(health, `/${roomC}`))).inRetention).toBe(true);
    expect((await sweepDataCentres(t.database.db, clock.now())).retentionEnded).toBe(0);
    at('2028-10-24T08:00:00');
    expect((await sweepDataCentres(t.database.db, clock.now())).retentionEnded).toBe(1);
    expect((await ok(get(health, `/${roomC}`))).stage).toBe('migrating');
  });

  it('the on-cloud rate counts migrated systems and, during retention, the systems of retained rooms (LZ 14(5))', async () => {
    const jurisdictionId = (await ok(get(health, `/${roomC}`))).jurisdictionId;
    const org = (await ok(get(health, `/${roomC}`))).organisationId;
    const asOps: AuthContext = {
      kind: 'user',
      id: 'evaluation-module',
      name: 'evaluation',
      organisationId: reviewer.me.organisation.id,
      organisationType: 'cloud_operations_unit',
      jurisdictionId,
      roles: ['ops_reviewer'],
      permissions: new Set(),
      visibility: { kind: 'jurisdiction', jurisdictions: [jurisdictionId] },
    };
    const during = await withTenant(t.database.db, asOps, (trx) => onCloudRate(trx, jurisdictionId, '2027-01-01', org));
    const after = await withTenant(t.database.db, asOps, (trx) => onCloudRate(trx, jurisdictionId, '2028-10-24', org));
    // health: 全民健康信息平台 on the cloud; 机房丙-系统 provisionally migrated while room C is retained
    expect(during.provisionallyMigrated).toBe(1);
    expect(after.provisionallyMigrated).toBe(0);
    expect(during.migrated).toBe(after.migrated);
    expect(during.systems).toBe(after.systems);
  });
});

describe('migration and closure (LZ 16)', () => {
  it('plans inside the transition, flags a room that will miss, records migration and shut-down, closes with evidence and equipment', async () => {
    at('2026-11-02T10:00:00');
    let a = await ok(get(health, `/${roomA}`));
    expect(a.progress.atRisk).toBe(true); // no plan yet
    const outside = await as(t.app, health, {
      method: 'PUT',
      url: `/api/v1/data-centres/${roomA}/plan`,
      payload: { items: [{ systemId: sys['机房甲-系统一'], plan: 'migrate', targetDate: '2028-10-14' }] },
    });
    expect(outside.statusCode).toBe(400);
    const classified = await as(t.app, health, {
      method: 'PUT',
      url: `/api/v1/data-centres/${roomA}/plan`,
      payload: { items: [{ systemId: sys['机房甲-涉密系统'], plan: 'migrate', targetDate: '2027-01-01' }] },
    });
    expect(classified.statusCode).toBe(400);
    a = await ok(
      as(t.app, health, {
        method: 'PUT',
        url: `/api/v1/data-centres/${roomA}/plan`,
        payload: {
          items: [
            { systemId: sys['机房甲-系统一'], plan: 'migrate', targetDate: '2027-03-31' },
            { systemId: sys['机房甲-系统二'], plan: 'shut_down', targetDate: '2027-06-30' },
          ],
        },
      }),
    );
    expect(a.progress).toMatchObject({ systems: 2, planned: 2, done: 0, atRisk: false });
    // a target date passes with the system still in the room: flagged ahead of the room's deadline
    at('2027-04-01T10:00:00');
    a = await ok(get(health, `/${roomA}`));
    expect(a.progress.atRisk).toBe(true);
    expect(a.progress.risks[0]).toContain('机房甲-系统一');
    const progress = await ok(get(reviewer, '/migration'));
    expect(progress.total.atRisk).toBeGreaterThanOrEqual(1);
    const eduProject = (await ok(as(t.app, edu, { url: '/api/v1/projects?limit=10' }))).items[0].id;
    const foreignProject = await post(health, `/${roomA}/systems/${sys['机房甲-系统一']}/done`, {
      doneOn: '2027-04-01',
      projectId: eduProject,
    });
    expect(foreignProject.statusCode).toBe(400);
    expect(foreignProject.json().errors[0].field).toBe('body.projectId');
    const healthProject = (await ok(as(t.app, health, { url: '/api/v1/projects?limit=10' }))).items[0].id;
    await ok(
      post(health, `/${roomA}/systems/${sys['机房甲-系统一']}/done`, {
        doneOn: '2027-04-01',
        projectId: healthProject,
        orderNumbers: ['YG-2027-0001'],
      }),
    );
    const noHandling = await post(health, `/${roomA}/systems/${sys['机房甲-系统二']}/done`, { doneOn: '2027-04-01' });
    expect(noHandling.statusCode).toBe(400);
    expect(noHandling.json().errors[0].field).toBe('body.dataHandling');
    a = await ok(
      post(health, `/${roomA}/systems/${sys['机房甲-系统二']}/done`, {
        doneOn: '2027-04-01',
        dataHandling: '数据迁入全民健康信息平台，原存储介质按等保要求销毁',
      }),
    );
    expect(a.progress).toMatchObject({ done: 2, remaining: 0, atRisk: false });
    const noEvidence = await post(health, `/${roomA}/closure`, { closedOn: '2027-04-01', note: '撤销', equipment: [] });
    expect(noEvidence.statusCode).toBe(400);
    await ok(post(health, `/${roomA}/attachments`, evidence('closure')), 201);
    const closed = await ok(
      post(health, `/${roomA}/closure`, {
        closedOn: '2027-04-01',
        note: '仅保留本部门内部办公网络设备机房',
        equipment: [{ kind: '服务器', model: '华为 2288H V5', quantity: 12, note: null }],
      }),
    );
    expect(closed).toMatchObject({ stage: 'closed', closedOn: '2027-04-01' });
    expect(closed.equipment[0].quantity).toBe(12);
    expect((await inbox(approver, 'data_centre.closed')).length).toBe(1);
    // attachments: the unit and the ops unit read them, another unit does not
    const files = await ok(get(reviewer, `/${roomA}/attachments`));
    const download = await as(t.app, reviewer, { url: `/api/v1/data-centres/attachments/${files[0].id}` });
    expect(download.statusCode).toBe(200);
    expect(download.body).toContain('closure');
    expect((await as(t.app, edu, { url: `/api/v1/data-centres/attachments/${files[0].id}` })).statusCode).toBe(404);
  });
});

describe('Excel exports', () => {
  it('the register and the migration progress, in Chinese, with names and never ids', async () => {
    const res = await get(reviewer, '/export');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain(XLSX_MEDIA_TYPE);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.rawPayload as unknown as ExcelJS.Buffer);
    const sheet = book.getWorksheet('存量数据中心');
    expect(sheet?.getRow(1).getCell(3).value).toBe('机房名称');
    const names = [2, 3, 4, 5].map((r) => sheet?.getRow(r).getCell(3).value);
    expect(names).toEqual(expect.arrayContaining(['卫健委机房甲', '卫健委机房乙', '卫健委机房丙', '卫健委租用机房']));
    const rentedRow = [2, 3, 4, 5].find((r) => sheet?.getRow(r).getCell(3).value === '卫健委租用机房') as number;
    expect(sheet?.getRow(rentedRow).getCell(4).value).toBe('租用第三方');
    expect(sheet?.getRow(rentedRow).getCell(24).value).toBe('2027-06-30');
    const text = JSON.stringify(sheet?.getSheetValues());
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);

    const progress = await get(health, '/migration/export');
    expect(progress.statusCode).toBe(200);
    const book2 = new ExcelJS.Workbook();
    await book2.xlsx.load(progress.rawPayload as unknown as ExcelJS.Buffer);
    const rooms = book2.getWorksheet('迁移进度');
    expect(rooms?.getRow(1).getCell(3).value).toBe('机房名称');
    const systems = book2.getWorksheet('系统明细');
    const all = JSON.stringify(systems?.getSheetValues());
    expect(all).toContain('整合关停');
    expect(all).toContain('YG-2027-0001');
    // a unit's export holds its own rooms only
    const eduExport = await get(edu, '/export');
    const book3 = new ExcelJS.Workbook();
    await book3.xlsx.load(eduExport.rawPayload as unknown as ExcelJS.Buffer);
    expect(book3.getWorksheet('存量数据中心')?.rowCount).toBe(1);
  });
});

describe('the sensitive-data path (LZ 17) and cities without certification', () => {
  it('goes straight to evaluation (no period in LZ 17) and approval within 5 working days; retained 2 years', async () => {
    at('2026-11-02T10:00:00'); // Monday
    const id = (await ok(post(health, '', room('卫健委应急指挥机房', 4, { areaSquareMetres: '20' })), 201)).id;
    const draft = await ok(
      post(health, `/${id}/applications`, { path: 'sensitive', sensitiveReason: null, answers: ANSWERS }),
      400,
    );
    expect(draft.errors[0].field).toBe('body.sensitiveReason');
    // no evidence per criterion is asked for: LZ 17 does not decide on LZ 13's criteria
    const app = await ok(
      post(health, `/${id}/applications`, { path: 'sensitive', sensitiveReason: '承载应急处置数据', answers: ANSWERS }),
      201,
    );
    const submitted = await ok(post(health, `/applications/${app.id}/submit`));
    expect(submitted.evaluation).toMatchObject({ workingDays: null, article: 'LZ 17', dueDay: null, overdue: false });
    at('2027-03-01T10:00:00');
    expect((await sweepDataCentres(t.database.db, clock.now())).escalated).toBe(0);
    at('2026-11-02T15:00:00');
    const evaluated = await ok(
      post(reviewer, `/applications/${app.id}/evaluation`, { recommendation: 'approve', opinion: '承载应急处置数据' }),
    );
    // 3, 4, 5, 6, 9 November
    expect(evaluated.approval).toMatchObject({ workingDays: 5, article: 'LZ 17', dueDay: '2026-11-09' });
    at('2026-11-09T17:00:00');
    const decided = await ok(post(approver, `/applications/${app.id}/decision`, { decision: 'approve', reason: null }));
    expect(decided.application.approval.overdue).toBe(false);
    expect(decided.dataCentre).toMatchObject({
      stage: 'retained',
      approvedOn: '2026-11-09',
      retentionEnds: '2028-11-09',
    });
  });

  it('a city whose regulation has no certification refuses an application (422) and says so', async () => {
    const id = (await ok(post(east, '', room('东城区民政局机房', 8)), 201)).id;
    const res = await post(east, `/${id}/applications`, { answers: ANSWERS });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('data_centre_not_provided');
    // the pre-check has nothing to check: the pack's values are not provided
    expect((await ok(get(east, `/${id}/precheck`))).items).toEqual([]);
  });
});
