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
        unit('乙', { migrated: 3 }), // 75.00 -> 0.4 x 75 + 35 + 25 = 90.00
        unit('丙', { migrated: 3 }),
        unit('丁', { migrated: 1, unresolved: 3, compliant: 1 }), // 10 + 24.5 + 6.25 = 40.75
      ],
      providers: [],
      appeals: {},
    };
    const cards = scoreCards(SH, inputs);
    const by = (n: string) => cards.find((c) => c.name === n);
    expect(by('甲')).toMatchObject({ total: '100.00', rank: 1, band: '优秀' });
    expect(by('乙')).toMatchObject({ total: '90.00', rank: 2, band: '优秀' });
    expect(by('丙')).toMatchObject({ total: '90.00', rank: 2 });
    expect(by('丁')).toMatchObject({ total: '40.75', rank: 4, band: '不合格', coefficient: '0.9000' });
    // Liuzhou ties no fee to the result: no band, no coefficient
    expect(scoreCards(LZ, inputs).every((c) => c.coefficient === null)).toBe(true);
  });

  it('hashes the content, not the order of keys; a changed input changes it', () => {
    const a: Inputs = { asOfDay: '2026-12-31', units: [unit('甲')], providers: [], appeals: {} };
    const b = JSON.parse(JSON.stringify({ appeals: {}, providers: [], units: [unit('甲')], asOfDay: '2026-12-31' }));
    expect(contentHash(SH, a)).toBe(contentHash(SH, b));
    expect(contentHash(SH, { ...a, units: [unit('甲', { findings: 1 })] })).not.toBe(contentHash(SH, a));
  });
});
