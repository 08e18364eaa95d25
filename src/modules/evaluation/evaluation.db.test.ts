import { createHash } from 'node:crypto';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { as, enableTotp, login, type Session, totpCode } from '../../../test/sessions.ts';
import { XLSX_MEDIA_TYPE } from '../../platform/spreadsheet.ts';
import { ManualClock } from '../../platform/time/clock.ts';
import { seedDemo } from '../../seed.ts';

// The efficiency evaluation (issue 17) on the demo city (Shanghai's pack) with the demo's activity, through the
// HTTP API: a worked example computed by hand to the last digit, the same hash on recompute, the flow by four
// roles, who sees what, publication setting November's coefficients (October, closed, keeps its own), and an
// appeal that republishes and re-settles only the month still open.

const clock = new ManualClock('2026-12-10T02:00:00Z'); // Thursday 10 December 2026, 10:00 in Shanghai
let t: TestApp;
let reviewer: Session;
let evaluator: Session; // 钱芳（运管评估员）: drafts and enters scores; the reviewer reviews (separated duties)
let approver: Session;
let econ: Session;
let unitadmin: Session; // 示范市卫生健康委员会 (health, with its sub-unit the CDC)
let edu: Session; // 示范市教育局
let provideradmin: Session; // 示范政务云服务商甲
let evaluationId = '';
let hash = '';
const org: Record<string, string> = {};

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
const cardOf = (e: Answer, name: string) => e.cards.find((c: Answer) => c.name === name);
const score = (card: Answer, id: string) => card.indicators.find((i: Answer) => i.id === id);
/** One indicator's score, value and weighted score, and its evidence exactly. */
function expectIndicator(card: Answer, id: string, shown: object, evidence: object) {
  expect(score(card, id)).toMatchObject(shown);
  expect(score(card, id).evidence).toEqual(evidence);
}

const HEALTH = '示范市卫生健康委员会';
const EDU = '示范市教育局';
const CDC = '示范市疾病预防控制中心';
const A = '示范政务云服务商甲';
const B = '示范政务云服务商乙';

/** fen = roundHalfUp(100 x coefficient x priceSeconds / monthSeconds), exact: priceSeconds and coefficient as decimals. */
function fenOf(priceSeconds: string, coefficient: string, monthSeconds: number): bigint {
  const [pi, pf = ''] = priceSeconds.split('.');
  const [ci, cf = ''] = coefficient.split('.');
  const p = BigInt(pi + pf);
  const c = BigInt(ci + cf);
  const scale = 10n ** BigInt(pf.length + cf.length);
  const ms = BigInt(monthSeconds);
  return (200n * p * c + ms * scale) / (2n * ms * scale);
}

async function statementOf(session: Session, month: string, code: string) {
  const list = await ok(get(session, `/settlement/statements?month=${month}`));
  const s = list.items.find((x: Answer) => x.organisationCode === code);
  expect(s, `statement of ${code} for ${month}`).toBeDefined();
  return ok(get(session, `/settlement/statements/${s.id}`));
}

async function closeMonth(month: string) {
  const { run } = await ok(post(reviewer, '/settlement/runs', { month }));
  await ok(post(reviewer, `/settlement/runs/${run.id}/review`));
  await ok(post(econ, `/settlement/runs/${run.id}/confirm`));
}

beforeAll(async () => {
  t = await testApp({ clock });
  await seedDemo(t.database.db, () => {}, { activity: true });
  reviewer = await login(t.app, 'reviewer');
  evaluator = await login(t.app, 'evaluator');
  approver = await login(t.app, 'approver');
  econ = await login(t.app, 'econ');
  unitadmin = await login(t.app, 'unitadmin');
  edu = await login(t.app, 'edu');
  provideradmin = await login(t.app, 'provideradmin');
  const orgs = await ok(get(approver, '/organisations'));
  for (const o of orgs.items ?? orgs) org[o.name] = o.id;
}, 240_000);
afterAll(() => t?.close());

describe('efficiency evaluation of the demo city, 2026 (Shanghai pack, SH 27, 33-34)', () => {
  it('settles October (closed) and November (draft) with the default coefficient 1 first', async () => {
    await closeMonth('2026-10');
    await ok(post(reviewer, '/settlement/runs', { month: '2026-11' }));
    const nov = await statementOf(reviewer, '2026-11', 'demo-health');
    expect(nov).toMatchObject({ coefficient: '1.0000', coefficientSource: 'default', coefficientBand: null });
  });

  it('the year also holds a rectification warning Health let pass and an incident of provider A', async () => {
    // SH 25: on Monday 2 November the ops unit warns Health about its idle resource (3 working days: due Thursday
    // 5 November); the unit never answers. The evaluation counts it against the unit's rectification indicator.
    const now = clock.now().toISOString();
    clock.set('2026-11-02T10:00:00+08:00');
    const findings = await ok(get(reviewer, `/monitoring/findings?organisationId=${org[HEALTH]}`));
    expect(findings.items.length).toBe(1);
    const proposed = await ok(
      post(reviewer, `/monitoring/findings/${findings.items[0].id}/rectifications`, {
        reason: '资源长期闲置',
        workingDays: 3,
      }),
      201,
    );
    const warned = await ok(
      post(approver, `/monitoring/rectifications/${proposed.id}/decision`, { decision: 'approve' }),
    );
    expect(warned).toMatchObject({ status: 'warned', dueDay: '2026-11-05' });
    // the same day provider A reports a cloud host no order explains: one reconciliation finding against it
    const report = await ok(
      post(provideradmin, '/inventory/reports', { mode: 'changes', items: [{ externalId: 'ecs-unknown-0001' }] }),
    );
    expect(report.findingsRaised).toBe(1);
    clock.set(now);
    // provider A: an outage of 3 h 30 min on 1 December (TZ 20(3) / SH 33 quality: availability from operations)
    const incident = await ok(
      post(provideradmin, '/operations/incidents', {
        severity: 'significant',
        title: '存储集群故障',
        description: '存储集群控制器故障，部分云主机不可用',
        zone: '政务外网区',
        startedAt: '2026-12-01T10:00:00+08:00',
      }),
      201,
    );
    await ok(post(provideradmin, `/operations/incidents/${incident.id}/end`, { endedAt: '2026-12-01T13:30:00+08:00' }));
  });

  it('computes a draft whose every indicator and total are the hand-computed ones', async () => {
    // nobody but the ops unit's evaluator drafts: not the authority, not the reviewer (separated duties)
    expect((await post(approver, '/evaluations', { period: '2026' })).statusCode).toBe(403);
    expect((await post(reviewer, '/evaluations', { period: '2026' })).statusCode).toBe(403);
    const bad = await post(evaluator, '/evaluations', { period: '2026-13' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors?.[0]?.field ?? bad.body).toContain('body.period');
    const e = await ok(post(evaluator, '/evaluations', { period: '2026', effectiveFrom: '2026-11' }), 201);
    evaluationId = e.id;
    expect(e).toMatchObject({
      status: 'draft',
      packId: 'shanghai-2022',
      windowFrom: '2026-01-01',
      windowTo: '2026-12-31',
    });

    // Health: the systems register has 3 non-classified systems in service, 1 on the cloud -> 100 x 1/3 = 33.33;
    // 12 monitored resources, the demo's one idle finding (open) -> 100 x 11/12 = 91.666.. -> 91.67; the one warning
    // about it (due 5 November) never answered -> 0/1 = 0.00; quota use of its approved projects (quota at the
    // window's end, used = its completed orders' ledger): bandwidth 0/200 = 0.00, bastion host 0/1 = 0.00, memory
    // 360/1280 = 28.125 -> 28.13, storage 5780/20000 = 28.90, vCPU 116/320 = 36.25; mean (0 + 0 + 28.13 + 28.90 +
    // 36.25) / 5 = 93.28 / 5 = 18.656 -> 18.66; its one on-cloud system filed with a commitment letter -> 100.00;
    // its own step with a deadline acted on in time -> 1/1 = 100.00.
    // total = 0.30 x 33.33 + 0.20 x 91.67 + 0.10 x 0 + 0.10 x 18.66 + 0.20 x 100 + 0.10 x 100
    //       = 9.999 + 18.334 + 0 + 1.866 + 20 + 10 = 60.199 -> 60.20: 合格 (>= 60) 0.95
    const health = cardOf(e, HEALTH);
    expect(health.indicators.map((i: Answer) => [i.id, i.weight])).toEqual([
      ['on_cloud_rate', '0.30'],
      ['resource_efficiency', '0.20'],
      ['rectification', '0.10'],
      ['quota_use', '0.10'],
      ['security_management', '0.20'],
      ['own_deadlines', '0.10'],
    ]);
    expect(score(health, 'on_cloud_rate')).toMatchObject({ score: '33.33', value: '1/3', weighted: '9.999000' });
    expect(score(health, 'resource_efficiency')).toMatchObject({
      score: '91.67',
      value: '11/12',
      weighted: '18.334000',
    });
    expect(score(health, 'resource_efficiency').evidence).toEqual({
      monitoredResources: 12,
      idleOrZombieFindings: 1,
      unresolved: 1,
    });
    expectIndicator(
      health,
      'rectification',
      { score: '0.00', value: '0/1', weighted: '0.000000' },
      { warnings: 1, answeredOnTime: 0, lateOrUnanswered: 1, meanHoursToAnswer: null },
    );
    expect(score(health, 'quota_use')).toMatchObject({ score: '18.66', weighted: '1.866000' });
    expect(score(health, 'quota_use').evidence.dimensions).toEqual([
      { dimension: 'bandwidth_mbps', quota: '200', used: '0', percent: '0.00' },
      { dimension: 'item:bastion-host', quota: '1', used: '0', percent: '0.00' },
      { dimension: 'memory_gb', quota: '1280', used: '360', percent: '28.13' },
      { dimension: 'storage_gb', quota: '20000', used: '5780', percent: '28.90' },
      { dimension: 'vcpu', quota: '320', used: '116', percent: '36.25' },
    ]);
    expect(score(health, 'quota_use').article).toBe('SH 33');
    expect(score(health, 'security_management')).toMatchObject({
      score: '100.00',
      value: '1/1',
      weighted: '20.000000',
    });
    expectIndicator(
      health,
      'own_deadlines',
      { score: '100.00', value: '1/1', weighted: '10.000000' },
      { steps: 1, onTime: 1, late: 0 },
    );
    expect(score(health, 'own_deadlines').article).toBeNull(); // no regulation names it: the city's choice
    expect(health).toMatchObject({ total: '60.20', band: '合格', coefficient: '0.9500', rank: 3, ofCount: 3 });
    // Education: 1/1 on the cloud, 8 monitored resources without findings, no warning, 1/1 filed, its own step in
    // time; quota use: bandwidth 0/100 = 0.00, memory 80/256 = 31.25, storage 2520/4000 = 63.00, vCPU 40/64 = 62.50,
    // mean 156.75 / 4 = 39.1875 -> 39.19; total = 30 + 20 + 10 + 3.919 + 20 + 10 = 93.919 -> 93.92: 优秀 1.0000
    const eduCard = cardOf(e, EDU);
    expect(score(eduCard, 'quota_use')).toMatchObject({ score: '39.19', weighted: '3.919000' });
    expect(score(eduCard, 'quota_use').evidence.dimensions.map((d: Answer) => d.percent)).toEqual([
      '0.00',
      '31.25',
      '63.00',
      '62.50',
    ]);
    expect(eduCard).toMatchObject({ total: '93.92', band: '优秀', coefficient: '1.0000', rank: 2 });
    // The CDC has no systems, resources, quota, warnings or steps: each indicator at full marks (the pack's rule)
    expect(cardOf(e, CDC)).toMatchObject({ total: '100.00', rank: 1 });

    // Provider A: 7 work orders with a deadline in 2026, 4 completed by their due time (two of them the releases of
    // the test environments after formal opening, SH 19), 2 completed late and the scale-up still open past its
    // due day 25 November -> 100 x 4/7 = 57.142.. -> 57.14; no survey yet; quality not entered.
    const a = cardOf(e, A);
    expect(score(a, 'response')).toMatchObject({ score: '57.14', value: '4/7' });
    expect(score(a, 'quality')).toMatchObject({ score: null, value: '未录入' });
    // 6 delivery receipts in 2026, none disputed, and the one reconciliation finding: (6 - 0) / (6 + 1) = 85.714..
    // -> 85.71
    expectIndicator(
      a,
      'disputes',
      { score: '85.71', value: '6/7', weighted: '12.856500' },
      { receipts: 6, disputed: 0, disputesOverdue: 0, findings: 1, findingsOverdue: 0 },
    );
    // availability: 1 January 00:00 to 10 December 10:00 (Shanghai) = 343 days 10 h = 29,671,200 s; 12,600 s down
    // -> 100 x 29,658,600 / 29,671,200 = 99.9575.. -> 99.96
    expectIndicator(
      a,
      'availability',
      { score: '99.96', value: '99.96%', weighted: '14.994000' },
      { periodSeconds: 29671200, downSeconds: 12600, incidents: 1, major: 0, reportsLate: 0 },
    );
    // a draft with a manual indicator missing cannot be reviewed
    const early = await post(reviewer, `/evaluations/${e.id}/review`, { contentHash: e.contentHash });
    expect(early.statusCode, early.body).toBe(409);
  });

  it('units answer the satisfaction survey for the providers that served them, once each', async () => {
    const form = await ok(get(unitadmin, `/evaluations/${evaluationId}/survey`));
    expect(form.providers.map((p: Answer) => p.providerName)).toEqual([A]);
    // provider B never served the unit
    const notServed = await put(unitadmin, `/evaluations/${evaluationId}/survey/${org[B]}`, {
      answers: { response: 5, quality: 5, attitude: 5 },
    });
    expect(notServed.statusCode).toBe(400);
    expect(notServed.body).toContain('body.providerId');
    const outOfRange = await put(unitadmin, `/evaluations/${evaluationId}/survey/${org[A]}`, {
      answers: { response: 6, quality: 5, attitude: 3 },
    });
    expect(outOfRange.statusCode).toBe(400);
    expect(outOfRange.body).toContain('body.answers.response');
    // a first answer, then the final one (one answer per unit and provider: it replaces the first)
    await ok(
      put(unitadmin, `/evaluations/${evaluationId}/survey/${org[A]}`, {
        answers: { response: 1, quality: 1, attitude: 1 },
      }),
    );
    await ok(
      put(unitadmin, `/evaluations/${evaluationId}/survey/${org[A]}`, {
        answers: { response: 4, quality: 5, attitude: 3 },
      }),
    );
    await ok(
      put(edu, `/evaluations/${evaluationId}/survey/${org[A]}`, { answers: { response: 5, quality: 4, attitude: 4 } }),
    );
    // providers do not answer surveys
    expect(
      (await put(provideradmin, `/evaluations/${evaluationId}/survey/${org[A]}`, { answers: {} })).statusCode,
    ).toBe(403);
  });

  it('the ops unit enters the quality scores with evidence; the draft recomputes; the same data gives the same hash', async () => {
    const bad = await put(evaluator, `/evaluations/${evaluationId}/scores`, {
      organisationId: org[A],
      indicator: 'quality',
      score: '101',
      evidence: '现场检查',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('body.score');
    // only manual indicators are entered
    expect(
      (
        await put(evaluator, `/evaluations/${evaluationId}/scores`, {
          organisationId: org[A],
          indicator: 'response',
          score: '90',
          evidence: 'x',
        })
      ).statusCode,
    ).toBe(400);
    await ok(
      put(evaluator, `/evaluations/${evaluationId}/scores`, {
        organisationId: org[A],
        indicator: 'quality',
        score: '85.5',
        evidence: '2026年11月现场检查记录',
      }),
    );
    const e = await ok(
      put(evaluator, `/evaluations/${evaluationId}/scores`, {
        organisationId: org[B],
        indicator: 'quality',
        score: '90',
        evidence: '2026年11月现场检查记录',
      }),
    );

    // Provider A: satisfaction = 20 x (4+5+3 + 5+4+4) / 6 ratings = 20 x 25 / 6 = 83.333.. -> 83.33
    // total = 0.30 x 57.14 + 0.20 x 83.33 + 0.20 x 85.50 + 0.15 x 85.71 + 0.15 x 99.96
    //       = 17.142 + 16.666 + 17.1 + 12.8565 + 14.994 = 78.7585 -> 78.76
    const a = cardOf(e, A);
    expect(score(a, 'satisfaction')).toMatchObject({ score: '83.33', weighted: '16.666000' });
    expect(score(a, 'satisfaction').evidence).toEqual({ answers: 2, ratingSum: 25, ratingCount: 6 });
    expect(score(a, 'quality')).toMatchObject({ score: '85.50', weighted: '17.100000' });
    expect(a).toMatchObject({ total: '78.76', band: null, coefficient: null, rank: 2, ofCount: 2 });
    // Provider B: no work orders, answers, receipts, findings or incidents (full marks by the pack's rule), quality
    // 90: 0.30 x 100 + 0.20 x 100 + 0.20 x 90 + 0.15 x 100 + 0.15 x 100 = 30 + 20 + 18 + 15 + 15 = 98.00
    expect(cardOf(e, B)).toMatchObject({ total: '98.00', rank: 1 });

    // the reviewer neither enters scores nor recomputes: that is the draft's duty
    expect(
      (
        await put(reviewer, `/evaluations/${evaluationId}/scores`, {
          organisationId: org[A],
          indicator: 'quality',
          score: '85.5',
          evidence: 'x',
        })
      ).statusCode,
    ).toBe(403);
    expect((await post(reviewer, `/evaluations/${evaluationId}/recompute`)).statusCode).toBe(403);
    const again = await ok(post(evaluator, `/evaluations/${evaluationId}/recompute`));
    expect(again.contentHash).toBe(e.contentHash);
    expect(again.cards).toEqual(e.cards);
    hash = e.contentHash;
  });

  it('the evaluator attaches an evidence file to an item; its SHA-256 joins the inputs; a provider sees none of a draft', async () => {
    const bytes = Buffer.from('%PDF-1.4 2026年11月服务商甲现场检查记录');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const upload = (s: Session, over: object = {}) =>
      post(s, `/evaluations/${evaluationId}/evidence`, {
        organisationId: org[A],
        indicator: 'quality',
        fileName: '现场检查记录.pdf',
        mediaType: 'application/pdf',
        contentBase64: bytes.toString('base64'),
        ...over,
      });
    const notBase64 = await upload(evaluator, { contentBase64: '***' });
    expect(notBase64.statusCode).toBe(400);
    expect(notBase64.body).toContain('body.contentBase64');
    const notOnCard = await upload(evaluator, { indicator: 'on_cloud_rate' });
    expect(notOnCard.statusCode).toBe(400);
    expect(notOnCard.body).toContain('body.indicator');
    expect((await upload(reviewer)).statusCode).toBe(403); // the reviewer reviews; it does not build the draft
    expect((await ok(get(approver, `/evaluations/${evaluationId}/evidence`))).items).toEqual([]); // nothing stored
    const r = await ok(upload(evaluator), 201);
    expect(r.attachment).toMatchObject({
      indicator: 'quality',
      fileName: '现场检查记录.pdf',
      sizeBytes: bytes.length,
      sha256,
    });
    expect(score(cardOf(r.evaluation, A), 'quality').evidence.files).toEqual([
      { fileName: '现场检查记录.pdf', sha256 },
    ]);
    expect(cardOf(r.evaluation, A).total).toBe('78.76'); // evidence changes the hash, never the score
    expect(r.evaluation.contentHash).not.toBe(hash);
    const again = await ok(post(evaluator, `/evaluations/${evaluationId}/recompute`));
    expect(again.contentHash).toBe(r.evaluation.contentHash);
    hash = again.contentHash;
    const list = await ok(
      get(reviewer, `/evaluations/${evaluationId}/evidence?organisationId=${org[A]}&indicator=quality`),
    );
    expect(list.items.map((a: Answer) => a.sha256)).toEqual([sha256]);
    const download = await get(reviewer, `/evaluations/evidence/${list.items[0].id}`);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toContain('application/pdf');
    expect(Buffer.compare(download.rawPayload, bytes)).toBe(0);
    expect((await get(provideradmin, `/evaluations/evidence/${list.items[0].id}`)).statusCode).toBe(404);
  });

  it('a unit sees no card of a draft, a provider not even the draft; nobody but the authorities sees answers by unit', async () => {
    // a unit reaches the draft for its survey, without a single card
    expect((await ok(get(edu, `/evaluations/${evaluationId}`))).cards).toEqual([]);
    expect((await ok(get(edu, '/evaluations'))).items.map((e: Answer) => e.status)).toEqual(['draft']);
    expect((await ok(get(provideradmin, '/evaluations'))).items).toEqual([]);
    expect((await get(provideradmin, `/evaluations/${evaluationId}`)).statusCode).toBe(404);
    const all = await ok(get(approver, `/evaluations/${evaluationId}/surveys`));
    expect(all.items.map((s: Answer) => s.unitName).sort()).toEqual([EDU, HEALTH].sort());
  });

  it('review by the ops unit, approval and publication by the authority, each its own step and role', async () => {
    // the reviewer reviews what it read: a stale hash is refused
    expect((await post(reviewer, `/evaluations/${evaluationId}/review`, { contentHash: 'stale' })).statusCode).toBe(
      409,
    );
    expect((await post(approver, `/evaluations/${evaluationId}/review`, { contentHash: hash })).statusCode).toBe(403);
    // the evaluator does not review its own draft: without the role 403; given the role as well, still 409
    expect((await post(evaluator, `/evaluations/${evaluationId}/review`, { contentHash: hash })).statusCode).toBe(403);
    const sys = await login(t.app, 'sysadmin', { totp: await totpCode(await enableTotp(t.database.db, 'sysadmin')) });
    const users = await ok(as(t.app, sys, { url: '/api/v1/users?search=evaluator' }));
    const evaluatorId = users.items.find((u: Answer) => u.username === 'evaluator').id;
    const setRoles = (roles: string[]) =>
      ok(
        as(t.app, sys, {
          method: 'PUT',
          url: `/api/v1/users/${evaluatorId}/roles`,
          payload: { assignments: roles.map((role) => ({ organisationId: org['示范市大数据中心'], role })) },
        }),
      );
    // a change of roles ends the account's sessions: sign in again
    await setRoles(['ops_evaluator', 'ops_reviewer']);
    evaluator = await login(t.app, 'evaluator');
    const own = await post(evaluator, `/evaluations/${evaluationId}/review`, { contentHash: hash });
    expect(own.statusCode, own.body).toBe(409);
    expect(own.json().code).toBe('duties_not_separated');
    await setRoles(['ops_evaluator']);
    evaluator = await login(t.app, 'evaluator');
    expect((await post(approver, `/evaluations/${evaluationId}/approve`)).statusCode).toBe(409); // not reviewed yet
    await ok(post(reviewer, `/evaluations/${evaluationId}/review`, { contentHash: hash }));
    // the survey closes with the draft
    expect(
      (
        await put(edu, `/evaluations/${evaluationId}/survey/${org[A]}`, {
          answers: { response: 1, quality: 1, attitude: 1 },
        })
      ).statusCode,
    ).toBe(409);
    expect((await post(reviewer, `/evaluations/${evaluationId}/approve`)).statusCode).toBe(403);
    expect((await post(approver, `/evaluations/${evaluationId}/publish`)).statusCode).toBe(409); // not approved yet
    await ok(post(approver, `/evaluations/${evaluationId}/approve`));
    const published = await ok(post(approver, `/evaluations/${evaluationId}/publish`, { effectiveFrom: '2026-11' }));
    // 5 working days from Thursday 10 December: 11, 14, 15, 16, 17 December
    expect(published.evaluation).toMatchObject({ status: 'published', appealDueDay: '2026-12-17', contentHash: hash });
    // November's run (a draft) was recomputed with the new coefficients; October is closed and untouched
    expect(published.resettled).toEqual(['2026-11']);
  });

  it('November’s statements carry exactly the band’s coefficient and say where it came from; October keeps 1', async () => {
    const nov = await statementOf(reviewer, '2026-11', 'demo-health');
    expect(nov).toMatchObject({
      coefficient: '0.9500',
      coefficientSource: 'evaluation',
      coefficientEvaluationId: evaluationId,
      coefficientBand: '合格',
    });
    expect(nov.lines.length).toBeGreaterThan(0);
    let total = 0n;
    for (const line of nov.lines) {
      expect(line.coefficient).toBe('0.9500');
      expect(line.amountFen).toBe(String(fenOf(line.priceSeconds, '0.95', line.monthSeconds)));
      total += BigInt(line.amountFen);
    }
    expect(nov.totalFen).toBe(String(total));
    const eduNov = await statementOf(reviewer, '2026-11', 'demo-education');
    expect(eduNov).toMatchObject({ coefficient: '1.0000', coefficientSource: 'evaluation', coefficientBand: '优秀' });
    const oct = await statementOf(reviewer, '2026-10', 'demo-health');
    expect(oct).toMatchObject({ status: 'closed', coefficient: '1.0000', coefficientSource: 'default' });
    for (const line of oct.lines) expect(line.amountFen).toBe(String(fenOf(line.priceSeconds, '1', line.monthSeconds)));
    // a manual coefficient is an override and needs its reason
    const noReason = await put(approver, `/settlement/coefficients/${org[HEALTH]}/2026-11`, { coefficient: '0.9' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain('body.note');
  });

  it('publication advises next year’s allocation (SH 34) and adjusts provider A’s fee by its band, to the fen', async () => {
    const o = await ok(get(econ, `/evaluations/${evaluationId}/outcomes`));
    expect(o.allocation).toMatchObject({ article: 'SH 34', raiseFrom: '90', cutBelow: '60', cutShare: '0.10' });
    const advice = (name: string) => o.allocation.units.find((u: Answer) => u.name === name);
    // Health 60.20: between 60 and 90, keep; Education 93.92 and the CDC 100.00: a raise may be applied for
    expect(advice(HEALTH)).toMatchObject({ total: '60.20', action: 'keep' });
    expect(advice(EDU)).toMatchObject({ total: '93.92', action: 'raise' });
    expect(advice(CDC)).toMatchObject({ action: 'raise' });
    const projects = await ok(get(econ, `/projects?organisationId=${org[HEALTH]}&status=approved&limit=100`));
    expect(advice(HEALTH).projects.map((p: Answer) => [p.name, p.quota, p.suggested])).toEqual(
      projects.items.map((p: Answer) => [p.name, p.quotaToday, null]),
    );
    expect(advice(HEALTH).projects.length).toBeGreaterThan(0);

    // Provider A's fee: the closed October statements' lines of provider A, x -0.05 (78.76 is in the 合格 band),
    // half away from zero; provider B (97.00, 优秀) keeps its fee
    let billed = 0n;
    const october = await ok(get(reviewer, '/settlement/statements?month=2026-10'));
    for (const s of october.items) {
      const st = await ok(get(reviewer, `/settlement/statements/${s.id}`));
      for (const l of st.lines) if (l.providerId === org[A]) billed += BigInt(l.amountFen);
    }
    expect(billed).toBeGreaterThan(0n);
    const cut = (2n * billed * 500n + 10000n) / 20000n;
    expect(o.providerFee.months).toEqual(['2026-10']); // November's run is not closed yet
    const fee = (name: string) => o.providerFee.providers.find((p: Answer) => p.name === name);
    expect(fee(A)).toMatchObject({
      total: '78.76',
      band: '合格',
      adjustment: '-0.05',
      billedFen: String(billed),
      adjustmentFen: String(-cut),
    });
    expect(fee(B)).toMatchObject({ total: '98.00', band: '优秀', adjustment: '0', adjustmentFen: '0' });

    // a unit sees its own advice, no provider's fee; a provider its own fee and no unit's advice
    const eduView = await ok(get(edu, `/evaluations/${evaluationId}/outcomes`));
    expect(eduView.allocation.units.map((u: Answer) => u.name)).toEqual([EDU]);
    expect(eduView.providerFee.providers).toEqual([]);
    const providerView = await ok(get(provideradmin, `/evaluations/${evaluationId}/outcomes`));
    expect(providerView.allocation.units).toEqual([]);
    expect(providerView.providerFee.providers.map((p: Answer) => p.name)).toEqual([A]);
  });

  it('prints the published results as a PDF report with the Chinese font embedded, audited', async () => {
    const res = await get(approver, `/evaluations/${evaluationId}/report.pdf`);
    expect(res.statusCode, res.body.slice(0, 200)).toBe(200);
    expect(res.headers['content-type']).toContain('application/pdf');
    expect(res.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect(res.rawPayload.toString('latin1')).toContain('NotoSansCJK');
    // the unit prints what it may see
    expect((await get(edu, `/evaluations/${evaluationId}/report.pdf`)).statusCode).toBe(200);
  });

  it('a unit sees its own card and rank only; a provider its own card, totals of the survey but not who answered', async () => {
    const mine = await ok(get(edu, `/evaluations/${evaluationId}`));
    expect(mine.cards.map((c: Answer) => c.name)).toEqual([EDU]);
    expect(mine.cards[0]).toMatchObject({ rank: 2, ofCount: 3 });
    const healthView = await ok(get(unitadmin, `/evaluations/${evaluationId}`));
    expect(healthView.cards.map((c: Answer) => c.name).sort()).toEqual([CDC, HEALTH].sort()); // its sub-unit too
    const ownAnswers = await ok(get(edu, `/evaluations/${evaluationId}/surveys`));
    expect(ownAnswers.items.map((s: Answer) => s.unitName)).toEqual([EDU]);
    const provider = await ok(get(provideradmin, `/evaluations/${evaluationId}`));
    expect(provider.cards.map((c: Answer) => c.name)).toEqual([A]);
    expect(score(provider.cards[0], 'satisfaction').evidence).toEqual({ answers: 2, ratingSum: 25, ratingCount: 6 });
    expect((await ok(get(provideradmin, `/evaluations/${evaluationId}/surveys`))).items).toEqual([]);
    // another unit's trend is not visible
    expect((await ok(get(edu, `/evaluations/trend/${org[HEALTH]}`))).items).toEqual([]);
    expect((await ok(get(edu, `/evaluations/trend/${org[EDU]}`))).items).toMatchObject([
      { period: '2026', total: '93.92' },
    ]);
  });

  it('exports the published results as xlsx (what the caller may see), audited', async () => {
    const res = await get(approver, `/evaluations/${evaluationId}/export`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain(XLSX_MEDIA_TYPE);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const units = wb.getWorksheet('使用单位效能评估结果');
    expect(units).toBeDefined();
    const rows = [4, 5, 6].map((r) => (units?.getRow(r).values as unknown[] | undefined)?.slice(1) ?? []);
    expect(rows.find((r) => r[1] === HEALTH)).toEqual([
      3,
      HEALTH,
      '33.33',
      '91.67',
      '0.00',
      '18.66',
      '100.00',
      '100.00',
      '60.20',
      '合格',
      '0.9500',
    ]);
  });

  it('an upheld appeal republishes the card and re-settles only the months not closed', async () => {
    // outside its own card, nothing to appeal; after the window, nothing at all
    const filed = await ok(
      post(unitadmin, `/evaluations/${evaluationId}/appeals`, {
        indicator: 'on_cloud_rate',
        reason: '两个系统已于11月迁移上云，登记未及时更新',
      }),
      201,
    );
    expect((await ok(get(edu, `/evaluations/${evaluationId}/appeals`))).items).toEqual([]);
    // January: November closed, December computed (0.95 from the evaluation)
    clock.set('2027-01-05T10:00:00+08:00');
    await closeMonth('2026-11');
    await ok(post(reviewer, '/settlement/runs', { month: '2026-12' }));
    expect(await statementOf(reviewer, '2026-12', 'demo-health')).toMatchObject({ coefficient: '0.9500' });
    const late = await post(unitadmin, `/evaluations/${evaluationId}/appeals`, {
      indicator: 'resource_efficiency',
      reason: '逾期',
    });
    expect(late.statusCode).toBe(409);
    expect(
      (await post(unitadmin, `/evaluations/appeals/${filed.id}/decision`, { decision: 'upheld', reason: 'x' }))
        .statusCode,
    ).toBe(403);
    const noScore = await post(approver, `/evaluations/appeals/${filed.id}/decision`, {
      decision: 'upheld',
      reason: '核实',
    });
    expect(noScore.statusCode).toBe(400);
    expect(noScore.body).toContain('body.score');

    const decided = await ok(
      post(approver, `/evaluations/appeals/${filed.id}/decision`, {
        decision: 'upheld',
        reason: '经核实已上云',
        score: '100',
      }),
    );
    expect(decided.appeal).toMatchObject({ status: 'upheld', score: '100.00' });
    expect(decided.resettled).toEqual(['2026-12']); // November is closed
    // Health now: 0.30 x 100 + 18.334 + 0 + 1.866 + 20 + 10 = 80.20: 良好 0.9800
    const e = await ok(get(approver, `/evaluations/${evaluationId}`));
    expect(cardOf(e, HEALTH)).toMatchObject({ total: '80.20', band: '良好', coefficient: '0.9800', rank: 3 });
    expect(score(cardOf(e, HEALTH), 'on_cloud_rate')).toMatchObject({ score: '100.00', appealed: true });
    expect(e.revision).toBe(2);
    expect(e.contentHash).not.toBe(hash);
    // the republished card's advice follows: 80.20 is still between 60 and 90
    const outcomes = await ok(get(econ, `/evaluations/${evaluationId}/outcomes`));
    expect(outcomes.revision).toBe(2);
    expect(outcomes.allocation.units.find((u: Answer) => u.name === HEALTH)).toMatchObject({
      total: '80.20',
      action: 'keep',
    });
    expect(await statementOf(reviewer, '2026-12', 'demo-health')).toMatchObject({
      coefficient: '0.9800',
      coefficientBand: '良好',
    });
    expect(await statementOf(reviewer, '2026-11', 'demo-health')).toMatchObject({
      status: 'closed',
      coefficient: '0.9500',
    });
  });

  it('every step is in the audit trail', async () => {
    const rows = await t.database.db
      .selectFrom('audit_event')
      .select('action')
      .where('action', 'like', 'evaluation.%')
      .execute();
    const actions = new Set(rows.map((r) => r.action));
    for (const a of [
      'evaluation.drafted',
      'evaluation.survey_answered',
      'evaluation.score_entered',
      'evaluation.recomputed',
      'evaluation.reviewed',
      'evaluation.approved',
      'evaluation.published',
      'evaluation.exported',
      'evaluation.evidence_attached',
      'evaluation.report_printed',
      'evaluation.appeal_filed',
      'evaluation.appeal_upheld',
    ]) {
      expect(actions, a).toContain(a);
    }
    const coefficients = await t.database.db
      .selectFrom('audit_event')
      .select('action')
      .where('action', '=', 'settlement.coefficient_evaluated')
      .execute();
    expect(coefficients.length).toBe(2);
  });
});
