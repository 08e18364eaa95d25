import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { as, login, type Session } from '../../../test/sessions.ts';
import { verifyAuditChain } from '../../platform/audit/audit.ts';
import { type AuthContext, withTenant } from '../../platform/auth/auth.ts';
import { seedDemo } from '../../seed.ts';
import { effectivePolicy, PACKS } from './index.ts';

let t: TestApp;
let approver: Session;
let applicant: Session;
let foreignId: string;

beforeAll(async () => {
  t = await testApp();
  await seedDemo(t.database.db);
  approver = await login(t.app, 'approver');
  applicant = await login(t.app, 'applicant');
  // A city outside the demo tree: the demo approver has no scope over it.
  const foreign = await t.database.db
    .insertInto('jurisdiction')
    .values({ code: 'other-city', name: '他市政务云', name_en: 'Other City Cloud', kind: 'city', parent_id: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  foreignId = foreign.id;
});
afterAll(() => t.close());

const put = (session: Session | null, url: string, payload: unknown) =>
  as(t.app, session, { method: 'PUT', url, payload: payload as Record<string, unknown> });
const overrides = '/api/v1/jurisdictions/demo-city/policy/overrides';
const policyOf = async (code: string) => (await t.app.inject(`/api/v1/jurisdictions/${code}/policy`)).json();
const overrideRows = () => t.database.db.selectFrom('policy_override').selectAll().execute();
const audits = (action: string) =>
  t.database.db.selectFrom('audit_event').selectAll().where('action', '=', action).orderBy('id').execute();
const fields = (body: { errors?: { field: string }[] }) => (body.errors ?? []).map((e) => e.field);

describe('reading packs (public)', () => {
  it('lists the five packs with city, title, year, version and the regulations their articles cite', async () => {
    const res = await t.app.inject('/api/v1/policy-packs');
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toEqual([
      expect.objectContaining({ id: 'shanghai-2022', title: '上海市政务云管理暂行办法', year: 2022, version: '1.0.0' }),
      expect.objectContaining({ id: 'liuzhou', city: { zh: '柳州', en: 'Liuzhou' }, year: null }),
      expect.objectContaining({ id: 'taizhou-2018', year: 2018 }),
      expect.objectContaining({
        id: 'jiuquan-2018',
        documentStatus: 'draft_for_comment',
        sources: [
          { prefix: 'JQ', title: '酒泉市云计算（大数据）中心政务云平台管理办法（征求意见稿）' },
          { prefix: 'JQ-proj', title: '酒泉市信息化及智慧城市项目建设管理办法（征求意见稿）' },
        ],
      }),
      expect.objectContaining({ id: 'ningbo-2014', year: 2014 }),
    ]);
  });

  it('serves every pack whole: what the API sends is exactly the pack', async () => {
    for (const pack of PACKS.values()) {
      const res = await t.app.inject(`/api/v1/policy-packs/${pack.id}`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual(JSON.parse(JSON.stringify(pack)));
    }
    const missing = await t.app.inject('/api/v1/policy-packs/atlantis-2030');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('not_found');
  });

  it("a jurisdiction's policy: by default shanghai-2022, no overrides; an unknown jurisdiction is 404", async () => {
    const body = await policyOf('demo-west');
    expect(body).toMatchObject({
      jurisdiction: 'demo-west',
      packId: 'shanghai-2022',
      packVersion: '1.0.0',
      overrides: [],
    });
    expect(body.policy).toEqual(JSON.parse(JSON.stringify(PACKS.get('shanghai-2022'))));
    // SH 19: 在五个工作日内完成审核并开通政务云测试资源; a step without a statutory deadline says null
    expect(body.policy.orderTypes.new_resources.steps[0].deadline).toMatchObject({ value: 5, unit: 'working_days' });
    expect(body.policy.orderTypes.development.steps[0].deadline).toMatchObject({ value: null, unit: null });
    expect((await t.app.inject('/api/v1/jurisdictions/nowhere/policy')).statusCode).toBe(404);
  });
});

describe('overrides', () => {
  it('SH 22 developmentShareMax 15% -> 10% for demo-city: kept article, marked, audited, effectivePolicy reads it', async () => {
    const res = await put(approver, overrides, {
      path: 'quota.developmentShareMax',
      value: '0.10',
      reason: '市政府专题会议决定开发资源从严控制',
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.policy.quota.developmentShareMax).toMatchObject({
      value: '0.10',
      article: 'SH 22',
      overridden: true,
      overrideReason: '市政府专题会议决定开发资源从严控制',
      packValue: '0.15',
    });
    expect(body.overrides).toEqual([
      expect.objectContaining({
        path: 'quota.developmentShareMax',
        value: '0.10',
        packValue: '0.15',
        packId: 'shanghai-2022',
        setBy: 'approver',
        applied: true,
      }),
    ]);
    const policy = await effectivePolicy(t.database.db, 'demo-city');
    expect(policy.quota.developmentShareMax.value).toBe('0.10');
    // the district runs on its own row: unaffected
    expect((await effectivePolicy(t.database.db, 'demo-east')).quota.developmentShareMax.value).toBe('0.15');
    const [entry] = await audits('policy.override_set');
    expect(entry).toMatchObject({ actor_name: 'approver', object_type: 'jurisdiction', outcome: 'success' });
    expect(entry?.detail).toMatchObject({
      code: 'demo-city',
      path: 'quota.developmentShareMax',
      value: '0.10',
      packValue: '0.15',
      previous: null,
    });
  });

  it('a deadline takes {value, unit}; a regulation’s null may get a local number; replacing keeps one row', async () => {
    const d = await put(approver, overrides, {
      path: 'orderTypes.scale_up.steps.review.deadline',
      value: { value: 3, unit: 'working_days' },
      reason: '本区承诺三个工作日内审核',
    });
    expect(d.statusCode).toBe(200);
    expect(d.json().policy.orderTypes.scale_up.steps[1].deadline).toMatchObject({
      value: 3,
      unit: 'working_days',
      article: 'SH 20',
      overridden: true,
      packValue: { value: 5, unit: 'working_days' },
    });
    const low = await put(approver, overrides, {
      path: 'monitoring.lowUtilisationPercent',
      value: 10,
      reason: 'local threshold for 使用率长期较低 (SH 25 gives none)',
    });
    expect(low.json().policy.monitoring.lowUtilisationPercent).toMatchObject({
      value: 10,
      article: 'SH 25',
      packValue: null,
    });
    const again = await put(approver, overrides, {
      path: 'monitoring.lowUtilisationPercent',
      value: 15,
      reason: 'raised',
    });
    expect(again.json().policy.monitoring.lowUtilisationPercent.value).toBe(15);
    expect((await overrideRows()).filter((r) => r.path === 'monitoring.lowUtilisationPercent')).toHaveLength(1);
    const entries = await audits('policy.override_set');
    expect(entries.at(-1)?.detail).toMatchObject({ previous: { value: 10 }, value: 15 });
    // null is a value too: "no statutory deadline here", stored as JSON null
    const none = await put(approver, overrides, {
      path: 'orderTypes.reclaim.steps.review_and_reclaim.deadline',
      value: null,
      reason: '本辖区回收不设时限',
    });
    expect(none.statusCode).toBe(200);
    expect(none.json().policy.orderTypes.reclaim.steps[0].deadline).toMatchObject({
      value: null,
      unit: null,
      article: 'SH 21',
      packValue: { value: 10, unit: 'working_days' },
    });
    expect(none.json().overrides).toContainEqual(
      expect.objectContaining({
        path: 'orderTypes.reclaim.steps.review_and_reclaim.deadline',
        value: null,
        applied: true,
      }),
    );
    const removed = await as(t.app, approver, {
      method: 'DELETE',
      url: `${overrides}?path=orderTypes.reclaim.steps.review_and_reclaim.deadline`,
    });
    expect(removed.statusCode).toBe(200);
  });

  it('refuses a bad path or a value of the wrong kind with 400 naming body.path / body.value; nothing is stored', async () => {
    const rowsBefore = await overrideRows();
    const auditBefore = (await audits('policy.override_set')).length;
    const cases: [unknown, string[]][] = [
      [{ path: 'quota.developmentShareMx', value: '0.10', reason: 'typo' }, ['body.path']],
      [{ path: 'title.zh', value: '北京', reason: 'identity' }, ['body.path']],
      [{ path: 'orderTypes.scale_up.steps.review.role', value: 'auditor', reason: 'role' }, ['body.path']],
      [{ path: 'quota.developmentShareMax', value: 0.1, reason: 'a float' }, ['body.value']],
      [{ path: 'quota.developmentMonthsMax', value: 'three', reason: 'a word' }, ['body.value']],
      [{ path: 'quota.developmentMonthsMax', value: -1, reason: 'negative' }, ['body.value']],
      [
        {
          path: 'orderTypes.reclaim.steps.review_and_reclaim.deadline',
          value: { value: 2, unit: 'weeks' },
          reason: 'x',
        },
        ['body.value.unit'],
      ],
      [{ path: 'orderTypes.change.enabled', value: true, reason: 'SH has no change steps' }, ['body.value']],
      [{ path: 'quota.developmentMonthsMax', value: 2 }, ['body.reason']],
      [{ path: 'quota.developmentMonthsMax', reason: 'no value' }, ['body.value']],
    ];
    for (const [payload, expected] of cases) {
      const res = await put(approver, overrides, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().code).toBe('validation_failed');
      expect(fields(res.json()), JSON.stringify(payload)).toEqual(expected);
    }
    const enable = await put(approver, overrides, { path: 'orderTypes.change.enabled', value: true, reason: 'x' });
    expect(enable.json().errors[0].message).toMatch(/needs at least one step/);
    const path = await put(approver, overrides, { path: 'quota.developmentShareMx', value: '0.1', reason: 'x' });
    expect(path.json().detail).toMatch(/no rule at quota\.developmentShareMx/);
    expect(await overrideRows()).toEqual(rowsBefore);
    expect(await audits('policy.override_set')).toHaveLength(auditBefore);
  });

  it('removing an override restores the pack’s value, audited; removing a missing one is 404', async () => {
    const url = `${overrides}?path=orderTypes.scale_up.steps.review.deadline`;
    const res = await as(t.app, approver, { method: 'DELETE', url });
    expect(res.statusCode).toBe(200);
    const deadline = res.json().policy.orderTypes.scale_up.steps[1].deadline;
    expect(deadline).toEqual({ value: 5, unit: 'working_days', article: 'SH 20' });
    expect((await audits('policy.override_removed')).at(-1)?.detail).toMatchObject({
      path: 'orderTypes.scale_up.steps.review.deadline',
      value: { value: 3, unit: 'working_days' },
    });
    const again = await as(t.app, approver, { method: 'DELETE', url });
    expect(again.statusCode).toBe(404);
  });

  it('later modules can read the effective policy inside a tenant transaction (row-level security role)', async () => {
    const unit: AuthContext = {
      kind: 'user',
      id: 'test',
      name: 'test',
      organisationId: applicant.me.organisation.id,
      organisationType: 'using_unit',
      jurisdictionId: foreignId,
      roles: ['unit_applicant'],
      permissions: new Set(),
      visibility: { kind: 'organisation', organisations: [applicant.me.organisation.id] },
    };
    const policy = await withTenant(t.database.db, unit, (trx) => effectivePolicy(trx, 'demo-city'));
    expect(policy.quota.developmentShareMax).toMatchObject({ value: '0.10', overridden: true });
  });

  it('an override stored against another pack, or no longer fitting, is listed but never applied', async () => {
    const city = await t.database.db
      .selectFrom('jurisdiction')
      .select('id')
      .where('code', '=', 'demo-city')
      .executeTakeFirstOrThrow();
    await t.database.db
      .insertInto('policy_override')
      .values([
        {
          jurisdiction_id: city.id,
          path: 'trial.minCalendarDays',
          pack_id: 'liuzhou',
          value: '20',
          reason: 'old pack',
        },
        {
          jurisdiction_id: city.id,
          path: 'quota.developmentMonthsMax',
          pack_id: 'shanghai-2022',
          value: '"lots"',
          reason: 'written by hand',
        },
      ])
      .execute();
    const body = await policyOf('demo-city');
    expect(body.policy.trial.minCalendarDays.value).toBeNull();
    expect(body.policy.quota.developmentMonthsMax).toEqual(
      JSON.parse(JSON.stringify(PACKS.get('shanghai-2022')?.quota.developmentMonthsMax)),
    );
    const listed = Object.fromEntries(body.overrides.map((o: { path: string }) => [o.path, o]));
    expect(listed['trial.minCalendarDays']).toMatchObject({
      applied: false,
      problem: expect.stringMatching(/liuzhou/),
    });
    expect(listed['quota.developmentMonthsMax']).toMatchObject({
      applied: false,
      problem: expect.stringMatching(/value/),
    });
    expect(listed['quota.developmentShareMax']).toMatchObject({ applied: true });
    await t.database.db
      .deleteFrom('policy_override')
      .where('path', 'in', ['trial.minCalendarDays', 'quota.developmentMonthsMax'])
      .execute();
  });
});

describe('selecting a pack', () => {
  it('demo-east selects liuzhou: audited, the jurisdiction says so, its policy is Liuzhou’s', async () => {
    const res = await put(approver, '/api/v1/jurisdictions/demo-east/policy', { packId: 'liuzhou' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ jurisdiction: 'demo-east', packId: 'liuzhou' });
    // LZ 21(2): 应在7个工作日内提出云资源使用需求的评估意见
    expect(res.json().policy.orderTypes.new_resources.steps[0].deadline).toMatchObject({
      value: 7,
      article: 'LZ 21(2)',
    });
    expect((await t.app.inject('/api/v1/jurisdictions/demo-east')).json().policyPack).toBe('liuzhou');
    expect((await audits('policy.pack_selected')).at(-1)?.detail).toMatchObject({
      code: 'demo-east',
      from: 'shanghai-2022',
      to: 'liuzhou',
      clearedOverrides: [],
    });
  });

  it('switching removes the overrides set against the old pack and lists them in the audit entry', async () => {
    expect((await policyOf('demo-city')).overrides.length).toBeGreaterThan(0);
    const res = await put(approver, '/api/v1/jurisdictions/demo-city/policy', { packId: 'taizhou-2018' });
    expect(res.statusCode).toBe(200);
    expect(res.json().overrides).toEqual([]);
    const detail = (await audits('policy.pack_selected')).at(-1)?.detail as { clearedOverrides: { path: string }[] };
    expect(detail.clearedOverrides.map((o) => o.path).sort()).toEqual([
      'monitoring.lowUtilisationPercent',
      'quota.developmentShareMax',
    ]);
    // selecting the pack already selected changes nothing and writes nothing
    const count = (await audits('policy.pack_selected')).length;
    expect((await put(approver, '/api/v1/jurisdictions/demo-city/policy', { packId: 'taizhou-2018' })).statusCode).toBe(
      200,
    );
    expect(await audits('policy.pack_selected')).toHaveLength(count);
    // back to the default for the tests after this one
    await put(approver, '/api/v1/jurisdictions/demo-city/policy', { packId: 'shanghai-2022' });
  });

  it('an unknown pack is 400 naming body.packId, and nothing changes', async () => {
    const res = await put(approver, '/api/v1/jurisdictions/demo-west/policy', { packId: 'beijing-2030' });
    expect(res.statusCode).toBe(400);
    expect(fields(res.json())).toEqual(['body.packId']);
    expect((await policyOf('demo-west')).packId).toBe('shanghai-2022');
  });
});

describe('who may change policy', () => {
  it('a unit user (applicant) gets 403 on every write; nobody signed in gets 401', async () => {
    const writes = [
      () => put(applicant, '/api/v1/jurisdictions/demo-city/policy', { packId: 'liuzhou' }),
      () => put(applicant, overrides, { path: 'quota.developmentMonthsMax', value: 1, reason: 'x' }),
      () => as(t.app, applicant, { method: 'DELETE', url: `${overrides}?path=quota.developmentMonthsMax` }),
    ];
    for (const write of writes) {
      const res = await write();
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('forbidden');
    }
    expect((await put(null, overrides, { path: 'quota.developmentMonthsMax', value: 1, reason: 'x' })).statusCode).toBe(
      401,
    );
    expect((await policyOf('demo-city')).packId).toBe('shanghai-2022');
    expect((await overrideRows()).length).toBe(0);
  });

  it('a jurisdiction outside the approver’s tree is 404 for writes (public to read)', async () => {
    const select = await put(approver, '/api/v1/jurisdictions/other-city/policy', { packId: 'ningbo-2014' });
    expect(select.statusCode).toBe(404);
    const override = await put(approver, '/api/v1/jurisdictions/other-city/policy/overrides', {
      path: 'quota.developmentMonthsMax',
      value: 1,
      reason: 'x',
    });
    expect(override.statusCode).toBe(404);
    const read = await policyOf('other-city');
    expect(read.packId).toBe('shanghai-2022');
    const rows = await overrideRows();
    expect(rows.filter((r) => r.jurisdiction_id === foreignId)).toEqual([]);
  });

  it('the audit chain is intact after all of it', async () => {
    expect((await verifyAuditChain(t.database.db)).intact).toBe(true);
  });
});
