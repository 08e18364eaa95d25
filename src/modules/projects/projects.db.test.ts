import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { as, login, type Session } from '../../../test/sessions.ts';
import { verifyAuditChain } from '../../platform/audit/audit.ts';
import { type AuthContext, withTenant } from '../../platform/auth/auth.ts';
import { ManualClock } from '../../platform/time/clock.ts';
import { seedDemo } from '../../seed.ts';
import { projectQuotaAt, unitProjectsQuotaTotal } from './index.ts';

let t: TestApp;
let applicant: Session; // demo-health
let edu: Session; // demo-education
let econ: Session; // economy & IT authority (jurisdiction scope)
let reviewer: Session; // ops reviewer (jurisdiction scope, no quota:set)
let approver: Session; // the competent authority: approves projects (立项, SH 18)
const clock = new ManualClock('2026-09-28T02:00:00Z');

beforeAll(async () => {
  t = await testApp({ clock });
  await seedDemo(t.database.db);
  applicant = await login(t.app, 'applicant');
  edu = await login(t.app, 'edu');
  econ = await login(t.app, 'econ');
  reviewer = await login(t.app, 'reviewer');
  approver = await login(t.app, 'approver');
});

afterAll(async () => {
  await t?.close();
});

const system = (overrides: Record<string, unknown> = {}) => ({
  name: '医保结算系统',
  mlpsLevel: 3,
  subsystems: ['结算', '对账'],
  developer: '东软集团',
  networkZone: '公共网络区',
  ...overrides,
});

async function createSystem(session: Session, body: Record<string, unknown>) {
  const res = await as(t.app, session, { method: 'POST', url: '/api/v1/systems', payload: body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

async function createProject(session: Session, body: Record<string, unknown>) {
  const res = await as(t.app, session, { method: 'POST', url: '/api/v1/projects', payload: body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

/** The unit submits its declared project and the authority approves it (SH 18, JQ-proj 9). */
async function approve(id: string) {
  const submitted = await as(t.app, applicant, { method: 'POST', url: `/api/v1/projects/${id}/submit` });
  expect(submitted.statusCode, submitted.body).toBe(200);
  const decided = await as(t.app, approver, {
    method: 'POST',
    url: `/api/v1/projects/${id}/decision`,
    payload: { decision: 'approve' },
  });
  expect(decided.statusCode, decided.body).toBe(200);
  return decided.json();
}

async function auditOf(objectId: string, action: string) {
  return t.database.db
    .selectFrom('audit_event')
    .selectAll()
    .where('object_id', '=', objectId)
    .where('action', '=', action)
    .orderBy('id')
    .execute();
}

describe('cloud eligibility (SH 2, 7) and go-live (SH 30, TZ 11)', () => {
  it('refuses a level-4 system on the cloud with the reason and article, and stores nothing', async () => {
    const res = await as(t.app, applicant, {
      method: 'POST',
      url: '/api/v1/systems',
      payload: system({
        name: '四级系统',
        mlpsLevel: 4,
        status: 'on_cloud',
        filingStatus: 'filed',
        commitmentLetterOnFile: true,
      }),
    });
    expect(res.statusCode).toBe(409);
    const problem = res.json();
    expect(problem.code).toBe('cloud_not_permitted');
    expect(problem.detail).toContain('MLPS level 4');
    expect(problem.detail).toContain('SH 2, SH 7');
    const stored = await t.database.db
      .selectFrom('information_system')
      .select('id')
      .where('name', '=', '四级系统')
      .execute();
    expect(stored).toHaveLength(0);
  });

  it('refuses a classified level-3 system, and marking a registered ineligible system on_cloud', async () => {
    const classified = await as(t.app, applicant, {
      method: 'POST',
      url: '/api/v1/systems',
      payload: system({
        name: '涉密系统',
        classified: true,
        status: 'on_cloud',
        filingStatus: 'filed',
        commitmentLetterOnFile: true,
      }),
    });
    expect(classified.statusCode).toBe(409);
    expect(classified.json().detail).toContain('classified');

    const planned = await createSystem(applicant, system({ name: '五级核心库', mlpsLevel: 5 }));
    expect(planned.status).toBe('planned');
    expect(planned.cloudEligible).toBe(false);
    expect(planned.cloudRefusal).toContain('SH 2');
    const patch = await as(t.app, applicant, {
      method: 'PATCH',
      url: `/api/v1/systems/${planned.id}`,
      payload: { status: 'on_cloud', filingStatus: 'filed', commitmentLetterOnFile: true },
    });
    expect(patch.statusCode).toBe(409);
    expect(patch.json().code).toBe('cloud_not_permitted');
    const after = await as(t.app, applicant, { method: 'GET', url: `/api/v1/systems/${planned.id}` });
    expect(after.json().status).toBe('planned');
    expect(after.json().filingStatus).toBe('not_filed');

    // Nor may a project build it.
    const project = await as(t.app, applicant, {
      method: 'POST',
      url: '/api/v1/projects',
      payload: { approvalNo: '示经信投〔2026〕901号', name: '核心库项目', year: 2026, systemIds: [planned.id] },
    });
    expect(project.statusCode).toBe(409);
    expect(project.json().code).toBe('cloud_not_permitted');
  });

  it('an eligible system goes on the cloud only with its MLPS filing and commitment letter', async () => {
    const s = await createSystem(applicant, system({ name: '门诊预约系统' }));
    expect(s.goLiveMissing).toEqual(['mlps_filing', 'commitment_letter']);
    const early = await as(t.app, applicant, {
      method: 'PATCH',
      url: `/api/v1/systems/${s.id}`,
      payload: { status: 'on_cloud', filingStatus: 'filed' },
    });
    expect(early.statusCode).toBe(409);
    expect(early.json().code).toBe('go_live_not_permitted');
    expect(early.json().detail).toContain('commitment letter');
    expect(early.json().detail).toContain('SH 30');

    const ok = await as(t.app, applicant, {
      method: 'PATCH',
      url: `/api/v1/systems/${s.id}`,
      payload: {
        status: 'on_cloud',
        filingStatus: 'filed',
        filingNumber: '31010000000-26001',
        commitmentLetterOnFile: true,
        commitmentLetterFile: '承诺书.pdf',
        commitmentLetterDate: '2026-09-01',
      },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().status).toBe('on_cloud');
    expect(ok.json().goLiveMissing).toEqual([]);
    const [audit] = await auditOf(s.id, 'information_system.updated');
    expect(audit?.detail).toMatchObject({ before: { status: 'planned' }, after: { status: 'on_cloud' } });

    // Raising an on-cloud system to level 4 is refused as well.
    const raise = await as(t.app, applicant, {
      method: 'PATCH',
      url: `/api/v1/systems/${s.id}`,
      payload: { mlpsLevel: 4 },
    });
    expect(raise.statusCode).toBe(409);
    expect(raise.json().code).toBe('cloud_not_permitted');
  });

  it('the demo seed has a system refused the cloud in each unit', async () => {
    const health = (await as(t.app, applicant, { method: 'GET', url: '/api/v1/systems' })).json();
    expect(health.items.some((s: { cloudEligible: boolean }) => !s.cloudEligible)).toBe(true);
    const education = (await as(t.app, edu, { method: 'GET', url: '/api/v1/systems' })).json();
    const exam = education.items.find((s: { name: string }) => s.name === '考试命题管理系统');
    expect(exam.classified).toBe(true);
    expect(exam.cloudRefusal).toContain('classified');
  });
});

describe('quota (SH 18)', () => {
  let project: { id: string };
  beforeAll(async () => {
    const s = await createSystem(applicant, system({ name: '健康码系统' }));
    project = await createProject(applicant, {
      approvalNo: '示经信投〔2026〕88号',
      name: '健康码二期',
      year: 2026,
      systemIds: [s.id],
    });
    await approve(project.id);
  });

  const quota = {
    base: { vcpu: '100', memory_gb: '400', storage_gb: '5000.5', bandwidth_mbps: '50', 'item:bastion-host': '2' },
    windows: [{ validFrom: '2026-10-01', validTo: '2026-10-07', quantities: { vcpu: '150', bandwidth_mbps: '80' } }],
    reason: '国庆期间访问高峰',
  };

  it('is set only by the economy & IT authority', async () => {
    for (const session of [applicant, reviewer, edu]) {
      const res = await as(t.app, session, {
        method: 'PUT',
        url: `/api/v1/projects/${project.id}/quota`,
        payload: quota,
      });
      expect(res.statusCode, session.username).toBe(403);
    }
    const none = (await as(t.app, applicant, { method: 'GET', url: `/api/v1/projects/${project.id}` })).json();
    expect(none.quota.base).toEqual({});

    const res = await as(t.app, econ, { method: 'PUT', url: `/api/v1/projects/${project.id}/quota`, payload: quota });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().quota.base).toEqual(quota.base);
    expect(res.json().quota.windows).toEqual(quota.windows);
    expect(res.json().quota.setBy).toBe('econ');
    // 2026-09-28: before the window.
    expect(res.json().quotaToday.vcpu).toBe('100');
  });

  it('is audited with before and after', async () => {
    const second = { base: { ...quota.base, vcpu: '120' }, windows: [] };
    const res = await as(t.app, econ, { method: 'PUT', url: `/api/v1/projects/${project.id}/quota`, payload: second });
    expect(res.statusCode, res.body).toBe(200);
    const entries = await auditOf(project.id, 'project.quota_set');
    expect(entries).toHaveLength(2);
    expect(entries[0]?.actor_name).toBe('econ');
    expect(entries[0]?.detail).toMatchObject({ before: { base: {}, windows: [] }, after: { base: { vcpu: '100' } } });
    expect(entries[1]?.detail).toMatchObject({
      before: { base: { vcpu: '100' }, windows: [{ validFrom: '2026-10-01' }] },
      after: { base: { vcpu: '120' }, windows: [] },
    });
    expect((await verifyAuditChain(t.database.db)).intact).toBe(true);
    // put the window back for the next test
    const again = await as(t.app, econ, { method: 'PUT', url: `/api/v1/projects/${project.id}/quota`, payload: quota });
    expect(again.statusCode).toBe(200);
  });

  it('a periodic window applies inside its dates only (Asia/Shanghai days)', async () => {
    const at = (iso: string) =>
      t.database.db.transaction().execute((trx) => projectQuotaAt(trx, project.id, new Date(iso)));
    expect((await at('2026-09-30T15:59:59Z')).vcpu).toBe('100'); // 23:59 on 30 Sep in Shanghai
    expect((await at('2026-09-30T16:00:00Z')).vcpu).toBe('150'); // 00:00 on 1 Oct
    expect((await at('2026-10-07T15:59:59Z')).bandwidth_mbps).toBe('80');
    expect((await at('2026-10-07T16:00:00Z')).vcpu).toBe('100'); // 8 Oct
    const inside = await at('2026-10-03T04:00:00Z');
    expect(inside).toEqual({
      bandwidth_mbps: '80',
      'item:bastion-host': '2',
      memory_gb: '400',
      storage_gb: '5000.5',
      vcpu: '150',
    });
    const day = await as(t.app, applicant, {
      method: 'GET',
      url: `/api/v1/projects/${project.id}/quota?day=2026-10-07`,
    });
    expect(day.json().quota.vcpu).toBe('150');
    const after = await as(t.app, applicant, {
      method: 'GET',
      url: `/api/v1/projects/${project.id}/quota?day=2026-10-08`,
    });
    expect(after.json().quota.vcpu).toBe('100');
  });

  it('sums a unit’s approved projects (the base of SH 20’s overrun band)', async () => {
    const org = applicant.me.organisation.id;
    const total = await t.database.db
      .transaction()
      .execute((trx) => unitProjectsQuotaTotal(trx, org, new Date('2026-09-28T02:00:00Z')));
    // seeded 全民健康信息平台二期 (vcpu 256) + 健康码二期 (vcpu 100)
    expect(total.vcpu).toBe('356');
    expect(total.storage_gb).toBe('25000.5');
    const inWindow = await t.database.db
      .transaction()
      .execute((trx) => unitProjectsQuotaTotal(trx, org, new Date('2026-10-02T02:00:00Z')));
    expect(inWindow.vcpu).toBe('470'); // 320 + 150: both windows
  });

  it('names the bad fields (400)', async () => {
    const res = await as(t.app, econ, {
      method: 'PUT',
      url: `/api/v1/projects/${project.id}/quota`,
      payload: { base: { vcpu: '1.5e3', memory_gb: '-4' } },
    });
    expect(res.statusCode).toBe(400);
    const fields = res.json().errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['body.base.vcpu', 'body.base.memory_gb']));

    const dims = await as(t.app, econ, {
      method: 'PUT',
      url: `/api/v1/projects/${project.id}/quota`,
      payload: {
        base: { cpu: '4' },
        windows: [
          { validFrom: '2026-11-01', validTo: '2026-11-30', quantities: { vcpu: '5' } },
          { validFrom: '2026-11-15', validTo: '2026-12-15', quantities: { vcpu: '6' } },
          { validFrom: '2026-12-20', validTo: '2026-12-01', quantities: { memory_gb: '6' } },
        ],
      },
    });
    expect(dims.statusCode).toBe(400);
    const named = dims.json().errors.map((e: { field: string }) => e.field);
    expect(named).toEqual(
      expect.arrayContaining(['body.base.cpu', 'body.windows.1.validFrom', 'body.windows.2.validTo']),
    );
    // nothing changed
    const now = (await as(t.app, applicant, { method: 'GET', url: `/api/v1/projects/${project.id}` })).json();
    expect(now.quota.base.vcpu).toBe('100');
  });
});

describe('tenancy and validation', () => {
  it('a unit cannot see another unit’s systems or projects (404, as missing)', async () => {
    const s = await createSystem(applicant, system({ name: '卫健内部系统' }));
    const p = await createProject(applicant, { approvalNo: '示经信投〔2026〕77号', name: '卫健内部项目', year: 2026 });
    for (const url of [`/api/v1/systems/${s.id}`, `/api/v1/projects/${p.id}`, `/api/v1/projects/${p.id}/quota`]) {
      const res = await as(t.app, edu, { method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
    }
    const patch = await as(t.app, edu, { method: 'PATCH', url: `/api/v1/systems/${s.id}`, payload: { name: 'x' } });
    expect(patch.statusCode).toBe(404);
    const del = await as(t.app, edu, { method: 'DELETE', url: `/api/v1/systems/${s.id}` });
    expect(del.statusCode).toBe(404);
    const systems = (await as(t.app, edu, { method: 'GET', url: '/api/v1/systems?limit=500' })).json();
    expect(systems.items.map((x: { id: string }) => x.id)).not.toContain(s.id);
    const projects = (await as(t.app, edu, { method: 'GET', url: '/api/v1/projects?limit=500' })).json();
    expect(projects.items.map((x: { id: string }) => x.id)).not.toContain(p.id);
    expect(projects.items.every((x: { organisationId: string }) => x.organisationId === edu.me.organisation.id)).toBe(
      true,
    );

    // Nor can it link the other unit's system to its own project.
    const link = await as(t.app, edu, {
      method: 'POST',
      url: '/api/v1/projects',
      payload: { approvalNo: '示经信投〔2026〕78号', name: '借用', year: 2026, systemIds: [s.id] },
    });
    expect(link.statusCode).toBe(400);
    expect(link.json().errors[0].field).toBe('body.systemIds.0');

    // The jurisdiction's roles read all in scope, filtered by unit.
    const all = (
      await as(t.app, econ, { method: 'GET', url: `/api/v1/projects?organisationId=${applicant.me.organisation.id}` })
    ).json();
    expect(all.items.map((x: { id: string }) => x.id)).toContain(p.id);
    expect(all.items.every((x: { organisationId: string }) => x.organisationId === applicant.me.organisation.id)).toBe(
      true,
    );
    // ... but do not register systems for a unit.
    const econCreate = await as(t.app, econ, { method: 'POST', url: '/api/v1/systems', payload: system() });
    expect(econCreate.statusCode).toBe(403);
  });

  it('row-level security alone hides another unit’s rows, even from a query without a filter', async () => {
    const scope = (organisation: string) =>
      ({ visibility: { kind: 'organisation', organisations: [organisation] } }) as unknown as AuthContext;
    const seen = (organisation: string) =>
      withTenant(t.database.db, scope(organisation), async (trx) => ({
        systems: (await sql<{ organisation_id: string }>`select organisation_id from information_system`.execute(trx))
          .rows,
        projects: (await sql<{ organisation_id: string }>`select organisation_id from project`.execute(trx)).rows,
        quota: (await sql<{ organisation_id: string }>`select organisation_id from project_quota`.execute(trx)).rows,
      }));
    const eduOrg = edu.me.organisation.id;
    const mine = await seen(eduOrg);
    expect(mine.systems.length).toBeGreaterThan(0);
    expect(mine.quota.length).toBeGreaterThan(0);
    for (const rows of [mine.systems, mine.projects, mine.quota]) {
      expect(rows.every((r) => r.organisation_id === eduOrg)).toBe(true);
    }
    // Nor can it write a row for another unit.
    const health = applicant.me.organisation.id;
    await expect(
      withTenant(t.database.db, scope(eduOrg), (trx) =>
        sql`insert into information_system (organisation_id, jurisdiction_id, name, mlps_level, created_by)
          select ${health}::uuid, jurisdiction_id, 'x', 2, 'edu' from organisation where id = ${eduOrg}::uuid`.execute(
          trx,
        ),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it('a unit changes its project (systems replaced, audited before/after); a closed project leaves the unit total', async () => {
    const a = await createSystem(applicant, system({ name: '项目变更系统甲' }));
    const b = await createSystem(applicant, system({ name: '项目变更系统乙' }));
    const p = await createProject(applicant, {
      approvalNo: '示经信投〔2026〕66号',
      name: '变更项目',
      year: 2026,
      systemIds: [a.id],
    });
    const res = await as(t.app, applicant, {
      method: 'PATCH',
      url: `/api/v1/projects/${p.id}`,
      payload: { name: '变更项目（调整）', systemIds: [b.id] },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().systems.map((s: { id: string }) => s.id)).toEqual([b.id]);
    const [entry] = await auditOf(p.id, 'project.updated');
    expect(entry?.detail).toMatchObject({
      before: { name: '变更项目', systemIds: [a.id] },
      after: { name: '变更项目（调整）', systemIds: [b.id] },
    });
    // A system a project builds cannot be deleted.
    expect((await as(t.app, applicant, { method: 'DELETE', url: `/api/v1/systems/${b.id}` })).statusCode).toBe(409);
    expect((await as(t.app, applicant, { method: 'DELETE', url: `/api/v1/systems/${a.id}` })).statusCode).toBe(204);

    const set = await as(t.app, econ, {
      method: 'PUT',
      url: `/api/v1/projects/${p.id}/quota`,
      payload: { base: { vcpu: '10' } },
    });
    expect(set.statusCode).toBe(200);
    await approve(p.id);
    const total = () =>
      t.database.db
        .transaction()
        .execute((trx) => unitProjectsQuotaTotal(trx, applicant.me.organisation.id, new Date('2026-09-28T02:00:00Z')));
    const before = Number((await total()).vcpu);
    const closed = await as(t.app, applicant, {
      method: 'PATCH',
      url: `/api/v1/projects/${p.id}`,
      payload: { status: 'closed' },
    });
    expect(closed.statusCode).toBe(200);
    expect(Number((await total()).vcpu)).toBe(before - 10);
  });

  it('refuses an approval number already used in the jurisdiction, even by another unit', async () => {
    const res = await as(t.app, edu, {
      method: 'POST',
      url: '/api/v1/projects',
      payload: { approvalNo: '示经信投〔2026〕12号', name: '重号', year: 2026 },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().errors[0].field).toBe('body.approvalNo');
  });

  it('names every bad field (400)', async () => {
    const res = await as(t.app, applicant, {
      method: 'POST',
      url: '/api/v1/systems',
      payload: { mlpsLevel: 6, status: 'cloudy', commitmentLetterDate: '2026-13-45' },
    });
    expect(res.statusCode).toBe(400);
    const fields = res.json().errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining(['body.name', 'body.mlpsLevel', 'body.status', 'body.commitmentLetterDate']),
    );
    const project = await as(t.app, applicant, {
      method: 'POST',
      url: '/api/v1/projects',
      payload: { approvalNo: '', name: 'x', year: 1999, systemIds: ['not-a-uuid'] },
    });
    expect(project.statusCode).toBe(400);
    expect(project.json().errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['body.approvalNo', 'body.year', 'body.systemIds.0']),
    );
    const page = await as(t.app, applicant, { method: 'GET', url: '/api/v1/projects?limit=0&status=open' });
    expect(page.statusCode).toBe(400);
    expect(page.json().errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['query.limit', 'query.status']),
    );
  });

  it('lists with filters and paging', async () => {
    const first = (await as(t.app, applicant, { method: 'GET', url: '/api/v1/systems?limit=2&offset=0' })).json();
    const second = (await as(t.app, applicant, { method: 'GET', url: '/api/v1/systems?limit=2&offset=2' })).json();
    expect(first.items).toHaveLength(2);
    expect(first.total).toBeGreaterThan(3);
    expect(second.items[0].id).not.toBe(first.items[0].id);
    const legacy = (
      await as(t.app, applicant, { method: 'GET', url: '/api/v1/systems?status=legacy_data_centre' })
    ).json();
    expect(legacy.items.every((s: { status: string }) => s.status === 'legacy_data_centre')).toBe(true);
    expect(legacy.total).toBeGreaterThan(0);
    const q = (await as(t.app, applicant, { method: 'GET', url: '/api/v1/projects?q=健康码' })).json();
    expect(q.items.map((p: { name: string }) => p.name)).toEqual(['健康码二期']);
  });
});
