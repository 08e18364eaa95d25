import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, type TestApp, testApp } from '../../../test/helpers.ts';
import { as, login, type Session } from '../../../test/sessions.ts';
import { verifyAuditChain } from '../../platform/audit/audit.ts';
import { ManualClock } from '../../platform/time/clock.ts';
import { seedDemo } from '../../seed.ts';
import { suspendFulfilmentHandlers } from './index.ts';
import { client, placed, project, systemOf, vm } from './orders.fixtures.ts';

// Issue 14, "quotas and projects" (SH 18-24, JQ-proj 9): no order that takes quota goes around an approved
// project; projects are approved by the authority, not by the unit; development resources never serve the
// public (SH 22); lines fit the catalogue item in force; the cloud and go-live gates hold on every path.
const clock = new ManualClock('2026-09-29T02:00:00Z');
let t: TestApp;
let applicant: Session;
let edu: Session;
let approver: Session;
let econ: Session;
let reviewer: Session;
let api: ReturnType<typeof client>;
let restoreHandlers: () => void;

beforeAll(async () => {
  t = await testApp({ clock });
  await seedDemo(t.database.db);
  [applicant, edu, approver, econ, reviewer] = (await Promise.all(
    ['applicant', 'edu', 'approver', 'econ', 'reviewer'].map((u) => login(t.app, u)),
  )) as [Session, Session, Session, Session, Session];
  api = client(t.app);
  restoreHandlers = suspendFulfilmentHandlers();
}, 180_000);
afterAll(async () => {
  restoreHandlers?.();
  await t?.close();
});

const expectRefused = (res: { statusCode: number; json: () => any; body: string }, field: string, article: string) => {
  expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400);
  expect(res.statusCode, res.body).toBeLessThan(500);
  const problem = res.json();
  expect(problem.errors?.map((e: { field: string }) => e.field)).toContain(field);
  expect(problem.detail).toContain(article);
};

describe('every order that takes quota names an approved project and a system of the unit (SH 18-24)', () => {
  it('refuses new resources, a 12,800-vCPU scale-up, development and emergency orders without a project, and stores nothing', async () => {
    const before = await countRows(t.database, 'resource_order');
    const bodies = [
      { type: 'new_resources', title: '无项目', lines: [vm(4, 8)] },
      { type: 'scale_up', title: '无项目扩容', lines: [vm(128, 256, 100)] },
      { type: 'development', title: '无项目开发', termMonths: 2, lines: [vm(64, 128)] },
      { type: 'emergency', title: '无项目应急', termMonths: 1, lines: [vm(4, 8)] },
    ];
    for (const body of bodies) {
      const res = await api.place(applicant, body);
      expect(res.statusCode, `${body.type}: ${res.body}`).toBe(422);
      expectRefused(res, 'body.projectId', 'SH 18');
    }
    expect(await countRows(t.database, 'resource_order')).toBe(before);
  });

  it('refuses a project that is not approved, a missing system, and a system of another unit', async () => {
    const declared = await project(t.database.db, 'demo-health', { vcpu: 100 }, 'declared');
    const declaredOrder = await api.place(applicant, {
      type: 'new_resources',
      title: 'd',
      projectId: declared,
      lines: [vm(2, 4)],
    });
    expectRefused(declaredOrder, 'body.projectId', 'SH 18');
    expect(declaredOrder.json().detail).toContain('declared');

    const approved = await project(t.database.db, 'demo-health', { vcpu: 100, memory_gb: 100, storage_gb: 1000 });
    const noSystem = await api.place(applicant, {
      type: 'new_resources',
      title: 'n',
      projectId: approved,
      systemId: null,
      lines: [vm(2, 4)],
    });
    expectRefused(noSystem, 'body.systemId', 'SH 18');

    const other = await project(t.database.db, 'demo-education', { vcpu: 100 });
    const foreign = await api.place(applicant, {
      type: 'new_resources',
      title: 'f',
      projectId: approved,
      systemId: systemOf(other),
      lines: [vm(2, 4)],
    });
    expect(foreign.statusCode, foreign.body).toBe(400);
    expect(foreign.json().errors[0].field).toBe('body.systemId');

    const ok = await placed(t.app, applicant, {
      type: 'new_resources',
      title: 'ok',
      projectId: approved,
      lines: [vm(2, 4)],
    });
    expect(ok).toMatchObject({ projectId: approved, systemId: systemOf(approved), status: 'submitted' });
  });

  it('a temporary order (SH 24) names a declared project with its basis and reason; an approved project is refused', async () => {
    const declared = await project(t.database.db, 'demo-health', {}, 'declared');
    const approved = await project(t.database.db, 'demo-health', { vcpu: 100 });
    const base = { type: 'temporary', title: '临时', termMonths: 3, lines: [vm(2, 4)] };
    expectRefused(await api.place(applicant, base), 'body.projectId', 'SH 24');
    expectRefused(
      await api.place(applicant, { ...base, projectId: approved, temporaryBasis: 'key_task', reason: 'x' }),
      'body.projectId',
      'SH 24',
    );
    expectRefused(
      await api.place(applicant, { ...base, projectId: declared, reason: '年度重点任务' }),
      'body.temporaryBasis',
      'SH 24',
    );
    expectRefused(
      await api.place(applicant, { ...base, projectId: declared, temporaryBasis: 'key_task' }),
      'body.reason',
      'SH 24',
    );
    const ok = await placed(t.app, applicant, {
      ...base,
      projectId: declared,
      temporaryBasis: 'meeting_decision',
      reason: '市政府专题会议决定',
    });
    expect(ok).toMatchObject({ temporaryBasis: 'meeting_decision', currentStep: { key: 'quota_approval' } });
  });

  it('development resources never serve the public (SH 22): the Internet zone and WEB servers are refused', async () => {
    const projectId = await project(t.database.db, 'demo-health', { vcpu: 100, memory_gb: 400, storage_gb: 4000 });
    const dev = (spec: Record<string, unknown>) => ({
      type: 'development',
      title: '开发',
      termMonths: 2,
      projectId,
      lines: [{ ...vm(2, 4), specification: { ...vm(2, 4).specification, ...spec } }],
    });
    expectRefused(await api.place(applicant, dev({ networkZone: '互联网区' })), 'body.lines', 'SH 22');
    expectRefused(await api.place(applicant, dev({ serverType: 'WEB' })), 'body.lines', 'SH 22');
    await placed(t.app, applicant, dev({ networkZone: '公共网络区', serverType: 'APP' }));
  });
});

describe('orders are checked against the catalogue item in force', () => {
  it('refuses an unlisted operating system, 0 GB of memory and a 10 GB system disk, naming the field', async () => {
    const projectId = await project(t.database.db, 'demo-health', { vcpu: 100, memory_gb: 400, storage_gb: 4000 });
    const line = (spec: Record<string, unknown>) => ({
      type: 'new_resources',
      title: '目录',
      projectId,
      lines: [{ itemCode: 'cloud-vm', specification: { ...vm(2, 4).specification, ...spec } }],
    });
    const os = await api.place(applicant, line({ os: 'Windows XP' }));
    expect(os.statusCode, os.body).toBe(400);
    expect(os.json().errors[0].field).toBe('body.lines.0.specification.os');
    const memory = await api.place(applicant, line({ memoryGb: 0 }));
    expect(memory.statusCode, memory.body).toBe(400);
    expect(memory.json().errors[0].field).toBe('body.lines.0.specification.memoryGb');
    const disk = await api.place(applicant, line({ systemDiskGb: 10 }));
    expect(disk.statusCode, disk.body).toBe(400);
    expect(disk.json().errors[0].field).toBe('body.lines.0.specification.systemDiskGb');
    expect(disk.json().detail).toContain('at least 40');
  });
});

describe('the cloud and go-live gates hold for emergency resources (SH 2, 7, 30)', () => {
  it('refuses emergency resources for a system without MLPS filing, and for a classified one', async () => {
    const projectId = await project(t.database.db, 'demo-health', { vcpu: 100, memory_gb: 400, storage_gb: 4000 });
    const sys = await as(t.app, applicant, {
      method: 'POST',
      url: '/api/v1/systems',
      payload: { name: '未备案系统', mlpsLevel: 2 },
    });
    expect(sys.statusCode, sys.body).toBe(201);
    const unfiled = await api.place(applicant, {
      type: 'emergency',
      title: '应急',
      termMonths: 1,
      projectId,
      systemId: sys.json().id,
      lines: [vm(2, 4)],
    });
    expect(unfiled.statusCode, unfiled.body).toBe(409);
    expect(unfiled.json()).toMatchObject({ code: 'go_live_not_permitted' });
    expect(unfiled.json().detail).toContain('SH 30');
    // The project's own system turns classified after the draft: submitting it is refused (every path).
    const draft = await placed(t.app, applicant, {
      type: 'emergency',
      title: '应急草稿',
      termMonths: 1,
      projectId,
      lines: [vm(2, 4)],
      submit: false,
    });
    await t.database.db
      .updateTable('information_system')
      .set({ classified: true })
      .where('id', '=', systemOf(projectId) as string)
      .execute();
    const submitted = await api.submit(applicant, draft.id);
    expect(submitted.statusCode, submitted.body).toBe(409);
    expect(submitted.json()).toMatchObject({ code: 'cloud_not_permitted' });
  });
});

describe('projects: declared -> under review -> approved / rejected, each by its own role (SH 18, JQ-proj 9)', () => {
  const newProject = async (body: Record<string, unknown> = {}) =>
    as(t.app, applicant, {
      method: 'POST',
      url: '/api/v1/projects',
      payload: {
        approvalNo: `沪经信〔2026〕${Math.random().toString(36).slice(2, 8)}号`,
        name: '新项目',
        year: 2026,
        ...body,
      },
    });

  it('a unit cannot create a project as approved, nor PATCH it to approved', async () => {
    const asApproved = await newProject({ status: 'approved' });
    expect(asApproved.statusCode).toBe(400);
    expect(asApproved.body).toContain('status');
    const created = await newProject();
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().status).toBe('declared');
    const patched = await as(t.app, applicant, {
      method: 'PATCH',
      url: `/api/v1/projects/${created.json().id}`,
      payload: { status: 'approved' },
    });
    expect(patched.statusCode).toBe(400);
    const read = await as(t.app, applicant, { url: `/api/v1/projects/${created.json().id}` });
    expect(read.json().status).toBe('declared');
  });

  it('the unit submits, only the authority approves, the economy & IT authority sets the quota; each step audited', async () => {
    const created = (await newProject()).json();
    const url = `/api/v1/projects/${created.id}`;
    // Editable while declared.
    const renamed = await as(t.app, applicant, { method: 'PATCH', url, payload: { name: '新项目（修订）' } });
    expect(renamed.statusCode, renamed.body).toBe(200);
    // The unit cannot decide its own project; the authority cannot decide one not submitted.
    expect(
      (await as(t.app, applicant, { method: 'POST', url: `${url}/decision`, payload: { decision: 'approve' } }))
        .statusCode,
    ).toBe(403);
    const early = await as(t.app, approver, {
      method: 'POST',
      url: `${url}/decision`,
      payload: { decision: 'approve' },
    });
    expect(early.statusCode).toBe(409);
    const submitted = await as(t.app, applicant, { method: 'POST', url: `${url}/submit` });
    expect(submitted.statusCode, submitted.body).toBe(200);
    expect(submitted.json().status).toBe('under_review');
    // Under review: the unit no longer edits it.
    const locked = await as(t.app, applicant, { method: 'PATCH', url, payload: { name: '再改' } });
    expect(locked.statusCode).toBe(409);
    expect(locked.json().code).toBe('project_transition_refused');
    // Neither the economy & IT authority nor the ops unit approves a project; the authority does.
    for (const s of [econ, reviewer, edu]) {
      const res = await as(t.app, s, { method: 'POST', url: `${url}/decision`, payload: { decision: 'approve' } });
      expect([403, 404]).toContain(res.statusCode);
    }
    const approved = await as(t.app, approver, {
      method: 'POST',
      url: `${url}/decision`,
      payload: { decision: 'approve', comment: '同意立项' },
    });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'approved', decisionComment: '同意立项' });
    expect(approved.json().decidedBy).toBeTruthy();
    // The quota is the economy & IT authority's, not the authority's.
    const byApprover = await as(t.app, approver, {
      method: 'PUT',
      url: `${url}/quota`,
      payload: { base: { vcpu: '8' } },
    });
    expect(byApprover.statusCode).toBe(403);
    const quota = await as(t.app, econ, {
      method: 'PUT',
      url: `${url}/quota`,
      payload: { base: { vcpu: '8', memory_gb: '16', storage_gb: '200' } },
    });
    expect(quota.statusCode, quota.body).toBe(200);
    const actions = await t.database.db
      .selectFrom('audit_event')
      .select('action')
      .where('object_id', '=', created.id)
      .orderBy('id')
      .execute();
    expect(actions.map((a) => a.action)).toEqual([
      'project.created',
      'project.updated',
      'project.submitted',
      'project.approved',
      'project.quota_set',
    ]);
    expect((await verifyAuditChain(t.database.db)).intact).toBe(true);
  });

  it('a rejected project stays rejected: no order draws on it', async () => {
    const created = (await newProject()).json();
    const url = `/api/v1/projects/${created.id}`;
    await as(t.app, applicant, { method: 'POST', url: `${url}/submit` });
    const rejected = await as(t.app, approver, {
      method: 'POST',
      url: `${url}/decision`,
      payload: { decision: 'reject', comment: '不符合建设规划' },
    });
    expect(rejected.json().status).toBe('rejected');
    const order = await api.place(applicant, {
      type: 'new_resources',
      title: 'r',
      projectId: created.id,
      systemId: systemOf(await project(t.database.db, 'demo-health', {})),
      lines: [vm(2, 4)],
    });
    expectRefused(order, 'body.projectId', 'SH 18');
  });
});
