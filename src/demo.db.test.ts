import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../test/helpers.ts';
import type { Database } from './platform/db/database.ts';
import type { DB } from './schema.ts';
import { type SeedStep, seedDemo } from './seed.ts';

// The first-start demo with activity (seedDemo's `activity`, as `yunguan serve` seeds an empty database):
// orders in several states, resources delivered through confirmed receipts, a work order waiting in provider
// A's queue, a settled October 2026 and a month of monitoring figures with one idle finding.
let database: Database<DB>;
let first: SeedStep[];
beforeAll(async () => {
  database = await testDatabase();
  first = await seedDemo(database.db, () => {}, { activity: true });
}, 180_000);
afterAll(() => database.close());

const created = (name: string) => first.find((s) => s.name === name)?.created;

describe('demo activity', () => {
  it('has orders waiting, overdue, completed, scaling up and rejected', async () => {
    const db = database.db;
    const orders = await db
      .selectFrom('resource_order as o')
      .innerJoin('organisation as g', 'g.id', 'o.organisation_id')
      .select(['o.id', 'o.title', 'o.status', 'o.type', 'g.code'])
      .execute();
    const steps = await db.selectFrom('order_step').select(['order_id', 'key', 'status', 'due_at']).execute();
    const open = (title: string) => {
      const o = orders.find((x) => x.title === title);
      return steps.find((s) => s.order_id === o?.id && s.status === 'open');
    };
    const demoNow = new Date('2026-11-22T02:00:00Z');
    expect(open('预约挂号 高峰期应用服务器')).toMatchObject({ key: 'test_review' });
    expect(open('预约挂号 高峰期应用服务器')?.due_at?.getTime()).toBeGreaterThan(demoNow.getTime());
    expect(open('电子健康档案 数据库扩展节点')?.due_at?.getTime()).toBeLessThan(demoNow.getTime());
    expect(
      orders
        .filter((o) => o.status === 'completed')
        .map((o) => o.code)
        .sort(),
    ).toEqual(['demo-education', 'demo-education', 'demo-health', 'demo-health']);
    // each formal opening released its test resources through the platform's reclaim (source test_release)
    const releases = await db
      .selectFrom('resource_order')
      .select(['status'])
      .where('source', '=', 'test_release')
      .execute();
    expect(releases).toEqual([{ status: 'completed' }, { status: 'completed' }]);
    expect(orders.find((o) => o.type === 'scale_up')).toMatchObject({ status: 'in_progress', code: 'demo-health' });
    expect(orders.find((o) => o.status === 'rejected')).toMatchObject({ code: 'demo-education' });
  });

  it('delivers resources through confirmed receipts and leaves the scale-up in provider A’s queue', async () => {
    const db = database.db;
    const active = await db.selectFrom('resource').select(['id', 'purpose']).where('state', '=', 'active').execute();
    expect(active.length).toBeGreaterThanOrEqual(20);
    expect(active.length).toBeLessThanOrEqual(40);
    expect(active.every((r) => r.purpose !== 'test')).toBe(true);
    const receipts = await db.selectFrom('delivery_receipt').select('status').execute();
    // test resources, formal opening and the test environment's release, for each of the two units
    expect(receipts.length).toBe(6);
    expect(receipts.every((r) => r.status === 'confirmed')).toBe(true);
    const providerA = await db
      .selectFrom('organisation')
      .select('id')
      .where('code', '=', 'demo-provider-a')
      .executeTakeFirstOrThrow();
    const waiting = await db
      .selectFrom('work_order')
      .select(['action', 'provider_id'])
      .where('status', '=', 'open')
      .execute();
    expect(waiting).toContainEqual({ action: 'scale_up', provider_id: providerA.id });
    const kinds = await db.selectFrom('resource_event').select('kind').distinct().execute();
    expect(kinds.map((k) => k.kind).sort()).toEqual(['delivered', 'reclaimed', 'resized', 'resumed', 'suspended']);
  });

  it('settles October 2026 with statements, and finds the idle resource', async () => {
    const db = database.db;
    expect(created('settlement 2026-10')).toBe(2);
    const run = await db
      .selectFrom('settlement_run')
      .select(['status', 'statement_count', 'total_fen'])
      .where('period', '=', '2026-10')
      .executeTakeFirstOrThrow();
    expect(run).toMatchObject({ status: 'draft', statement_count: 2 });
    expect(BigInt(run.total_fen)).toBeGreaterThan(0n);
    const findings = await db
      .selectFrom('monitoring_finding as f')
      .innerJoin('resource as r', 'r.id', 'f.resource_id')
      .select(['f.rule', 'r.name'])
      .execute();
    expect(findings).toEqual([{ rule: 'low_utilisation', name: 'jkxx-303' }]);
    const rollups = await db
      .selectFrom('monitoring_rollup')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(rollups.n)).toBe(5 * 2 * 30 * 24);
  });

  it('has IT projects in every stage from draft to accepted, with a change waiting for the authority', async () => {
    const db = database.db;
    expect(created('IT projects')).toBe(6);
    const declarations = await db
      .selectFrom('project_declaration as d')
      .innerJoin('project as p', 'p.id', 'd.project_id')
      .select(['p.name', 'd.status', 'd.urgent', 'p.status as projectStatus'])
      .orderBy('p.name')
      .execute();
    expect(declarations.map((d) => [d.name, d.status, d.urgent, d.projectStatus])).toEqual(
      [
        ['互联网医院服务平台', 'design_approved', false, 'approved'],
        ['教育资源公共服务平台', 'in_plan', false, 'declared'],
        ['校园安全视频联网平台', 'draft', false, 'declared'],
        ['疫苗接种管理系统升级', 'review_failed', false, 'declared'],
        ['突发公共卫生事件应急指挥系统', 'design_approved', true, 'approved'],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    const changes = await db
      .selectFrom('project_change')
      .select(['status', 'change_percent'])
      .orderBy('requested_at')
      .execute();
    expect(changes.map((c) => [c.status, String(c.change_percent)])).toEqual([
      ['recorded', '6.2500'],
      ['pending_authority', '12.5000'],
    ]);
    const acceptances = await db
      .selectFrom('project_acceptance')
      .select(['result', 'rectification_due', 'warranty_until'])
      .orderBy('attempt')
      .execute();
    expect(acceptances).toEqual([
      { result: 'failed', rectification_due: '2026-11-20', warranty_until: null },
      { result: 'passed', rectification_due: null, warranty_until: '2029-11-18' },
    ]);
  });

  it('is idempotent', async () => {
    const again = await seedDemo(database.db, () => {}, { activity: true });
    expect(again.every((s) => s.created === 0)).toBe(true);
  });
});
