import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { as, login, type Session } from '../../../test/sessions.ts';
import { ManualClock } from '../../platform/time/clock.ts';
import { seedDemo } from '../../seed.ts';

// LZ 30(2) through the HTTP API, on Liuzhou's pack: a unit that keeps its own data centre for now (certified and
// retained, LZ 14-17) gets a third card — construction (from the LZ 13 pre-check of its retained room), safe
// operation, response timeliness and satisfaction (entered by the ops evaluator with evidence files) — computed
// by hand here to the last digit; the unit sees its own two cards and nobody else's; the publication gives next
// year's allocation advice (LZ 30(1)) and no provider fee figure (Liuzhou ties none to the evaluation).

const clock = new ManualClock('2026-11-02T02:00:00Z'); // Monday 2 November 2026, 10:00 in Shanghai
let t: TestApp;
let health: Session;
let edu: Session;
let reviewer: Session;
let evaluator: Session;
let approver: Session;
let evaluationId = '';
const org: Record<string, string> = {};
const HEALTH = '示范市卫生健康委员会';

type Answer = any;
async function ok(res: Promise<{ statusCode: number; body: string; json(): unknown }>, status = 200): Promise<Answer> {
  const r = await res;
  expect(r.statusCode, r.body).toBe(status);
  return r.json();
}
const post = (s: Session, url: string, payload: object = {}) =>
  as(t.app, s, { method: 'POST', url: `/api/v1${url}`, payload });
const put = (s: Session, url: string, payload: object) =>
  as(t.app, s, { method: 'PUT', url: `/api/v1${url}`, payload });
const get = (s: Session, url: string) => as(t.app, s, { url: `/api/v1${url}` });
const at = (shanghai: string) => clock.set(`${shanghai}+08:00`);
const file = (purpose: string) => ({
  purpose,
  fileName: `${purpose}.pdf`,
  mediaType: 'application/pdf',
  contentBase64: Buffer.from(`%PDF-1.4 ${purpose}`).toString('base64'),
});
const dcCard = (e: Answer, name: string) => e.cards.find((c: Answer) => c.subject === 'data_centre' && c.name === name);
const score = (card: Answer, id: string) => card.indicators.find((i: Answer) => i.id === id);

beforeAll(async () => {
  t = await testApp({ clock });
  await seedDemo(t.database.db);
  health = await login(t.app, 'unitadmin');
  edu = await login(t.app, 'edu');
  reviewer = await login(t.app, 'reviewer');
  evaluator = await login(t.app, 'evaluator');
  approver = await login(t.app, 'approver');
  const orgs = await ok(get(approver, '/organisations'));
  for (const o of orgs.items ?? orgs) org[o.name] = o.id;
  await ok(
    as(t.app, approver, {
      method: 'PUT',
      url: '/api/v1/jurisdictions/demo-city/policy',
      payload: { packId: 'liuzhou' },
    }),
  );
}, 240_000);
afterAll(() => t?.close());

describe('the own data centres’ card (LZ 30(2)) on Liuzhou’s pack', () => {
  it('a room certified and retained (LZ 14, 17), 30 m² against the 40 m² of LZ 13(3)', async () => {
    const room = await ok(
      post(health, '/data-centres', {
        construction: 'self_built',
        name: '卫健委应急指挥机房',
        address: '柳州市城中区文昌路1号',
        areaSquareMetres: '30',
        racks: 8,
        gb50174Class: 'B',
        extranetConnected: true,
        ipv6: true,
        cloudPlatformConformant: true,
        cityPlatformInterface: true,
        fullTimeOperators: 3,
        service7x24: true,
        mlpsLevel: 3,
        mlpsCloudExtension: true,
        mlpsTestReport: 'CP-2026-017',
        leaseEnd: null,
        systemIds: [],
      }),
      201,
    );
    const app = await ok(
      post(health, `/data-centres/${room.id}/applications`, {
        path: 'standard',
        sensitiveReason: null,
        answers: {
          network: '已接入电子政务外网，支持IPv6',
          technology: '云平台符合GB/T 33780-2017，已对接',
          scale: 'B类，面积30平方米',
          operations: '专职运维3人，7×24小时值守',
          security: '等保三级，含云计算扩展，已测评',
        },
      }),
      201,
    );
    for (const c of ['network', 'technology', 'scale', 'operations', 'security'])
      await ok(post(health, `/data-centres/applications/${app.id}/attachments`, file(c)), 201);
    await ok(post(health, `/data-centres/applications/${app.id}/submit`));
    at('2026-11-04T15:00:00'); // Wednesday: the site survey
    await ok(post(reviewer, `/data-centres/applications/${app.id}/attachments`, file('site_survey')), 201);
    await ok(
      post(reviewer, `/data-centres/applications/${app.id}/evaluation`, {
        siteSurveyOn: '2026-11-04',
        recommendation: 'approve',
        opinion: '面积不足但承载应急指挥，建议暂时保留',
      }),
    );
    at('2026-11-06T10:00:00');
    const decided = await ok(
      post(approver, `/data-centres/applications/${app.id}/decision`, { decision: 'approve', reason: null }),
    );
    expect(decided.dataCentre).toMatchObject({ stage: 'retained', inRetention: true });
  });

  it('the draft has a data-centre card for the health commission only, its construction from the pre-check', async () => {
    at('2026-12-10T10:00:00');
    const e = await ok(post(evaluator, '/evaluations', { period: '2026' }), 201);
    evaluationId = e.id;
    expect(e.packId).toBe('liuzhou');
    expect(e.scorecards.data_centre.article).toBe('LZ 30(2)');
    const dc = e.cards.filter((c: Answer) => c.subject === 'data_centre');
    expect(dc.map((c: Answer) => c.name)).toEqual([HEALTH]);
    // LZ 13 on Liuzhou's pack checks 9 items (extranet + IPv6, platform, class B, area, racks, operators, 7x24,
    // MLPS 3 tested, cloud extension); the room fails only the area: 100 x 8/9 = 88.888.. -> 88.89
    expect(score(dc[0], 'dc_construction')).toMatchObject({ score: '88.89', value: '8/9', weighted: '22.222500' });
    expect(score(dc[0], 'dc_construction').evidence).toMatchObject({ rooms: 1, criteriaChecked: 9, criteriaMet: 8 });
    expect(score(dc[0], 'dc_construction').evidence.unmet).toEqual(['卫健委应急指挥机房：机房面积']);
    expect(score(dc[0], 'dc_security')).toMatchObject({ score: null, value: '未录入' });
    // the health commission is evaluated as a using unit too (LZ 30(1)): two cards, one organisation
    expect(e.cards.filter((c: Answer) => c.name === HEALTH).map((c: Answer) => c.subject)).toEqual([
      'using_unit',
      'data_centre',
    ]);
  });

  it('the ops evaluator enters the three other aspects with evidence; the total is the hand-computed one', async () => {
    // a data-centre indicator for a unit without a retained room is refused, naming the field
    const noRoom = await put(evaluator, `/evaluations/${evaluationId}/scores`, {
      organisationId: org['示范市教育局'],
      indicator: 'dc_security',
      score: '90',
      evidence: '检查记录',
    });
    expect(noRoom.statusCode).toBe(400);
    expect(noRoom.body).toContain('body.organisationId');
    for (const [indicator, value] of [
      ['dc_security', '90'],
      ['dc_response', '80.5'],
      ['dc_satisfaction', '85'],
    ] as const) {
      await ok(
        put(evaluator, `/evaluations/${evaluationId}/scores`, {
          organisationId: org[HEALTH],
          indicator,
          score: value,
          evidence: '2026年12月安全检查记录',
        }),
      );
    }
    // the providers' quality (entered by the same evaluator) completes the draft for review
    const draft = await ok(get(evaluator, `/evaluations/${evaluationId}`));
    for (const p of draft.cards.filter((c: Answer) => c.subject === 'provider')) {
      await ok(
        put(evaluator, `/evaluations/${evaluationId}/scores`, {
          organisationId: p.organisationId,
          indicator: 'quality',
          score: '88',
          evidence: '2026年12月现场检查记录',
        }),
      );
    }
    const bytes = Buffer.from('%PDF-1.4 卫健委机房安全检查记录');
    const attached = await ok(
      post(evaluator, `/evaluations/${evaluationId}/evidence`, {
        organisationId: org[HEALTH],
        indicator: 'dc_security',
        fileName: '机房安全检查记录.pdf',
        mediaType: 'application/pdf',
        contentBase64: bytes.toString('base64'),
      }),
      201,
    );
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const card = dcCard(attached.evaluation, HEALTH);
    expect(score(card, 'dc_security').evidence.files).toEqual([{ fileName: '机房安全检查记录.pdf', sha256 }]);
    // 0.25 x (88.89 + 90.00 + 80.50 + 85.00) = 0.25 x 344.39 = 86.0975 -> 86.10; no band (LZ ties no fee)
    expect(card).toMatchObject({ total: '86.10', band: null, coefficient: null, rank: 1, ofCount: 1 });
    const again = await ok(post(evaluator, `/evaluations/${evaluationId}/recompute`));
    expect(again.contentHash).toBe(attached.evaluation.contentHash);
  });

  it('published: the unit sees its own two cards, another unit none of them; advice per LZ 30(1), no fee figure', async () => {
    const e = await ok(get(reviewer, `/evaluations/${evaluationId}`));
    await ok(post(reviewer, `/evaluations/${evaluationId}/review`, { contentHash: e.contentHash }));
    await ok(post(approver, `/evaluations/${evaluationId}/approve`));
    await ok(post(approver, `/evaluations/${evaluationId}/publish`, {}));
    const mine = await ok(get(health, `/evaluations/${evaluationId}`));
    expect(mine.cards.filter((c: Answer) => c.name === HEALTH).map((c: Answer) => c.subject)).toEqual([
      'using_unit',
      'data_centre',
    ]);
    const other = await ok(get(edu, `/evaluations/${evaluationId}`));
    expect(other.cards.some((c: Answer) => c.subject === 'data_centre')).toBe(false);
    // the unit appeals an indicator of its data-centre card: the card that holds it is found
    const appeal = await ok(
      post(health, `/evaluations/${evaluationId}/appeals`, { indicator: 'dc_response', reason: '响应记录漏计' }),
      201,
    );
    expect(appeal.indicator).toBe('dc_response');
    // evidence: the unit sees its own after publication, the other unit none
    const list = await ok(get(health, `/evaluations/${evaluationId}/evidence`));
    expect(list.items.map((a: Answer) => a.fileName)).toEqual(['机房安全检查记录.pdf']);
    expect((await ok(get(edu, `/evaluations/${evaluationId}/evidence`))).items).toEqual([]);
    expect((await get(edu, `/evaluations/evidence/${list.items[0].id}`)).statusCode).toBe(404);

    const outcomes = await ok(get(approver, `/evaluations/${evaluationId}/outcomes`));
    expect(outcomes.allocation).toMatchObject({ article: 'LZ 30(1)', raiseFrom: '90', cutBelow: '60' });
    expect(outcomes.providerFee).toBeNull();
  });
});
