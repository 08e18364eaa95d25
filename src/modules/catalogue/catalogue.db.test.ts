import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { as, login, type Session } from '../../../test/sessions.ts';
import { verifyAuditChain } from '../../platform/audit/audit.ts';
import { addDays, shanghaiDay } from '../../platform/time/time.ts';
import { seedDemo } from '../../seed.ts';

let t: TestApp;
let ops: Session;
let authority: Session;
const today = shanghaiDay(new Date());

beforeAll(async () => {
  t = await testApp();
  await seedDemo(t.database.db);
  ops = await login(t.app, 'reviewer');
  authority = await login(t.app, 'approver');
});
afterAll(() => t.close());

const vmPrice = (body: { items: { code: string; prices: { dimension: string; unitPrice: string }[] }[] }) =>
  body.items.find((i) => i.code === 'cloud-vm')?.prices.find((p) => p.dimension === 'vcpu')?.unitPrice;

describe('the service catalogue', () => {
  it('publishes Liuzhou’s 14 items with demo prices, in force since 2026-01-01, without login', async () => {
    const res = await t.app.inject('/api/v1/catalogue');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.version).toMatchObject({ versionNo: 1, status: 'approved', effectiveFrom: '2026-01-01' });
    expect(body.version.note).toContain('演示价格');
    expect(body.items).toHaveLength(14);
    expect(body.items.map((i: { name: string }) => i.name)).toEqual(
      expect.arrayContaining(['云虚拟机', '堡垒机', '云密码服务', '时钟源服务', '域名解析服务', '设备托管']),
    );
    const vm = body.items.find((i: { code: string }) => i.code === 'cloud-vm');
    expect(vm.layer).toBe('IaaS');
    expect(vm.specification.map((a: { key: string }) => a.key)).toEqual([
      'vcpu',
      'memoryGb',
      'systemDiskGb',
      'dataDiskGb',
      'os',
    ]);
    expect(vmPrice(body)).toBe('60.0000');
    expect((await t.app.inject('/api/v1/catalogue?at=2025-12-31')).statusCode).toBe(404);
  });

  it('a district without a catalogue of its own uses its city’s', async () => {
    const res = await t.app.inject('/api/v1/catalogue?jurisdiction=demo-east');
    expect(res.json()).toMatchObject({ jurisdictionCode: 'demo-east', sourceJurisdictionCode: 'demo-city' });
  });

  it('a price change effective mid-month: queries before and after the date return the right version', async () => {
    const effective = addDays(today, 10);
    const draft = await as(t.app, ops, {
      method: 'POST',
      url: '/api/v1/catalogue/versions',
      payload: { jurisdictionCode: 'demo-city', effectiveFrom: effective, note: '调价' },
    });
    expect(draft.statusCode).toBe(201);
    const id = draft.json().id;
    expect(draft.json()).toMatchObject({ versionNo: 2, status: 'draft' });
    const current = (await as(t.app, ops, { url: `/api/v1/catalogue/versions/${id}` })).json();
    expect(current.items).toHaveLength(14);
    const vm = current.items.find((i: { code: string }) => i.code === 'cloud-vm');
    const changed = await as(t.app, ops, {
      method: 'PUT',
      url: `/api/v1/catalogue/versions/${id}/items/cloud-vm`,
      payload: {
        ...vm,
        code: undefined,
        prices: vm.prices.map((p: { dimension: string }) => (p.dimension === 'vcpu' ? { ...p, unitPrice: '55.5' } : p)),
      },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    // Drafts are not public and not in force.
    expect(
      (await as(t.app, await login(t.app, 'applicant'), { url: `/api/v1/catalogue/versions/${id}` })).statusCode,
    ).toBe(404);
    expect(
      (await as(t.app, authority, { method: 'POST', url: `/api/v1/catalogue/versions/${id}/approve` })).json().code,
    ).toBe('conflict');
    expect(
      (await as(t.app, ops, { method: 'POST', url: `/api/v1/catalogue/versions/${id}/submit` })).json().status,
    ).toBe('submitted');
    expect((await as(t.app, ops, { method: 'POST', url: `/api/v1/catalogue/versions/${id}/approve` })).statusCode).toBe(
      403,
    );
    // SH 15 (the Shanghai pack's catalogue.versionConfirmedBy): confirmed by the competent authority AND the
    // economy & IT authority; one confirmation does not put the version in force
    const first = await as(t.app, authority, { method: 'POST', url: `/api/v1/catalogue/versions/${id}/approve` });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({
      status: 'submitted',
      confirmations: [{ role: 'authority_approver', by: 'approver' }],
      confirmationsPending: ['economy_it_approver'],
    });
    const again = await as(t.app, authority, { method: 'POST', url: `/api/v1/catalogue/versions/${id}/approve` });
    expect(again.statusCode).toBe(409);
    expect(
      (await t.app.inject(`/api/v1/catalogue?at=${effective}T00:00:00+08:00`)).json().version.versionNo,
      'not in force on one confirmation',
    ).toBe(1);
    const econ = await login(t.app, 'econ');
    const approved = await as(t.app, econ, { method: 'POST', url: `/api/v1/catalogue/versions/${id}/approve` });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'approved', effectiveFrom: effective, confirmationsPending: [] });
    expect(
      approved
        .json()
        .confirmations.map((c: { role: string }) => c.role)
        .sort(),
    ).toEqual(['authority_approver', 'economy_it_approver']);
    const confirmedAudit = await t.database.db
      .selectFrom('audit_event')
      .select('action')
      .where('object_id', '=', id)
      .where('action', 'in', ['catalogue.confirmed', 'catalogue.approved'])
      .execute();
    expect(confirmedAudit.map((a) => a.action).sort()).toEqual([
      'catalogue.approved',
      'catalogue.confirmed',
      'catalogue.confirmed',
    ]);

    const before = (await t.app.inject(`/api/v1/catalogue?at=${addDays(effective, -1)}T23:59:59.999+08:00`)).json();
    const onTheDay = (await t.app.inject(`/api/v1/catalogue?at=${effective}T00:00:00+08:00`)).json();
    expect([before.version.versionNo, vmPrice(before)]).toEqual([1, '60.0000']);
    expect([onTheDay.version.versionNo, vmPrice(onTheDay)]).toEqual([2, '55.5000']);
    // The boundary is Shanghai midnight: 16:00 UTC the day before is already the new day.
    const utc = (await t.app.inject(`/api/v1/catalogue?at=${addDays(effective, -1)}T16:00:00Z`)).json();
    expect(utc.version.versionNo).toBe(2);
  });

  it('history is never rewritten: approved versions and their items are frozen in the database', async () => {
    const v1 = (await t.app.inject('/api/v1/catalogue?at=2026-01-15')).json().version.id;
    await expect(
      sql`update catalogue_version set effective_from = '2025-06-01' where id = ${v1}`.execute(t.database.db),
    ).rejects.toThrow(/never rewritten/);
    await expect(
      sql`update catalogue_price set unit_price = 1 where item_id in (select id from catalogue_item where version_id = ${v1})`.execute(
        t.database.db,
      ),
    ).rejects.toThrow(/frozen/);
    expect(
      (await as(t.app, ops, { method: 'PUT', url: `/api/v1/catalogue/versions/${v1}/items/dns`, payload: {} }))
        .statusCode,
    ).toBe(400);
  });

  it('refuses an effective date in the past, bad prices and a second open draft, naming the field', async () => {
    const past = await as(t.app, ops, {
      method: 'POST',
      url: '/api/v1/catalogue/versions',
      payload: { jurisdictionCode: 'demo-city', effectiveFrom: '2026-01-02' },
    });
    expect(past.statusCode).toBe(400);
    expect(past.json().errors[0].field).toBe('body.effectiveFrom');
    const draft = await as(t.app, ops, {
      method: 'POST',
      url: '/api/v1/catalogue/versions',
      payload: { jurisdictionCode: 'demo-city', effectiveFrom: addDays(today, 40) },
    });
    expect(draft.statusCode).toBe(201);
    const second = await as(t.app, ops, {
      method: 'POST',
      url: '/api/v1/catalogue/versions',
      payload: { jurisdictionCode: 'demo-city', effectiveFrom: addDays(today, 50) },
    });
    expect(second.json().code).toBe('conflict');
    const bad = await as(t.app, ops, {
      method: 'PUT',
      url: `/api/v1/catalogue/versions/${draft.json().id}/items/new-item`,
      payload: {
        name: '新服务',
        nameEn: 'New',
        layer: 'SaaS',
        category: '其他',
        description: null,
        specification: [],
        providerId: null,
        prices: [{ dimension: 'instance', unit: '元/月', unitPrice: '12.34567' }],
      },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('body.prices.0.unitPrice');
    // The authority rejects it with reasons; it is a draft again.
    await as(t.app, ops, { method: 'DELETE', url: `/api/v1/catalogue/versions/${draft.json().id}/items/dns` });
    await as(t.app, ops, { method: 'POST', url: `/api/v1/catalogue/versions/${draft.json().id}/submit` });
    const rejected = await as(t.app, authority, {
      method: 'POST',
      url: `/api/v1/catalogue/versions/${draft.json().id}/reject`,
      payload: { reason: '域名解析不能取消' },
    });
    expect(rejected.json()).toMatchObject({ status: 'draft', rejectionNote: '域名解析不能取消' });
  });

  it('a district derives its own catalogue from the city’s, with its own prices', async () => {
    const east = await login(t.app, 'eastreviewer');
    const city = (await t.app.inject('/api/v1/catalogue?jurisdiction=demo-city')).json().version.id;
    const draft = await as(t.app, east, {
      method: 'POST',
      url: '/api/v1/catalogue/versions',
      payload: { jurisdictionCode: 'demo-east', effectiveFrom: addDays(today, 5), basedOnId: city },
    });
    expect(draft.statusCode, draft.body).toBe(201);
    expect(draft.json().basedOnId).toBe(city);
    // The district's operations unit cannot touch the city's catalogue.
    const cityDraft = await as(t.app, east, {
      method: 'POST',
      url: '/api/v1/catalogue/versions',
      payload: { jurisdictionCode: 'demo-city', effectiveFrom: addDays(today, 5) },
    });
    expect(cityDraft.statusCode).toBe(404);
    expect((await verifyAuditChain(t.database.db)).intact).toBe(true);
  });
});

describe('calendar import by an operator', () => {
  it('loads a year from CSV, audited; the whole file or nothing; units may not', async () => {
    const csv = 'date,kind,name\n2030-01-01,holiday,元旦\n2030-10-01,holiday,国庆节\n';
    const ok = await as(t.app, ops, {
      method: 'PUT',
      url: '/api/v1/calendar/years/2030',
      headers: { 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ year: 2030, status: 'confirmed', holidays: 2 });
    const due = (
      await t.app.inject('/api/v1/calendar/working-days/add?from=2029-12-31T10:00:00%2B08:00&days=1')
    ).json();
    expect(due).toMatchObject({ due: '2030-01-02T23:59:59.999+08:00', provisional: false });
    const broken = await as(t.app, ops, {
      method: 'PUT',
      url: '/api/v1/calendar/years/2031',
      headers: { 'content-type': 'text/csv' },
      payload: 'date,kind,name\n2031-01-01,holiday,元旦\n2031-02-30,holiday,?\n',
    });
    expect(broken.statusCode).toBe(400);
    expect((await t.app.inject('/api/v1/calendar/years/2031')).json().status).not.toBe('confirmed');
    const unit = await as(t.app, await login(t.app, 'applicant'), {
      method: 'PUT',
      url: '/api/v1/calendar/years/2030',
      headers: { 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(unit.statusCode).toBe(403);
  });
});

describe('confirmation of catalogue versions follows the pack (SH 15)', () => {
  // the district's own catalogue (SH 15: 各区参照市级编制方法), on the district's pack
  const draftSubmitted = async (days: number) => {
    const draft = await as(t.app, ops, {
      method: 'POST',
      url: '/api/v1/catalogue/versions',
      payload: { jurisdictionCode: 'demo-west', effectiveFrom: addDays(today, days), note: '双重核定' },
    });
    expect(draft.statusCode, draft.body).toBe(201);
    const id = draft.json().id as string;
    const submitted = await as(t.app, ops, { method: 'POST', url: `/api/v1/catalogue/versions/${id}/submit` });
    expect(submitted.json().status).toBe('submitted');
    return id;
  };

  it('Shanghai: the economy & IT authority alone does not put a version in force; a version sent back is confirmed afresh', async () => {
    const econ = await login(t.app, 'econ');
    const id = await draftSubmitted(20);
    const first = await as(t.app, econ, { method: 'POST', url: `/api/v1/catalogue/versions/${id}/approve` });
    expect(first.json()).toMatchObject({ status: 'submitted', confirmationsPending: ['authority_approver'] });
    // the competent authority sends it back: the confirmation lapses
    const back = await as(t.app, authority, {
      method: 'POST',
      url: `/api/v1/catalogue/versions/${id}/reject`,
      payload: { reason: '价格依据不足' },
    });
    expect(back.json().status).toBe('draft');
    await as(t.app, ops, { method: 'POST', url: `/api/v1/catalogue/versions/${id}/submit` });
    const after = await as(t.app, authority, { method: 'POST', url: `/api/v1/catalogue/versions/${id}/approve` });
    expect(after.json()).toMatchObject({ status: 'submitted', confirmationsPending: ['economy_it_approver'] });
    // nobody else confirms
    const unit = await as(t.app, await login(t.app, 'applicant'), {
      method: 'POST',
      url: `/api/v1/catalogue/versions/${id}/approve`,
    });
    expect(unit.statusCode).toBe(403);
    const done = await as(t.app, econ, { method: 'POST', url: `/api/v1/catalogue/versions/${id}/approve` });
    expect(done.json()).toMatchObject({ status: 'approved', confirmationsPending: [] });
  });

  it('Liuzhou: the competent authority’s approval alone puts it in force; the economy & IT authority has no say there', async () => {
    const selected = await as(t.app, authority, {
      method: 'PUT',
      url: '/api/v1/jurisdictions/demo-west/policy',
      payload: { packId: 'liuzhou' },
    });
    expect(selected.statusCode, selected.body).toBe(200);
    const id = await draftSubmitted(30);
    const econ = await as(t.app, await login(t.app, 'econ'), {
      method: 'POST',
      url: `/api/v1/catalogue/versions/${id}/approve`,
    });
    expect(econ.statusCode).toBe(403);
    expect(econ.json().detail).toContain('LZ 6');
    const approved = await as(t.app, authority, { method: 'POST', url: `/api/v1/catalogue/versions/${id}/approve` });
    expect(approved.json()).toMatchObject({ status: 'approved', confirmationsPending: [] });
    expect((await verifyAuditChain(t.database.db)).intact).toBe(true);
  });
});
