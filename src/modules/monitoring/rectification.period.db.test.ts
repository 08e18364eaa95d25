import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { as, login, type Session } from '../../../test/sessions.ts';
import { ManualClock } from '../../platform/time/clock.ts';
import { seedDemo } from '../../seed.ts';
import { PACKS } from '../policy/index.ts';

// The rectification period of a warning (SH 25 责令整改) comes from the policy pack, not from a column default:
// every pack says where its regulation stands (monitoring.rectificationWorkingDays, with its article, or silent),
// the engine takes the pack's number where there is one, else the pack's defaults.rectificationWorkingDays; both
// are overridable per jurisdiction like every pack value.

const clock = new ManualClock('2026-09-28T02:00:00Z');
let t: TestApp;
let reviewer: Session;
let approver: Session;

beforeAll(async () => {
  t = await testApp({ clock });
  await seedDemo(t.database.db);
  reviewer = await login(t.app, 'reviewer');
  approver = await login(t.app, 'approver');
}, 120_000);
afterAll(async () => {
  await t?.close();
});

/** An open silent-agent finding on a fresh VM of the health commission (what detection would leave). */
async function finding(): Promise<string> {
  const name = `vm-${Math.random().toString(36).slice(2, 8)}`;
  const { rows } = await sql<{ id: string }>`
    with r as (
      insert into resource (organisation_id, jurisdiction_id, provider_id, catalogue_item_code, name, external_id,
        state, quantities, delivered_at)
      select o.id, o.jurisdiction_id, p.id, 'ecs', ${name}, ${name}, 'active', '{"vcpu": 2}', '2026-08-01T00:00:00Z'
      from organisation o, organisation p where o.code = 'demo-health' and p.code = 'demo-provider-a'
      returning id, organisation_id, jurisdiction_id, provider_id)
    insert into monitoring_finding (resource_id, organisation_id, jurisdiction_id, provider_id, rule, rule_version,
      evidence, first_detected_at, last_detected_at, updated_at)
    select id, organisation_id, jurisdiction_id, provider_id, 'silent_agent', 'test', '{}', now(), now(), now() from r
    returning id`.execute(t.database.db);
  return rows[0]!.id;
}

const propose = async () =>
  as(t.app, reviewer, {
    method: 'POST',
    url: `/api/v1/monitoring/findings/${await finding()}/rectifications`,
    payload: { reason: '监测软件长期无数据' },
  });

const override = (path: string, value: unknown) =>
  as(t.app, approver, {
    method: 'PUT',
    url: '/api/v1/jurisdictions/demo-city/policy/overrides',
    payload: { path, value, reason: '本市整改期限' },
  });

describe('the rectification period comes from the policy pack', () => {
  for (const pack of PACKS.values()) {
    it(`${pack.id}: the pack says it with its article (or why not); the engine uses the pack's value`, async () => {
      const cited = pack.monitoring.rectificationWorkingDays;
      expect(cited.article !== null || cited.note !== undefined, 'cited or explained').toBe(true);
      const selected = await as(t.app, approver, {
        method: 'PUT',
        url: '/api/v1/jurisdictions/demo-city/policy',
        payload: { packId: pack.id },
      });
      expect(selected.statusCode, selected.body).toBe(200);
      const expected = cited.value ?? pack.defaults.rectificationWorkingDays.value;
      const first = await propose();
      expect(first.statusCode, first.body).toBe(201);
      expect(first.json().workingDays).toBe(expected);
      const settings = await as(t.app, reviewer, { url: '/api/v1/monitoring/settings' });
      expect(settings.json().rectificationWorkingDays).toBe(expected);

      // the platform default is the pack's own and overridable
      expect((await override('defaults.rectificationWorkingDays', 4)).statusCode).toBe(200);
      if (cited.value === null) expect((await propose()).json().workingDays).toBe(4);
      // a local departure from the regulation's own value comes first
      const local = await override('monitoring.rectificationWorkingDays', 7);
      expect(local.statusCode, local.body).toBe(200);
      const second = await propose();
      expect(second.json().workingDays).toBe(7);
      // the approval counts the deadline in those working days (calendar module)
      const approved = await as(t.app, approver, {
        method: 'POST',
        url: `/api/v1/monitoring/rectifications/${second.json().id}/decision`,
        payload: { decision: 'approve' },
      });
      expect(approved.statusCode, approved.body).toBe(200);
      const seven = await t.app.inject({
        url: `/api/v1/calendar/working-days/add?from=${encodeURIComponent(clock.now().toISOString())}&days=7&jurisdiction=demo-city`,
      });
      expect(approved.json().dueDay).toBe(seven.json().dueDay);
      for (const path of ['defaults.rectificationWorkingDays', 'monitoring.rectificationWorkingDays']) {
        const removed = await as(t.app, approver, {
          method: 'DELETE',
          url: `/api/v1/jurisdictions/demo-city/policy/overrides?path=${path}`,
        });
        expect(removed.statusCode, removed.body).toBeLessThan(300);
      }
    });
  }
});
