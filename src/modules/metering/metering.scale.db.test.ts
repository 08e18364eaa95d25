import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { as, login, type Session } from '../../../test/sessions.ts';
import { ManualClock } from '../../platform/time/clock.ts';
import { seedDemo } from '../../seed.ts';
import { addResourcesAtScale, demoIds, resizeAtScale } from './metering.fixtures.ts';

// Settlement at scale (issue 14): a closed month whose resources all get a late event must still settle the
// next month. Before the fix, the adjustment pass bound three parameters per late resource (`in ($1, $2, ...)`),
// and past 65,535 parameters PostgreSQL and PGlite refuse the statement: `bind message has N parameter formats
// but 0 parameters` (500). 22,000 resources x 3 = 66,000 parameters: one over the limit is enough.
//
// Worked figures with the demo catalogue (cloud-vm vCPU 60 元/月): October 2026 has 31 days, November 30.
// - October, 1 vCPU all month: 6,000 fen a resource.
// - Late resize to 2 vCPU from 21 October 00:00 (+08:00), recorded 5 November: 11 of 31 days at one more vCPU,
//   6,000 x 11 / 31 = 2,129.03 -> 2,129 fen of adjustment a resource, billed in November.
// - November at 2 vCPU: 12,000 fen a resource.

const COUNT = 22_000;
const clock = new ManualClock('2026-11-02T02:00:00Z');
let t: TestApp;
let reviewer: Session;
let econ: Session;

type Run = { id: string; month: string; status: string; lineCount: number; totalFen: string; outdated: string | null };

async function runOf(month: string): Promise<Run> {
  const res = await as(t.app, reviewer, { method: 'GET', url: '/api/v1/settlement/runs' });
  expect(res.statusCode).toBe(200);
  const run = res.json().items.find((r: Run) => r.month === month);
  expect(run, `run of ${month}`).toBeDefined();
  return run;
}

const compute = (month: string) =>
  as(t.app, reviewer, { method: 'POST', url: '/api/v1/settlement/runs', payload: { month } });
const review = (id: string) => as(t.app, reviewer, { method: 'POST', url: `/api/v1/settlement/runs/${id}/review` });
const confirm = (id: string) => as(t.app, econ, { method: 'POST', url: `/api/v1/settlement/runs/${id}/confirm` });

beforeAll(async () => {
  t = await testApp({ clock });
  const db = t.database.db;
  await seedDemo(db);
  const ids = await demoIds(db);
  const made = await addResourcesAtScale(db, {
    count: COUNT,
    prefix: 'scale-vm-',
    providerId: ids.providerA,
    deliveredAt: '2026-10-01T00:00:00+08:00',
    quantities: { vcpu: 1 },
  });
  expect(made).toBe(COUNT);
  reviewer = await login(t.app, 'reviewer');
  econ = await login(t.app, 'econ');
}, 120_000);
afterAll(() => t.close());

describe('settlement at scale', () => {
  it('closes October with one line per resource', async () => {
    const october = await compute('2026-10');
    expect(october.statusCode, october.body).toBe(200);
    const run = october.json().run;
    expect(run.lineCount).toBe(COUNT);
    expect(run.totalFen).toBe(String(COUNT * 6_000));
    expect(run.outdated).toBeNull();
    expect((await review(run.id)).statusCode).toBe(200);

    // November computed while October still awaits its confirmation (核定).
    clock.set('2026-12-01T02:00:00Z');
    const november = await compute('2026-11');
    expect(november.statusCode, november.body).toBe(200);
    expect(november.json().run.totalFen).toBe(String(COUNT * 6_000));

    clock.set('2026-12-01T03:00:00Z');
    const closed = await confirm(run.id);
    expect(closed.statusCode, closed.body).toBe(200);
    expect(closed.json().status).toBe('closed');
  }, 120_000);

  it('a draft computed before an earlier month was closed is outdated: it is not offered for review', async () => {
    const november = await runOf('2026-11');
    expect(november.status).toBe('draft');
    expect(november.outdated).toBe('earlier_month_closed');
    const refused = await review(november.id);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('settlement_outdated');
  });

  it('late events for every resource of the closed month: November settles with one adjustment each', async () => {
    const late = await resizeAtScale(t.database.db, {
      prefix: 'scale-vm-',
      occurredAt: '2026-10-21T00:00:00+08:00',
      recordedAt: '2026-11-05T09:00:00+08:00',
      quantities: { vcpu: 2 },
    });
    expect(late).toBe(COUNT);
    clock.set('2026-12-01T04:00:00Z');
    const res = await compute('2026-11');
    expect(res.statusCode, res.body).toBe(200);
    const { run, adjustments } = res.json();
    expect(adjustments).toBe(COUNT);
    expect(run.lineCount).toBe(2 * COUNT);
    expect(run.totalFen).toBe(String(COUNT * (12_000 + 2_129)));
    expect(run.outdated).toBeNull();

    // One statement, its adjustment line explained piece by piece from the late event.
    const statements = await as(t.app, reviewer, { method: 'GET', url: '/api/v1/settlement/statements?month=2026-11' });
    const first = statements.json().items[0];
    const statement = await as(t.app, reviewer, { method: 'GET', url: `/api/v1/settlement/statements/${first.id}` });
    const line = statement.json().lines.find((l: { kind: string }) => l.kind === 'adjustment');
    expect(line).toMatchObject({ adjustsMonth: '2026-10', amountFen: '2129' });
    const explained = await as(t.app, reviewer, {
      method: 'GET',
      url: `/api/v1/settlement/statements/${first.id}/lines/${line.lineNo}`,
    });
    expect(explained.statusCode, explained.body).toBe(200);
    expect(explained.json().pieces.map((p: { quantity: string }) => p.quantity)).toEqual(['1', '2']);

    expect((await review(run.id)).statusCode).toBe(200);
  }, 120_000);
});
