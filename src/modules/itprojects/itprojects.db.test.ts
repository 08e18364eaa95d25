import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, type TestApp, testApp } from '../../../test/helpers.ts';
import { as, login, type Session } from '../../../test/sessions.ts';
import { XLSX_MEDIA_TYPE } from '../../platform/spreadsheet.ts';
import { ManualClock } from '../../platform/time/clock.ts';
import { seedDemo } from '../../seed.ts';
import { registerFulfilment } from '../provisioning/index.ts';

// A full Jiuquan round (JQ-proj 7-17) through the HTTP API under the ManualClock, on the demo city switched
// to the Jiuquan pack: the round opens in September with its deadline from the calendar, the unit declares
// with its deployment plan priced from the catalogue and its data-sharing plan, the ops unit's preliminary
// review answers the pack's checklist, the authority sets the annual plan within the ceiling, the pack's role
// (the economy & IT approver for the 发改委) approves, design review, quota, first order; a project that
// skipped the review gets neither quota nor orders (JQ-proj 9). Then the urgent path (JQ-proj 8), changes
// (JQ-proj 12), acceptance with rectification and re-acceptance (JQ-proj 14-16) and the evaluation date
// (JQ-proj 17), and the declaration form through Excel.

const clock = new ManualClock('2026-08-20T02:00:00Z'); // Thursday 20 August 2026, 10:00 in Shanghai
let t: TestApp;
let unit: Session;
let reviewer: Session;
let approver: Session;
let econ: Session;
let other: Session;
let systemId: string;
let roundId: string;
const projects: Record<string, string> = {};
const declarations: Record<string, string> = {};
let firstOrder: string;

type Answer = any;
async function ok(res: Promise<{ statusCode: number; body: string; json(): unknown }>, status = 200): Promise<Answer> {
  const r = await res;
  expect(r.statusCode, r.body).toBe(status);
  return r.json();
}
const post = (s: Session, url: string, payload: unknown = {}) =>
  as(t.app, s, { method: 'POST', url: `/api/v1${url}`, payload: payload as object });
const get = (s: Session, url: string) => as(t.app, s, { url: `/api/v1${url}` });
const at = (shanghai: string) => clock.set(`${shanghai}+08:00`);

const vm = {
  environment: 'production',
  itemCode: 'cloud-vm',
  count: 2,
  specification: { vcpu: 4, memoryGb: 8, systemDiskGb: 40, dataDiskGb: 100 },
};
const testVm = {
  environment: 'test',
  itemCode: 'cloud-vm',
  count: 1,
  specification: { vcpu: 2, memoryGb: 4, systemDiskGb: 40 },
};
const sharing = [
  { direction: 'provides', name: '居民健康档案', description: '向医保、民政共享' },
  { direction: 'uses', name: '人口基础信息', description: '从公安人口库获取' },
];
const declaration = (projectId: string, investment: string, extra: Record<string, unknown> = {}) => ({
  projectId,
  roundId,
  feasibilitySummary: '建设全市统一的健康信息平台，依托政务云部署。',
  investment,
  fundingSource: '市级财政资金',
  deploymentPlan: [vm, testVm],
  dataSharingPlan: sharing,
  ...extra,
});
const ALL_PASS = [
  { item: 'fits_plan', passed: true, note: '符合全市智慧城市建设规划' },
  { item: 'on_cloud', passed: true, note: '依托政务云开发、部署、运行' },
  { item: 'data_sharing', passed: true, note: '健康档案向相关部门共享' },
];

async function newProject(name: string, year = 2027): Promise<string> {
  const p = await ok(
    post(unit, '/projects', {
      approvalNo: `酒发改〔2026〕${Object.keys(projects).length + 1}号`,
      name,
      year,
      systemIds: [systemId],
    }),
    201,
  );
  projects[name] = p.id;
  return p.id;
}

async function declared(name: string, investment: string, extra: Record<string, unknown> = {}) {
  const d = await ok(
    post(unit, '/it-projects/declarations', declaration(projects[name] as string, investment, extra)),
    201,
  );
  declarations[name] = d.id;
  return d;
}

/** The demo's provider operator, signed in for `providerId` (granted there first when the demo has no one). */
async function operatorOf(providerId: string): Promise<Session> {
  const operator = await t.database.db
    .selectFrom('user_account')
    .select('id')
    .where('username', '=', 'provider')
    .executeTakeFirstOrThrow();
  await t.database.db
    .insertInto('role_assignment')
    .values({ user_id: operator.id, organisation_id: providerId, role: 'provider_operator', granted_by: 'test' })
    .onConflict((oc) => oc.doNothing())
    .execute();
  return login(t.app, 'provider', { organisationId: providerId });
}

beforeAll(async () => {
  t = await testApp({ clock });
  await seedDemo(t.database.db);
  [unit, reviewer, approver, econ, other] = (await Promise.all(
    ['applicant', 'reviewer', 'approver', 'econ', 'edu'].map((u) => login(t.app, u)),
  )) as Session[] as [Session, Session, Session, Session, Session];
  registerFulfilment();
  await ok(
    as(t.app, approver, {
      method: 'PUT',
      url: '/api/v1/jurisdictions/demo-city/policy',
      payload: { packId: 'jiuquan-2018' },
    }),
  );
  systemId = (
    await ok(
      post(unit, '/systems', {
        name: '全民健康信息平台',
        mlpsLevel: 2,
        networkZone: '公共网络区',
        filingStatus: 'filed',
        filingNumber: '62090013001-26001',
        commitmentLetterOnFile: true,
        commitmentLetterDate: '2026-08-01',
      }),
      201,
    )
  ).id;
  for (const name of ['健康平台', '跳过审查项目', '大项目', '超期项目', '急需项目', '表格导入项目'])
    await newProject(name);
}, 180_000);
afterAll(() => t?.close());

describe('a Jiuquan round, declaration to first order (JQ-proj 7-9)', () => {
  it('opens only in September, for next year, with the last working day of September as its deadline', async () => {
    const early = await post(approver, '/it-projects/rounds', {
      jurisdiction: 'demo-city',
      planYear: 2027,
      investmentCeiling: '3000000',
    });
    expect(early.statusCode, early.body).toBe(409);
    expect(early.json().detail).toContain('JQ-proj 7(1)');
    at('2026-09-01T10:00:00');
    const wrongYear = await post(approver, '/it-projects/rounds', {
      jurisdiction: 'demo-city',
      planYear: 2026,
      investmentCeiling: '3000000',
    });
    expect(wrongYear.statusCode).toBe(409);
    expect(
      (await post(unit, '/it-projects/rounds', { jurisdiction: 'demo-city', planYear: 2027, investmentCeiling: '1' }))
        .statusCode,
    ).toBe(403);
    const round = await ok(
      post(approver, '/it-projects/rounds', {
        jurisdiction: 'demo-city',
        planYear: 2027,
        investmentCeiling: '3000000',
      }),
      201,
    );
    expect(round).toMatchObject({
      planYear: 2027,
      openedOn: '2026-09-01',
      deadline: '2026-09-30',
      status: 'open',
      investmentCeiling: '3000000.00',
    });
    roundId = round.id;
  });

  it('a declaration carries both plans (NB 17, JQ-proj 7(1)); the deployment plan is priced from the catalogue in force', async () => {
    const noSharing = await post(
      unit,
      '/it-projects/declarations',
      declaration(projects.健康平台 as string, '1000000', { dataSharingPlan: [] }),
    );
    expect(noSharing.statusCode, noSharing.body).toBe(400);
    expect(noSharing.json().errors).toEqual([
      { field: 'body.dataSharingPlan', message: expect.stringContaining('JQ-proj 7(1)') },
    ]);
    const unknownItem = await post(
      unit,
      '/it-projects/declarations',
      declaration(projects.健康平台 as string, '1000000', { deploymentPlan: [{ ...vm, itemCode: 'no-such-item' }] }),
    );
    expect(unknownItem.json().errors[0].field).toBe('body.deploymentPlan.0.itemCode');
    const d = await declared('健康平台', '1000000');
    // cloud-vm at the demo prices: 60/vCPU, 20/GB memory, 0.5/GB storage a month.
    // production 2 x (4x60 + 8x20 + 140x0.5) = 940; test 1 x (2x60 + 4x20 + 40x0.5) = 220; x 12 months
    expect(d).toMatchObject({
      status: 'draft',
      investment: '1000000.00',
      annualCloudCost: '13920.00',
      urgent: false,
      planYear: 2027,
    });
    expect(d.deploymentPlan.map((l: { monthlyFen: string }) => l.monthlyFen)).toEqual(['94000', '22000']);
    // another unit sees nothing of it
    expect((await get(other, `/it-projects/declarations/${d.id}`)).statusCode).toBe(404);
    await ok(post(unit, `/it-projects/declarations/${d.id}/submit`));
    await declared('大项目', '2500000');
    await ok(post(unit, `/it-projects/declarations/${declarations.大项目}/submit`));
  });

  it('the preliminary review answers every item of the pack’s checklist with a note', async () => {
    const id = declarations.健康平台 as string;
    expect((await post(unit, `/it-projects/declarations/${id}/review`, { answers: ALL_PASS })).statusCode).toBe(403);
    const partial = await post(reviewer, `/it-projects/declarations/${id}/review`, { answers: ALL_PASS.slice(0, 2) });
    expect(partial.statusCode).toBe(400);
    expect(partial.json().detail).toContain('data_sharing');
    const noNote = await post(reviewer, `/it-projects/declarations/${id}/review`, {
      answers: ALL_PASS.map((a, i) => (i === 1 ? { ...a, note: ' ' } : a)),
    });
    expect(noNote.json().errors[0].field).toBe('body.answers.1.note');
    const d = await ok(post(reviewer, `/it-projects/declarations/${id}/review`, { answers: ALL_PASS }));
    expect(d).toMatchObject({ status: 'review_passed', reviewChecklist: ALL_PASS });
    expect(d.checklist).toEqual([
      { item: 'fits_plan', article: 'JQ-proj 7(2)' },
      { item: 'on_cloud', article: 'JQ-proj 7(2)' },
      { item: 'data_sharing', article: 'JQ-proj 7(2)' },
    ]);
    await ok(post(approver, `/it-projects/declarations/${declarations.大项目}/review`, { answers: ALL_PASS }));
  });

  it('a project that skipped the review gets no approval, quota or orders (JQ-proj 9), the article in the error', async () => {
    const skipped = projects.跳过审查项目 as string;
    await ok(post(unit, `/projects/${skipped}/submit`));
    const approval = await post(approver, `/projects/${skipped}/decision`, { decision: 'approve' });
    expect(approval.statusCode, approval.body).toBe(409);
    expect(approval.json().detail).toContain('JQ-proj 9');
    const quota = await as(t.app, econ, {
      method: 'PUT',
      url: `/api/v1/projects/${skipped}/quota`,
      payload: { base: { vcpu: '8' } },
    });
    expect(quota.statusCode).toBe(409);
    expect(quota.json().detail).toContain('JQ-proj 9');
    const order = await post(unit, '/orders', {
      type: 'new_resources',
      title: '未审查项目申请资源',
      projectId: skipped,
      systemId,
      lines: [
        {
          itemCode: 'cloud-vm',
          specification: { vcpu: 2, memoryGb: 4, systemDiskGb: 40, dataDiskGb: 0, os: 'CentOS 7.9' },
          quantity: 1,
        },
      ],
    });
    expect(order.statusCode, order.body).toBe(422);
    expect(order.json().detail).toContain('JQ-proj 9');
  });

  it('the round closes at its deadline', async () => {
    at('2026-10-08T09:00:00');
    const late = await post(unit, '/it-projects/declarations', declaration(projects.超期项目 as string, '100000'));
    expect(late.statusCode).toBe(409);
    expect(late.json().detail).toContain('2026-09-30');
  });

  it('the annual plan takes passed declarations within the investment ceiling (JQ-proj 7(3))', async () => {
    expect((await post(econ, `/it-projects/declarations/${declarations.健康平台}/approve`, {})).statusCode).toBe(409);
    const over = await post(approver, `/it-projects/rounds/${roundId}/plan`, {
      declarationIds: [declarations.健康平台, declarations.大项目],
    });
    expect(over.statusCode).toBe(409);
    expect(over.json().detail).toContain('3500000.00');
    const plan = await ok(
      post(approver, `/it-projects/rounds/${roundId}/plan`, { declarationIds: [declarations.健康平台] }),
    );
    expect(plan).toMatchObject({ status: 'planned', investment: '1000000.00' });
    expect((await ok(get(approver, `/it-projects/declarations/${declarations.大项目}`))).status).toBe('not_in_plan');
  });

  it('the pack’s role approves (JQ-proj 7(4)); design review; the quota; the first order', async () => {
    const id = declarations.健康平台 as string;
    const wrongRole = await post(approver, `/it-projects/declarations/${id}/approve`, {});
    expect(wrongRole.statusCode).toBe(403);
    expect(wrongRole.json().detail).toContain('economy_it_approver');
    const d = await ok(post(econ, `/it-projects/declarations/${id}/approve`, { comment: '同意立项' }));
    expect(d).toMatchObject({ status: 'approved', projectStatus: 'approved' });
    expect((await ok(get(unit, `/projects/${projects.健康平台}`))).status).toBe('approved');
    const design = await ok(
      post(approver, `/it-projects/declarations/${id}/design-review`, { passed: true, note: '初步设计及概算评审通过' }),
    );
    expect(design.status).toBe('design_approved');
    await ok(
      as(t.app, econ, {
        method: 'PUT',
        url: `/api/v1/projects/${projects.健康平台}/quota`,
        payload: { base: { vcpu: '16', memory_gb: '64', storage_gb: '1000' } },
      }),
    );
    const order = await ok(
      post(unit, '/orders', {
        type: 'new_resources',
        title: '健康平台生产资源',
        projectId: projects.健康平台,
        systemId,
        lines: [
          {
            itemCode: 'cloud-vm',
            specification: { vcpu: 4, memoryGb: 8, systemDiskGb: 40, dataDiskGb: 100, os: 'CentOS 7.9' },
            quantity: 2,
          },
        ],
      }),
      201,
    );
    expect(order).toMatchObject({ packId: 'jiuquan-2018', type: 'new_resources' });
    firstOrder = order.id;
    const audits = await t.database.db
      .selectFrom('audit_event')
      .select('action')
      .where('object_id', 'in', [id, projects.健康平台 as string, roundId])
      .execute();
    expect(audits.map((a) => a.action)).toEqual(
      expect.arrayContaining([
        'project_declaration.created',
        'project_declaration.submitted',
        'project_declaration.review_passed',
        'declaration_round.planned',
        'project.approved',
        'project_declaration.approved',
        'project_declaration.design_approved',
        'project.quota_set',
      ]),
    );
  });

  it('a project outside the plan enters through the urgent path (JQ-proj 8), flagged', async () => {
    const noReason = await post(
      unit,
      '/it-projects/declarations',
      declaration(projects.急需项目 as string, '200000', { roundId: null, urgent: true }),
    );
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().errors[0]).toMatchObject({
      field: 'body.urgentReason',
      message: expect.stringContaining('JQ-proj 8'),
    });
    const d = await declared('急需项目', '200000', {
      roundId: null,
      urgent: true,
      urgentReason: '省级部署的疫情防控任务',
    });
    expect(d).toMatchObject({ urgent: true, roundId: null });
    await ok(post(unit, `/it-projects/declarations/${d.id}/submit`));
    await ok(post(reviewer, `/it-projects/declarations/${d.id}/review`, { answers: ALL_PASS }));
    expect((await ok(post(econ, `/it-projects/declarations/${d.id}/approve`, {}))).status).toBe('approved');
    const list = await ok(get(approver, '/it-projects/declarations?year=2027'));
    const approved = list.items.filter((x: { projectStatus: string }) => x.projectStatus === 'approved');
    expect(
      approved.map((x: { projectName: string; urgent: boolean; status: string }) => [
        x.projectName,
        x.urgent,
        x.status,
      ]),
    ).toEqual([
      ['健康平台', false, 'design_approved'],
      ['急需项目', true, 'approved'],
    ]);
  });
});

describe('investment changes (JQ-proj 12), exact', () => {
  it('in Jiuquan 超出…10%以上 means more than 10%: +10.0% is recorded, +10.01% goes to the authority', async () => {
    const id = projects.健康平台 as string;
    const recorded = await ok(
      post(unit, `/it-projects/projects/${id}/changes`, { investment: '1100000.00', reason: '扩容' }),
      201,
    );
    expect(recorded).toMatchObject({
      status: 'recorded',
      changePercent: '10.0000',
      before: '1000000.00',
      after: '1100000.00',
    });
    // 1,100,000.00 x 1.1001 = 1,210,110.00: +10.01%
    const toAuthority = await ok(
      post(unit, `/it-projects/projects/${id}/changes`, { investment: '1210110.00', reason: '再扩容' }),
      201,
    );
    expect(toAuthority).toMatchObject({ status: 'pending_authority', changePercent: '10.0100' });
    // one fen less than +10.01% is still above 10%; one fen above +10% exactly too
    expect((await ok(get(unit, `/it-projects/projects/${id}`))).declaration.investment).toBe('1100000.00');
    const twice = await post(unit, `/it-projects/projects/${id}/changes`, { investment: '1100000.01', reason: '微调' });
    expect(twice.statusCode).toBe(409);
    await ok(post(approver, `/it-projects/changes/${toAuthority.id}/decision`, { approve: false, comment: '不同意' }));
    const oneFen = await ok(
      post(unit, `/it-projects/projects/${id}/changes`, { investment: '1210000.01', reason: '微调' }),
      201,
    );
    expect(oneFen).toMatchObject({ status: 'pending_authority' });
    await ok(post(approver, `/it-projects/changes/${oneFen.id}/decision`, { approve: false }));
    const exact = await ok(
      post(unit, `/it-projects/projects/${id}/changes`, { investment: '1210000.00', reason: '按10%' }),
      201,
    );
    expect(exact).toMatchObject({ status: 'recorded', changePercent: '10.0000' });
  });
  it('a city reading 以上 as including the number (override): exactly +10% goes to the authority, which decides', async () => {
    await ok(
      as(t.app, approver, {
        method: 'PUT',
        url: '/api/v1/jurisdictions/demo-city/policy/overrides',
        payload: { path: 'projects.investmentOverrunInclusive', value: true, reason: '本市“10%以上”含本数' },
      }),
    );
    const id = projects.急需项目 as string;
    const c = await ok(
      post(unit, `/it-projects/projects/${id}/changes`, { investment: '220000.00', reason: '增加灾备' }),
      201,
    );
    expect(c).toMatchObject({ status: 'pending_authority', changePercent: '10.0000', article: 'JQ-proj 12' });
    expect((await ok(get(unit, `/it-projects/projects/${id}`))).declaration.investment).toBe('200000.00');
    const decided = await ok(
      post(approver, `/it-projects/changes/${c.id}/decision`, { approve: true, comment: '同意' }),
    );
    expect(decided.status).toBe('approved');
    expect((await ok(get(unit, `/it-projects/projects/${id}`))).declaration.investment).toBe('220000.00');
  });
});

describe('acceptance before use (JQ-proj 14-17)', () => {
  it('the project’s system does not go live before the acceptance (JQ-proj 15)', async () => {
    await ok(post(approver, `/orders/${firstOrder}/act`, { decision: 'approve', comment: '同意' }));
    // the provider prepares the test resources (its work order and delivery receipt), the unit confirms
    const [wo] = (await ok(get(unit, `/work-orders?orderId=${firstOrder}`))).items;
    const keeper = await operatorOf(wo.providerId);
    const spec = { vcpu: 4, memoryGb: 8, systemDiskGb: 40, dataDiskGb: 100, os: 'CentOS 7.9' };
    const line = (n: number) => ({
      workOrderLineNo: 1,
      name: `jkpt-app-0${n}`,
      externalId: `i-jq-00${n}`,
      addresses: [`10.9.0.${n}`],
      specification: spec,
      deliveredAt: clock.now().toISOString(),
    });
    await ok(post(keeper, `/work-orders/${wo.id}/receipts`, { lines: [line(1), line(2)] }), 201);
    await ok(post(unit, `/work-orders/${wo.id}/receipts/confirm`));
    const goLive = await post(unit, `/orders/${firstOrder}/act`, { decision: 'approve', comment: '测试通过' });
    expect(goLive.statusCode, goLive.body).toBe(409);
    expect(goLive.json()).toMatchObject({
      code: 'go_live_not_permitted',
      detail: expect.stringContaining('JQ-proj 15'),
    });
  });

  it('failed: rectification deadline; re-accepted: warranty at least three years, evaluation scheduled', async () => {
    const id = projects.健康平台 as string;
    at('2027-06-01T10:00:00');
    const noDue = await post(approver, `/it-projects/projects/${id}/acceptances`, {
      result: 'failed',
      acceptedOn: '2027-06-01',
      opinion: '性能不达标',
    });
    expect(noDue.json().errors[0].field).toBe('body.rectificationDue');
    const failed = await ok(
      post(approver, `/it-projects/projects/${id}/acceptances`, {
        result: 'failed',
        acceptedOn: '2027-06-01',
        opinion: '性能不达标，限期整改',
        rectificationDue: '2027-07-01',
      }),
      201,
    );
    expect(failed).toMatchObject({ attempt: 1, result: 'failed', rectificationDue: '2027-07-01', warrantyUntil: null });
    expect(await ok(get(unit, `/it-projects/projects/${id}`))).toMatchObject({
      accepted: false,
      rectificationDue: '2027-07-01',
    });
    at('2027-07-02T10:00:00');
    const short = await post(approver, `/it-projects/projects/${id}/acceptances`, {
      result: 'passed',
      acceptedOn: '2027-07-02',
      opinion: '整改完成',
      warrantyYears: 2,
    });
    expect(short.statusCode).toBe(400);
    expect(short.json().errors[0]).toMatchObject({
      field: 'body.warrantyYears',
      message: expect.stringContaining('JQ-proj 16'),
    });
    const passed = await ok(
      post(approver, `/it-projects/projects/${id}/acceptances`, {
        result: 'passed',
        acceptedOn: '2027-07-02',
        opinion: '整改完成，验收合格',
      }),
      201,
    );
    expect(passed).toMatchObject({
      attempt: 2,
      result: 'passed',
      warrantyUntil: '2030-07-02',
      evaluationDue: '2028-07-02',
    });
    expect(await ok(get(unit, `/it-projects/projects/${id}`))).toMatchObject({
      accepted: true,
      warrantyUntil: '2030-07-02',
      evaluationDue: '2028-07-02',
    });
    expect(
      (
        await post(approver, `/it-projects/projects/${id}/acceptances`, {
          result: 'passed',
          acceptedOn: '2027-07-02',
          opinion: '再次',
        })
      ).statusCode,
    ).toBe(409);
    // accepted: the system goes live
    const live = await ok(post(unit, `/orders/${firstOrder}/act`, { decision: 'approve', comment: '测试通过' }));
    expect(live.currentStep).toMatchObject({ key: 'go_live' });
  });
});

describe('the declaration form through Excel (JQ-proj annex 1)', () => {
  async function upload(buffer: Buffer, projectId: string) {
    return as(t.app, unit, {
      method: 'POST',
      url: `/api/v1/it-projects/declarations/import?projectId=${projectId}`,
      payload: buffer,
      headers: { 'content-type': XLSX_MEDIA_TYPE },
    });
  }

  it('round-trips: the exported form imports as the same declaration', async () => {
    const template = await get(unit, '/it-projects/declaration-form/template');
    expect(template.statusCode).toBe(200);
    const exported = await get(unit, `/it-projects/declarations/${declarations.急需项目}/form`);
    expect(exported.statusCode).toBe(200);
    expect(exported.headers['content-type']).toContain(XLSX_MEDIA_TYPE);
    const d = await ok(upload(exported.rawPayload, projects.表格导入项目 as string), 201);
    const source = await ok(get(unit, `/it-projects/declarations/${declarations.急需项目}`));
    for (const key of [
      'feasibilitySummary',
      'fundingSource',
      'urgent',
      'urgentReason',
      'deploymentPlan',
      'dataSharingPlan',
      'annualCloudCost',
    ])
      expect(d[key], key).toEqual(source[key]);
    // the form carries the estimate in force (after the approved change)
    expect(d.investment).toBe('220000.00');
    expect(d.status).toBe('draft');
  });

  it('a bad cell refuses the whole file, naming sheet, row and column', async () => {
    const exported = await get(unit, `/it-projects/declarations/${declarations.急需项目}/form`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(exported.rawPayload as unknown as ArrayBuffer);
    (workbook.getWorksheet('项目申报表') as ExcelJS.Worksheet).getCell('B5').value = '二十万';
    (workbook.getWorksheet('云资源部署方案') as ExcelJS.Worksheet).getCell('D2').value = '四核';
    const before = await countRows(t.database, 'project_declaration');
    const res = await upload(Buffer.from(await workbook.xlsx.writeBuffer()), projects.超期项目 as string);
    expect(res.statusCode, res.body).toBe(400);
    const fields = res.json().errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(['项目申报表!B5', '云资源部署方案!D2']);
    expect(res.json().errors[0].message).toContain('第 5 行 B 列');
    expect(await countRows(t.database, 'project_declaration')).toBe(before);
  });
});
