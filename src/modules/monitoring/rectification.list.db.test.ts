import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { as, login, type Session } from '../../../test/sessions.ts';
import { ManualClock } from '../../platform/time/clock.ts';
import { seedDemo } from '../../seed.ts';
import { detectionJob, rectificationDeadlineJob } from './monitoring.jobs.ts';

// The rectification list carries what its table shows (unit, resource, the finding's rule, due day, overdue,
// the last answer), pages and filters (state, unit) on the server, and shows each caller only its own rows.

const NOW = new Date('2026-09-28T02:00:00Z');
const log = { info: () => {}, warn: () => {}, error: () => {} };

let t: TestApp;
let clock: ManualClock;
let reviewer: Session;
let approver: Session;
let unit: Session;
let edu: Session;
let health: string;
let education: string;
/** rectification id by resource name */
const rect: Record<string, string> = {};

interface Item {
  id: string;
  status: string;
  organisationId: string;
  organisationName: string | null;
  resourceName: string | null;
  rule: string;
  dueDay: string | null;
  dueAt: string | null;
  overdue: boolean;
  response: { action: string; comment: string | null } | null;
}

async function list(s: Session, query = ''): Promise<{ items: Item[]; total: number }> {
  const res = await as(t.app, s, { url: `/api/v1/monitoring/rectifications${query}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}
const post = (s: Session, url: string, payload: object) =>
  as(t.app, s, { method: 'POST', url: `/api/v1/monitoring${url}`, payload });

beforeAll(async () => {
  clock = new ManualClock(NOW);
  t = await testApp({ clock });
  await seedDemo(t.database.db);
  const orgs = await t.database.db.selectFrom('organisation').select(['id', 'code']).execute();
  const id = (code: string) => orgs.find((o) => o.code === code)?.id as string;
  health = id('demo-health');
  education = id('demo-education');
  const city = await t.database.db
    .selectFrom('jurisdiction')
    .select('id')
    .where('code', '=', 'demo-city')
    .executeTakeFirstOrThrow();
  // Four VMs whose agents never reported (silent-agent findings): three of the health commission, one of education.
  for (const [name, org] of [
    ['vm-h1', health],
    ['vm-h2', health],
    ['vm-h3', health],
    ['vm-e1', education],
  ] as const) {
    await sql`
      insert into resource (organisation_id, jurisdiction_id, provider_id, catalogue_item_code, name, external_id, state, delivered_at)
      values (${org}, ${city.id}, ${id('demo-provider-a')}, 'ecs', ${name}, ${name}, 'active', ${new Date('2026-08-01T00:00:00Z')})`.execute(
      t.database.db,
    );
  }
  await detectionJob.run({ db: t.database.db, now: NOW, log });
  reviewer = await login(t.app, 'reviewer');
  approver = await login(t.app, 'approver');
  unit = await login(t.app, 'unitadmin');
  edu = await login(t.app, 'edu');
  const findings = await t.database.db
    .selectFrom('monitoring_finding')
    .innerJoin('resource', 'resource.id', 'monitoring_finding.resource_id')
    .select(['monitoring_finding.id', 'resource.name'])
    .execute();
  const findingOf = Object.fromEntries(findings.map((f) => [f.name, f.id]));
  // proposed one after another (the list is newest first)
  for (const name of ['vm-h1', 'vm-h2', 'vm-h3', 'vm-e1']) {
    clock.set(new Date(clock.now().getTime() + 60_000));
    const res = await post(reviewer, `/findings/${findingOf[name]}/rectifications`, {
      reason: `监测代理失联：${name}`,
      workingDays: 3,
    });
    expect(res.statusCode, res.body).toBe(201);
    rect[name] = res.json().id;
  }
  for (const name of ['vm-h1', 'vm-e1']) {
    expect((await post(approver, `/rectifications/${rect[name]}/decision`, { decision: 'approve' })).statusCode).toBe(
      200,
    );
  }
  expect((await post(approver, `/rectifications/${rect['vm-h3']}/decision`, { decision: 'refuse' })).statusCode).toBe(
    200,
  );
  const answered = await post(edu, `/rectifications/${rect['vm-e1']}/response`, {
    action: 'downsize',
    comment: '已缩容',
  });
  expect(answered.statusCode, answered.body).toBe(200);
}, 120_000);

afterAll(async () => {
  await t?.close();
});

describe('the rectification list', () => {
  it('gives each row its unit, resource, rule, state, due day and last answer, newest first', async () => {
    const page = await list(reviewer);
    expect(page.total).toBe(4);
    expect(page.items.map((i) => i.resourceName)).toEqual(['vm-e1', 'vm-h3', 'vm-h2', 'vm-h1']);
    const byName = Object.fromEntries(page.items.map((i) => [i.resourceName, i]));
    expect(byName['vm-h1']).toMatchObject({
      id: rect['vm-h1'],
      status: 'warned',
      organisationId: health,
      organisationName: '示范市卫生健康委员会',
      proposedBy: 'reviewer',
      proposedByName: '赵敏（运管审核员）',
      rule: 'silent_agent',
      overdue: false,
      response: null,
    });
    expect(byName['vm-h1']?.dueDay).toMatch(/^2026-\d{2}-\d{2}$/);
    expect(byName['vm-h2']).toMatchObject({ status: 'proposed', dueDay: null, overdue: false });
    expect(byName['vm-h3']).toMatchObject({ status: 'withdrawn' });
    expect(byName['vm-e1']).toMatchObject({
      status: 'responded',
      organisationId: education,
      rule: 'silent_agent',
      response: { action: 'downsize', comment: '已缩容' },
    });
    expect(byName['vm-e1']?.organisationName).toBeTruthy();
  });

  it('filters by state and unit and pages on the server', async () => {
    expect((await list(reviewer, '?status=warned')).items.map((i) => i.resourceName)).toEqual(['vm-h1']);
    const healthRows = await list(reviewer, `?organisationId=${health}`);
    expect(healthRows.total).toBe(3);
    expect(healthRows.items.every((i) => i.organisationId === health)).toBe(true);
    const both = await list(reviewer, `?organisationId=${education}&status=responded`);
    expect(both.items.map((i) => i.resourceName)).toEqual(['vm-e1']);
    expect((await list(reviewer, `?organisationId=${education}&status=warned`)).total).toBe(0);

    const second = await list(reviewer, '?limit=2&offset=2');
    expect(second.total).toBe(4);
    expect(second.items.map((i) => i.resourceName)).toEqual(['vm-h2', 'vm-h1']);
    // past the end: no rows, the total still
    expect(await list(reviewer, '?limit=2&offset=10')).toEqual({ items: [], total: 4 });
    const bad = await as(t.app, reviewer, { url: '/api/v1/monitoring/rectifications?organisationId=nope' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('organisationId');
  });

  it('shows a unit only its own rows, whatever it filters on; another jurisdiction sees none', async () => {
    const own = await list(unit);
    expect(own.total).toBe(3);
    expect(own.items.every((i) => i.organisationId === health)).toBe(true);
    expect(await list(unit, `?organisationId=${education}`)).toEqual({ items: [], total: 0 });
    const eduRows = await list(edu);
    expect(eduRows.items.map((i) => i.resourceName)).toEqual(['vm-e1']);
    expect(await list(edu, `?organisationId=${health}`)).toEqual({ items: [], total: 0 });
    const east = await login(t.app, 'eastreviewer');
    expect(await list(east)).toEqual({ items: [], total: 0 });
  });

  it('flags a warning whose deadline passed unanswered as overdue, before the proposal and after the authority consents', async () => {
    const warned = (await list(reviewer, '?status=warned')).items[0] as Item;
    const due = new Date(warned.dueAt as string);
    clock.set(new Date(due.getTime() - 1000));
    expect((await list(reviewer)).items.filter((i) => i.overdue)).toEqual([]);
    clock.set(new Date(due.getTime() + 1000));
    const after = await list(reviewer);
    expect(after.items.filter((i) => i.overdue).map((i) => i.resourceName)).toEqual(['vm-h1']);
    // the education unit's answer came in time: awaiting review, not overdue
    expect(after.items.find((i) => i.resourceName === 'vm-e1')?.overdue).toBe(false);
    await rectificationDeadlineJob.run({ db: t.database.db, now: clock.now(), log });
    // proposed to the authority (SH 25): its own deadline has not passed, so the row waits on it, not overdue
    const asked = (await list(unit, '?status=consent_requested')).items;
    expect(asked.map((i) => [i.resourceName, i.overdue])).toEqual([['vm-h1', false]]);
    const consented = await post(approver, `/rectifications/${asked[0]?.id}/consent`, { decision: 'consent' });
    expect(consented.statusCode, consented.body).toBe(200);
    const escalated = (await list(unit, '?status=escalated')).items;
    expect(escalated.map((i) => [i.resourceName, i.overdue])).toEqual([['vm-h1', true]]);
  });
});
