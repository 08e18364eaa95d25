// Test fixtures for the orders tests (not used by the application).
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { expect } from 'vitest';
import { as, login, type Session } from '../../../test/sessions.ts';
import type { Db } from '../../schema.ts';

let projectNo = 0;
const systems = new Map<string, string>();

/** The information system the fixture project builds (orders that take quota name it, SH 18-24). */
export const systemOf = (projectId: string): string | undefined => systems.get(projectId);

/**
 * An approved project of a unit with a base quota per dimension, written as the authority and the economy &
 * IT authority would, building one system that may go live (MLPS 2, filed, commitment letter on file).
 * `status` 'declared': a project declared but not yet approved (SH 24's temporary resources). An approved one
 * has passed its preliminary review (JQ-proj 9, NB 17: without it no orders in those packs).
 */
export async function project(
  db: Db,
  orgCode: string,
  quota: Record<string, string | number>,
  status: 'approved' | 'declared' = 'approved',
): Promise<string> {
  const org = await db
    .selectFrom('organisation')
    .select(['id', 'jurisdiction_id'])
    .where('code', '=', orgCode)
    .executeTakeFirstOrThrow();
  projectNo++;
  const { rows } = await sql<{ id: string }>`
    insert into project (organisation_id, jurisdiction_id, approval_no, name, year, status, created_by, review_passed_at)
    values (${org.id}, ${org.jurisdiction_id}, ${`测试〔2026〕${projectNo}号-${Math.random().toString(36).slice(2, 8)}`}, ${`测试项目${projectNo}`}, 2026, ${status}, 'test',
      ${status === 'approved' ? sql`now()` : null})
    returning id`.execute(db);
  const id = rows[0]!.id;
  const { rows: sys } = await sql<{ id: string }>`
    insert into information_system (organisation_id, jurisdiction_id, name, mlps_level, filing_status,
      commitment_letter_on_file, created_by)
    values (${org.id}, ${org.jurisdiction_id}, ${`测试系统${projectNo}`}, 2, 'filed', true, 'test')
    returning id`.execute(db);
  await sql`insert into project_system (project_id, system_id, organisation_id, jurisdiction_id)
    values (${id}, ${sys[0]!.id}, ${org.id}, ${org.jurisdiction_id})`.execute(db);
  systems.set(id, sys[0]!.id);
  for (const [dimension, q] of Object.entries(quota)) {
    await sql`insert into project_quota (project_id, organisation_id, jurisdiction_id, dimension, quantity, set_by, set_at)
      values (${id}, ${org.id}, ${org.jurisdiction_id}, ${dimension}, ${String(q)}, 'test', now())`.execute(db);
  }
  return id;
}

export const vm = (vcpu: number, memoryGb: number, quantity = 1, disks: [number, number] = [40, 0]) => ({
  itemCode: 'cloud-vm',
  specification: { vcpu, memoryGb, systemDiskGb: disks[0], dataDiskGb: disks[1], os: 'CentOS 7.9' },
  quantity,
});

/** The body with the system of its fixture project filled in, unless it names one (or says `systemId: null`). */
export function withSystem(body: Record<string, unknown>): Record<string, unknown> {
  if ('systemId' in body) return body.systemId === null ? { ...body, systemId: undefined } : body;
  const system = typeof body.projectId === 'string' ? systems.get(body.projectId) : undefined;
  return system ? { ...body, systemId: system } : body;
}

export function client(app: FastifyInstance) {
  return {
    place: (s: Session, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
      as(app, s, { method: 'POST', url: '/api/v1/orders', payload: withSystem(body), headers }),
    act: (s: Session, id: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
      as(app, s, { method: 'POST', url: `/api/v1/orders/${id}/act`, payload: body, headers }),
    submit: (s: Session, id: string, headers: Record<string, string> = {}) =>
      as(app, s, { method: 'POST', url: `/api/v1/orders/${id}/submit`, headers }),
    cancel: (s: Session, id: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
      as(app, s, { method: 'POST', url: `/api/v1/orders/${id}/cancel`, payload: body, headers }),
    batch: (s: Session, items: Record<string, unknown>[], headers: Record<string, string> = {}) =>
      as(app, s, { method: 'POST', url: '/api/v1/orders/batch-act', payload: { items }, headers }),
    get: (s: Session, id: string) => as(app, s, { url: `/api/v1/orders/${id}` }),
  };
}

/** A signed-in demo user for each role that acts on orders, keyed by the role. */
export async function roleSessions(app: FastifyInstance): Promise<Record<string, Session>> {
  const users = {
    unit_applicant: 'applicant',
    ops_reviewer: 'reviewer',
    authority_approver: 'approver',
    economy_it_approver: 'econ',
  };
  return Object.fromEntries(
    await Promise.all(Object.entries(users).map(async ([role, u]) => [role, await login(app, u)] as const)),
  );
}

/** Places an order and expects it accepted. */
export async function placed(app: FastifyInstance, s: Session, body: Record<string, unknown>) {
  const res = await client(app).place(s, body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

/** Acts and expects success. */
export async function acted(app: FastifyInstance, s: Session, id: string, body: Record<string, unknown>) {
  const res = await client(app).act(s, id, body);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

/** The due moment of `days` working days after `from`, from the calendar's public API. */
export async function workingDue(app: FastifyInstance, from: string, days: number, jurisdiction = 'demo-city') {
  const res = await app.inject({
    url: `/api/v1/calendar/working-days/add?from=${encodeURIComponent(from)}&days=${days}&jurisdiction=${jurisdiction}`,
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { due: string; dueDay: string; provisional: boolean };
}

/** A due moment as the API gives it (UTC ISO) for a Shanghai day: its last millisecond. */
export const endOfDay = (day: string) => new Date(`${day}T23:59:59.999+08:00`).toISOString();

/**
 * What an order left behind: its timeline events by kind and its audit entries by action (the audit
 * trail is read directly; it has no per-order API).
 */
export async function trail(db: Db, orderId: string) {
  const { rows: events } = await sql<{ kind: string; n: number }>`
    select kind, count(*)::int as n from order_event where order_id = ${orderId} group by kind`.execute(db);
  const { rows: audits } = await sql<{ action: string; n: number }>`
    select action, count(*)::int as n from audit_event where object_id = ${orderId} group by action`.execute(db);
  return {
    events: Object.fromEntries(events.map((e) => [e.kind, e.n])) as Record<string, number>,
    audits: Object.fromEntries(audits.map((a) => [a.action, a.n])) as Record<string, number>,
  };
}

/**
 * SH 19 "review, then open": while the order's current step is a reviewer's fulfilment step not yet handed to
 * provisioning, the reviewer approves it (the provider's work orders are created then). Returns the order.
 */
export async function reviewedForProvider(app: FastifyInstance, reviewer: Session, order: { id: string }) {
  let current = (await client(app).get(reviewer, order.id)).json();
  for (let i = 0; i < 3; i++) {
    const step = current.currentStep;
    if (!step?.fulfilmentAction || step.handledByProvisioning || step.role !== 'ops_reviewer') break;
    current = await acted(app, reviewer, order.id, { decision: 'approve', stepKey: step.key });
  }
  return current;
}
