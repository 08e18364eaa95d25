import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { as, login, type Session } from '../../../test/sessions.ts';
import { XLSX_MEDIA_TYPE } from '../../platform/spreadsheet.ts';
import { ManualClock } from '../../platform/time/clock.ts';
import { seedDemo } from '../../seed.ts';
import { dataErrorCounts, sweepSharedData } from './index.ts';
import { ok, projectOf, resourceBody, sysadminSession, systemOf, unitAdmin } from './shareddata.fixtures.ts';

// The catalogue (versions, review, search, Excel), data error feedback with the pack's deadline, and tenant
// isolation of the two-party tables. The gateway itself is shareddata.gateway.db.test.ts.

const clock = new ManualClock('2026-09-28T02:00:00Z'); // Monday 28 September 2026, before the National Day holiday
let t: TestApp;
let health: Session;
let healthApplicant: Session;
let reviewer: Session;
let approver: Session;
let edu: Session;
let eduAdmin: Session;
let east: Session;
let healthSystem: string;
let eduProject: string;
let resourceId: string;

const post = (s: Session, url: string, payload: unknown = {}) =>
  as(t.app, s, { method: 'POST', url: `/api/v1/shared-data${url}`, payload: payload as object });
const get = (s: Session, url: string) => as(t.app, s, { url: `/api/v1/shared-data${url}` });

beforeAll(async () => {
  t = await testApp({ clock });
  await seedDemo(t.database.db);
  health = await login(t.app, 'unitadmin');
  healthApplicant = await login(t.app, 'applicant');
  reviewer = await login(t.app, 'reviewer');
  approver = await login(t.app, 'approver');
  edu = await login(t.app, 'edu');
  east = await login(t.app, 'eastunit');
  // one sign-in: a TOTP code is accepted once (issue 15)
  const sysadmin = await sysadminSession(t.app, t.database.db);
  eduAdmin = await unitAdmin(t.app, sysadmin, 'demo-education');
  await ok(
    as(t.app, approver, {
      method: 'PUT',
      url: '/api/v1/jurisdictions/demo-city/policy',
      payload: { packId: 'ningbo-2014' },
    }),
  );
  healthSystem = await systemOf(t.app, health, '全民健康信息平台');
  eduProject = await projectOf(t.app, edu, '智慧教育招生平台');
  // Publishing checks the endpoint against the egress policy: a public address on an allowed host.
  await ok(
    as(t.app, sysadmin, {
      method: 'PUT',
      url: '/api/v1/webhooks/egress-policy',
      payload: { allowedHosts: ['203.0.114.10'], allowedNetworks: [] },
    }),
  );
}, 120_000);
afterAll(() => t?.close());

const ENDPOINT = 'http://203.0.114.10/api/people';

describe('the catalogue', () => {
  it('refuses an incomplete entry, naming each field, and stores nothing', async () => {
    const res = await post(health, '/resources', {
      ...resourceBody(healthSystem),
      sharingCondition: null,
      endpointUrl: 'ftp://user:pw@x/',
      fields: [
        { name: 'a', type: 'string', meaning: '甲', sensitivity: 'public' },
        { name: 'a', type: 'string', meaning: '乙', sensitivity: 'public' },
      ],
    });
    expect(res.statusCode).toBe(400);
    expect(
      res
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['body.endpointUrl', 'body.fields.1.name', 'body.sharingCondition']);
    const foreignSystem = await post(
      health,
      '/resources',
      resourceBody(await systemOf(t.app, edu, '中小学招生报名系统'), { endpointUrl: ENDPOINT }),
    );
    expect(foreignSystem.statusCode).toBe(400);
    expect(foreignSystem.json().errors[0].field).toBe('body.systemId');
    expect((await get(health, '/resources?view=mine')).json().total).toBe(0);
  });

  it('keeps versions: draft, review, return, publish; a new version supersedes the old one', async () => {
    resourceId = (await ok(post(health, '/resources', resourceBody(healthSystem, { endpointUrl: ENDPOINT })), 201)).id;
    await ok(
      as(t.app, health, {
        method: 'PUT',
        url: `/api/v1/shared-data/resources/${resourceId}/draft`,
        payload: resourceBody(healthSystem, { endpointUrl: ENDPOINT }),
      }),
    );
    // A consumer does not see a draft.
    expect((await get(edu, `/resources/${resourceId}`)).statusCode).toBe(404);
    await ok(post(health, `/resources/${resourceId}/submit`));
    expect((await get(reviewer, '/resources?view=review')).json().items.map((i: { id: string }) => i.id)).toContain(
      resourceId,
    );
    const editing = await as(t.app, health, {
      method: 'PUT',
      url: `/api/v1/shared-data/resources/${resourceId}/draft`,
      payload: resourceBody(healthSystem, { endpointUrl: ENDPOINT }),
    });
    expect(editing.json().code).toBe('data_transition_refused');
    const noComment = await post(reviewer, `/resources/${resourceId}/review`, { decision: 'return', comment: null });
    expect(noComment.statusCode).toBe(400);
    await ok(post(reviewer, `/resources/${resourceId}/review`, { decision: 'return', comment: '请补充数据范围' }));
    await ok(
      as(t.app, health, {
        method: 'PUT',
        url: `/api/v1/shared-data/resources/${resourceId}/draft`,
        payload: resourceBody(healthSystem, { endpointUrl: ENDPOINT, scope: '全市常住人口（2015 年以来）' }),
      }),
    );
    await ok(post(health, `/resources/${resourceId}/submit`));
    const v1 = await ok(post(reviewer, `/resources/${resourceId}/review`, { decision: 'publish', comment: null }));
    expect(v1.published.scope).toBe('全市常住人口（2015 年以来）');
    // Version 2: only a description change; version 1 stays published until version 2 is.
    await ok(
      as(t.app, health, {
        method: 'PUT',
        url: `/api/v1/shared-data/resources/${resourceId}/draft`,
        payload: resourceBody(healthSystem, { endpointUrl: ENDPOINT, description: '第二版摘要' }),
      }),
    );
    const seenByEdu = await ok(get(edu, `/resources/${resourceId}`));
    expect(seenByEdu.published.version).toBe(1);
    expect(seenByEdu.open).toBeNull();
    expect(seenByEdu.credential).toBeNull();
    await ok(post(health, `/resources/${resourceId}/submit`));
    const v2 = await ok(post(reviewer, `/resources/${resourceId}/review`, { decision: 'publish', comment: null }));
    expect(v2.versions.map((v: { version: number; status: string }) => `${v.version}:${v.status}`)).toEqual([
      '2:published',
      '1:superseded',
    ]);
    const old = await ok(get(edu, `/resources/${resourceId}/versions/1`));
    expect(old.description).toBe('全市居民电子健康档案的基本信息摘要');
  });

  it('is searchable by every signed-in unit, by text, sharing type and provider', async () => {
    for (const [session, q] of [
      [edu, '健康档案'],
      [east, '出生日期'],
      [approver, '卫生健康'],
    ] as const) {
      const res = await ok(get(session, `/resources?q=${encodeURIComponent(q)}`));
      expect(
        res.items.map((i: { id: string }) => i.id),
        q,
      ).toContain(resourceId);
    }
    const unconditional = await ok(get(edu, '/resources?sharingType=unconditional'));
    expect(unconditional.items.map((i: { id: string }) => i.id)).not.toContain(resourceId);
    const guide = await ok(get(east, '/guide'));
    expect(guide.publishedResources).toBeGreaterThanOrEqual(1);
  });

  it('exports the catalogue as Excel and imports it back; one bad cell refuses the whole file', async () => {
    const exported = await get(health, '/resources/export?view=mine');
    expect(exported.statusCode).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(exported.rawPayload as unknown as ExcelJS.Buffer);
    const sheet = workbook.getWorksheet('共享数据目录');
    expect(sheet?.getRow(2).getCell(2).value).toBe('居民电子健康档案摘要');
    expect(sheet?.getRow(2).getCell(12).value).toBe(ENDPOINT);
    // The public catalogue export leaves the endpoint out.
    const publicExport = await get(edu, '/resources/export');
    const publicBook = new ExcelJS.Workbook();
    await publicBook.xlsx.load(publicExport.rawPayload as unknown as ExcelJS.Buffer);
    expect(publicBook.getWorksheet('共享数据目录')?.getRow(2).getCell(12).value ?? null).toBeNull();

    // A new entry with a formula-like text, plus the existing one (becomes its version 3 draft).
    const rows = workbook.getWorksheet('共享数据目录') as ExcelJS.Worksheet;
    rows.getRow(3).values = [
      2,
      '=HYPERLINK("x")预约挂号记录',
      '预约挂号与就诊记录',
      '全民健康信息平台',
      'CSV',
      '每日',
      '无条件共享',
      null,
      null,
      '全市二级以上医院',
      '文件',
      'http://203.0.114.10/files/visits.csv',
    ];
    const fields = workbook.getWorksheet('信息项') as ExcelJS.Worksheet;
    fields.addRow(['=HYPERLINK("x")预约挂号记录', 'visitDate', '就诊日期', '日期', '内部']);
    const bad = new ExcelJS.Workbook();
    await bad.xlsx.load(Buffer.from(await workbook.xlsx.writeBuffer()) as unknown as ExcelJS.Buffer);
    (bad.getWorksheet('共享数据目录') as ExcelJS.Worksheet).getRow(3).getCell(7).value = '部分共享';
    (bad.getWorksheet('共享数据目录') as ExcelJS.Worksheet).getRow(3).getCell(4).value = '不存在的系统';
    const refused = await as(t.app, health, {
      method: 'POST',
      url: '/api/v1/shared-data/resources/import',
      headers: { 'content-type': XLSX_MEDIA_TYPE },
      payload: Buffer.from(await bad.xlsx.writeBuffer()),
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errors.map((e: { field: string }) => e.field)).toEqual([
      '共享数据目录 第 3 行，共享类型（G3）',
    ]);
    const before = (await get(health, '/resources?view=mine')).json().total;
    const imported = await ok(
      as(t.app, health, {
        method: 'POST',
        url: '/api/v1/shared-data/resources/import',
        headers: { 'content-type': XLSX_MEDIA_TYPE },
        payload: Buffer.from(await workbook.xlsx.writeBuffer()),
      }),
      201,
    );
    expect(imported).toMatchObject({ created: 1, updated: 1 });
    expect((await get(health, '/resources?view=mine')).json().total).toBe(before + 1);
    const again = await get(health, '/resources/export?view=mine');
    const reread = new ExcelJS.Workbook();
    await reread.xlsx.load(again.rawPayload as unknown as ExcelJS.Buffer);
    const names = [2, 3].map((r) => reread.getWorksheet('共享数据目录')?.getRow(r).getCell(2).value);
    expect(names).toContain('\'=HYPERLINK("x")预约挂号记录');
  });
});

describe('data errors', () => {
  let reportId: string;

  it('only a unit that was granted the data can report; the deadline is the pack’s working days', async () => {
    const notGranted = await post(edu, '/error-reports', {
      resourceId,
      recordReference: 'P002',
      field: 'birthDate',
      description: '出生日期与户籍登记不一致',
    });
    expect(notGranted.statusCode).toBe(404);
    const applied = await ok(
      post(edu, '/applications', {
        resourceId,
        projectId: eduProject,
        purpose: '新生入学资格核验',
        fields: ['name', 'birthDate'],
        validFrom: '2026-09-28',
        validTo: '2026-12-31',
      }),
      201,
    );
    await ok(post(health, `/applications/${applied.id}/decision`, { decision: 'approve' }));
    await ok(post(reviewer, `/applications/${applied.id}/review`, { decision: 'approve' }));
    const badField = await post(edu, '/error-reports', {
      resourceId,
      recordReference: 'P002',
      field: 'address',
      description: 'x',
    });
    expect(badField.json().errors[0].field).toBe('body.field');
    const report = await ok(
      post(edu, '/error-reports', {
        resourceId,
        recordReference: 'P002',
        field: 'birthDate',
        description: '出生日期与户籍登记不一致',
      }),
      201,
    );
    reportId = report.id;
    // 10 working days from Monday 28 September 2026 across the National Day holiday (1-7 October off; Saturday
    // 10 October a make-up working day): 29, 30 Sep, 8, 9, 10, 12, 13, 14, 15, 16 Oct.
    expect(report).toMatchObject({ status: 'reported', deadlineWorkingDays: 10, fieldMeaning: '出生日期' });
    expect(report.dueAt).toBe(new Date('2026-10-16T23:59:59.999+08:00').toISOString());
  });

  it('each step belongs to its party, in order; overdue reports escalate once', async () => {
    const byConsumer = await post(eduAdmin, `/error-reports/${reportId}/acknowledge`, { note: null });
    expect(byConsumer.statusCode).toBe(403);
    const confirmTooEarly = await post(eduAdmin, `/error-reports/${reportId}/confirm`, { note: null });
    expect(confirmTooEarly.json().code).toBe('data_transition_refused');
    await ok(post(health, `/error-reports/${reportId}/acknowledge`, { note: '已转数据治理组核实' }));
    clock.set('2026-10-16T15:59:00Z'); // 23:59 on the due day: not yet overdue
    expect((await sweepSharedData(t.database.db, clock.now())).escalated).toBe(0);
    clock.set('2026-10-16T16:00:01Z');
    expect((await sweepSharedData(t.database.db, clock.now())).escalated).toBe(1);
    expect((await sweepSharedData(t.database.db, clock.now())).escalated).toBe(0);
    const overdue = await ok(get(reviewer, '/error-reports?view=all&overdue=true'));
    expect(overdue.items[0]).toMatchObject({ id: reportId, overdue: true });
    const notices = await t.database.db
      .selectFrom('notification')
      .select('kind')
      .where('kind', '=', 'shared_data.error_overdue')
      .execute();
    expect(notices.length).toBeGreaterThanOrEqual(2);
    await ok(post(health, `/error-reports/${reportId}/correct`, { correction: '已按户籍登记更正为 1985-02-12' }));
    await ok(post(edu, `/error-reports/${reportId}/reject`, { reason: '仍显示旧日期' }));
    await ok(post(health, `/error-reports/${reportId}/correct`, { correction: '缓存已刷新' }));
    const confirmed = await ok(post(edu, `/error-reports/${reportId}/confirm`, { note: null }));
    expect(confirmed).toMatchObject({ status: 'confirmed', rejections: 1, overdue: false });
    const [counts] = await dataErrorCounts(
      t.database.db,
      [await jurisdictionId('demo-city')],
      new Date('2026-01-01T00:00:00Z'),
      new Date('2027-01-01T00:00:00Z'),
      clock.now(),
    );
    expect(counts).toMatchObject({
      providerName: '示范市卫生健康委员会',
      reported: 1,
      corrected: 1,
      correctedLate: 1,
      open: 0,
    });
  });
});

async function jurisdictionId(code: string): Promise<string> {
  const row = await t.database.db
    .selectFrom('jurisdiction')
    .select('id')
    .where('code', '=', code)
    .executeTakeFirstOrThrow();
  return row.id;
}

describe('tenant isolation of two-party data', () => {
  it('a unit that is neither party sees no grant, report or trace, and a foreign one answers like a missing one', async () => {
    const grants = (await get(health, '/applications?view=provider')).json().items as { id: string }[];
    const grantId = grants[0]?.id as string;
    const report = (await get(edu, '/error-reports')).json().items[0] as { id: string };
    for (const [url, what] of [
      [`/applications/${grantId}`, 'grant'],
      [`/error-reports/${report.id}`, 'report'],
    ] as const) {
      const foreign = await get(east, url);
      const missing = await get(east, url.replace(/[0-9a-f-]{36}$/, '5b0e3c1c-2b7a-4c58-9d1e-000000000000'));
      expect(foreign.statusCode, what).toBe(404);
      expect(foreign.json().code).toBe(missing.json().code);
      expect(foreign.json().title).toBe(missing.json().title);
    }
    expect((await get(east, '/applications?view=mine')).json().total).toBe(0);
    expect((await get(east, '/error-reports?view=provider')).json().total).toBe(0);
    // Actions by a third unit are refused as if the objects did not exist.
    expect((await post(east, `/applications/${grantId}/withdraw`)).statusCode).toBe(404);
    expect((await post(healthApplicant, `/applications/${grantId}/withdraw`)).statusCode).toBe(403);
    // Row-level security holds without the service's filters: as the tenant role, the east unit reads nothing.
    const { withTenant } = await import('../../platform/auth/auth.ts');
    const eastOrg = east.me.organisation.id;
    const rows = await withTenant(
      t.database.db,
      {
        kind: 'user',
        id: 'x',
        name: 'x',
        organisationId: eastOrg,
        organisationType: 'using_unit',
        jurisdictionId: await jurisdictionId('demo-east'),
        roles: [],
        permissions: new Set(),
        visibility: { kind: 'organisation', organisations: [eastOrg] },
      },
      async (trx) => ({
        grants: await trx.selectFrom('data_grant').select('id').execute(),
        reports: await trx.selectFrom('data_error_report').select('id').execute(),
        credentials: await trx.selectFrom('data_resource_credential').select('resource_id').execute(),
        drafts: await trx.selectFrom('data_resource_version').select('status').where('status', '=', 'draft').execute(),
      }),
    );
    expect(rows).toEqual({ grants: [], reports: [], credentials: [], drafts: [] });
  });
});
