import type { Actor } from '../../platform/audit/audit.ts';
import type { Trx } from '../../schema.ts';
import { demoUser } from '../identity/index.ts';
import { actOnOrder, placeOrder } from './orders.service.ts';

// Demo data only (seedDemo with `activity`). Dates are fixed around the demo's "today", 2026-11-22 (Asia/Shanghai):
// the demo calendar covers 2026 and the settled month is October 2026, so the story must not move with the clock.

const at = (shanghai: string) => new Date(`${shanghai}+08:00`);
const vm = (vcpu: number, memoryGb: number, quantity: number, dataDiskGb = 100) => ({
  itemCode: 'cloud-vm',
  specification: { vcpu, memoryGb, systemDiskGb: 40, dataDiskGb, os: 'CentOS 7.9' },
  quantity,
});

export async function demoProjectOf(trx: Trx, approvalNo: string) {
  const p = await trx
    .selectFrom('project')
    .select(['id', 'organisation_id'])
    .where('approval_no', '=', approvalNo)
    .executeTakeFirstOrThrow();
  const system = await trx
    .selectFrom('project_system')
    .select('system_id')
    .where('project_id', '=', p.id)
    .executeTakeFirst();
  return { projectId: p.id, systemId: system?.system_id };
}

/**
 * Orders in the states a reviewer meets on a normal day: one waiting for the ops reviewer, one overdue, one
 * rejected. (The completed and the scale-up orders are seeded by provisioning, which delivers them.)
 * Idempotent: nothing is placed when the demo units already have orders. Returns how many were placed.
 */
export async function seedDemoOrders(trx: Trx, _actor: Actor): Promise<number> {
  const existing = await trx
    .selectFrom('resource_order')
    .innerJoin('organisation', 'organisation.id', 'resource_order.organisation_id')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('organisation.code', 'in', ['demo-health', 'demo-education'])
    .executeTakeFirstOrThrow();
  if (Number(existing.n) > 0) return 0;
  const health = await demoUser(trx, 'applicant');
  const edu = await demoUser(trx, 'edu');
  const reviewer = await demoUser(trx, 'reviewer');
  const hp = await demoProjectOf(trx, '示经信投〔2026〕12号');
  const ep = await demoProjectOf(trx, '示经信投〔2026〕27号');

  // Overdue: placed three weeks ago, the reviewer's five working days (SH 19) long gone.
  await placeOrder(
    trx,
    health.auth,
    health.actor,
    { type: 'new_resources', title: '电子健康档案 数据库扩展节点', ...hp, lines: [vm(8, 32, 2, 500)] },
    at('2026-10-30T10:20:00'),
  );
  // Waiting for the reviewer, still within its deadline.
  await placeOrder(
    trx,
    health.auth,
    health.actor,
    { type: 'new_resources', title: '预约挂号 高峰期应用服务器', ...hp, lines: [vm(4, 8, 3)] },
    at('2026-11-20T15:05:00'),
  );
  // Rejected by the reviewer with a reason.
  const rejected = await placeOrder(
    trx,
    edu.auth,
    edu.actor,
    { type: 'new_resources', title: '招生报名 压测环境', ...ep, lines: [vm(8, 16, 2)] },
    at('2026-11-09T09:40:00'),
  );
  await actOnOrder(
    trx,
    reviewer.auth,
    reviewer.actor,
    rejected.id,
    { decision: 'reject', comment: '压测资源规格超出项目批复用途，请按实际并发量重新测算后申请' },
    at('2026-11-10T14:00:00'),
  );
  return 3;
}
