import { describe, expect, it } from 'vitest';
import { PACKS } from '../policy/index.ts';
import { bandOf, contentHash, type Inputs, percent, scoreCards, type Template } from './evaluation.scoring.ts';

// The scoring arithmetic on its own: half up in integers, band edges, ranks with ties, the hash's independence of
// key order, and packs without a fee link setting no coefficient.

const SH = PACKS.get('shanghai-2022')?.evaluation as Template;
const LZ = PACKS.get('liuzhou')?.evaluation as Template;

const unit = (name: string, over: Partial<Inputs['units'][number]> = {}): Inputs['units'][number] => ({
  organisationId: name,
  name,
  systems: 4,
  migrated: 4,
  provisional: 0,
  onCloudSystems: 4,
  compliant: 4,
  monitored: 10,
  findings: 0,
  unresolved: 0,
  ...over,
});

describe('evaluation scoring', () => {
  it('rounds 100 x n / d half up to hundredths in integers', () => {
    expect(percent(1, 3)).toBe(3333); // 33.333..
    expect(percent(2, 3)).toBe(6667); // 66.666..
    expect(percent(1, 8)).toBe(1250); // 12.5 exactly
    expect(percent(1, 80000)).toBe(0); // 0.00125 -> 0.00
    expect(percent(1, 16000)).toBe(1); // 0.00625 -> 0.01
  });

  it('puts a total on a band edge into the higher band (>= min)', () => {
    expect(bandOf(SH, 9000)?.zh).toBe('优秀');
    expect(bandOf(SH, 8999)?.zh).toBe('良好');
    expect(bandOf(SH, 6000)?.coefficient).toBe('0.9500');
    expect(bandOf(SH, 5999)?.coefficient).toBe('0.9000');
    expect(bandOf(LZ, 9999)).toBeNull();
  });

  it('weights the scores, totals half up and ranks ties alike', () => {
    const inputs: Inputs = {
      asOfDay: '2026-12-31',
      units: [
        unit('甲'),
        // without quota, warnings or own steps those three indicators are full marks (10 + 10 + 10)
        unit('乙', { migrated: 3 }), // 75.00 -> 0.3 x 75 + 20 + 30 + 20 = 92.50
        unit('丙', { migrated: 3 }),
        unit('丁', { migrated: 1, unresolved: 3, compliant: 1 }), // 7.5 + 14 + 30 + 5 = 56.50
      ],
      providers: [],
      appeals: {},
    };
    const cards = scoreCards(SH, inputs);
    const by = (n: string) => cards.find((c) => c.name === n);
    expect(by('甲')).toMatchObject({ total: '100.00', rank: 1, band: '优秀' });
    expect(by('乙')).toMatchObject({ total: '92.50', rank: 2, band: '优秀' });
    expect(by('丙')).toMatchObject({ total: '92.50', rank: 2 });
    expect(by('丁')).toMatchObject({ total: '56.50', rank: 4, band: '不合格', coefficient: '0.9000' });
    // Liuzhou ties no fee to the result: no band, no coefficient
    expect(scoreCards(LZ, inputs).every((c) => c.coefficient === null)).toBe(true);
  });

  it('hashes the content, not the order of keys; a changed input changes it', () => {
    const a: Inputs = { asOfDay: '2026-12-31', units: [unit('甲')], providers: [], appeals: {} };
    const b = JSON.parse(JSON.stringify({ appeals: {}, providers: [], units: [unit('甲')], asOfDay: '2026-12-31' }));
    expect(contentHash(SH, a)).toBe(contentHash(SH, b));
    expect(contentHash(SH, { ...a, units: [unit('甲', { findings: 1 })] })).not.toBe(contentHash(SH, a));
  });

  it('scores quota use per dimension (capped at the quota), own steps, rectification, disputes and availability', () => {
    const inputs: Inputs = {
      asOfDay: '2026-12-31',
      units: [
        unit('甲', {
          // 100 x 2.5/8 = 31.25; 12/10 capped at 100.00; a reclaim past what was used counts 0.00; no quota: skipped
          // mean (31.25 + 100 + 0) / 3 = 43.75
          quotaUse: [
            { dimension: 'vcpu', quota: '8', used: '2.5' },
            { dimension: 'memory_gb', quota: '10', used: '12' },
            { dimension: 'storage_gb', quota: '100', used: '-20' },
            { dimension: 'bandwidth_mbps', quota: '0', used: '5' },
          ],
          ownSteps: { steps: 3, onTime: 2 }, // 66.67
          rectification: { warnings: 2, onTime: 1, answerHours: 49 }, // 50.00, 49 h on average
        }),
      ],
      providers: [
        {
          organisationId: 'p',
          name: '丙',
          response: [],
          answers: 0,
          ratingSum: 0,
          ratingCount: 0,
          manual: { quality: { score: 8000, evidence: '检查', enteredBy: '钱芳' } },
          // more disputes than receipts: floored at 0
          disputes: { receipts: 1, disputed: 2, disputesOverdue: 1, findings: 1, findingsOverdue: 0 },
          // 1 h down in a 30-day month: 100 x 2588400 / 2592000 = 99.861.. -> 99.86
          availability: { periodSeconds: 2592000, downSeconds: 3600, incidents: 2, major: 1, reportsLate: 0 },
        },
      ],
      appeals: {},
    };
    const [u, p] = scoreCards(SH, inputs);
    const s = (c: typeof u, id: string) => c?.indicators.find((i) => i.id === id);
    expect(s(u, 'quota_use')).toMatchObject({ score: '43.75', value: '3 项平均 43.75%' });
    expect(s(u, 'own_deadlines')).toMatchObject({ score: '66.67', value: '2/3' });
    expect(s(u, 'rectification')).toMatchObject({ score: '50.00', value: '1/2' });
    expect(s(u, 'rectification')?.evidence).toMatchObject({ meanHoursToAnswer: 49 });
    // 30 + 20 + 0.1 x 50 + 0.1 x 43.75 + 20 + 0.1 x 66.67 = 30 + 20 + 5 + 4.375 + 20 + 6.667 = 86.042 -> 86.04
    expect(u).toMatchObject({ total: '86.04', band: '良好' });
    expect(s(p, 'disputes')).toMatchObject({ score: '0.00', value: '0/2' });
    expect(s(p, 'availability')).toMatchObject({ score: '99.86', value: '99.86%' });
    // 30 + 20 + 0.2 x 80 + 0 + 0.15 x 99.86 = 30 + 20 + 16 + 14.979 = 80.979 -> 80.98
    expect(p).toMatchObject({ total: '80.98' });
    // the new facts are part of the snapshot, so of the hash
    expect(contentHash(SH, inputs)).not.toBe(contentHash(SH, { ...inputs, units: [unit('甲')] }));
  });
});
