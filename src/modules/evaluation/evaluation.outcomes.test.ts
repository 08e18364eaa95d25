import { describe, expect, it } from 'vitest';
import { adviseOf, cutQuota, feeAdjustmentFen } from './evaluation.outcomes.ts';

// The arithmetic of what publication produces: the advice's edges (Shanghai's pack: raise from 90, cut below 60),
// the quota after a 10% cut in micro-units, and a fee share of SH 34's bands rounded half away from zero to the fen.

const RULE = { raiseFrom: '90', cutBelow: '60' };

describe('allocation advice (LZ 30(1), SH 34)', () => {
  it('cuts below 60, keeps from 60 up to 89.99, allows a raise from exactly 90', () => {
    expect(adviseOf('59.99', RULE)).toBe('cut');
    expect(adviseOf('60.00', RULE)).toBe('keep');
    expect(adviseOf('89.99', RULE)).toBe('keep');
    expect(adviseOf('90.00', RULE)).toBe('raise');
    expect(adviseOf('0.00', RULE)).toBe('cut');
  });

  it('a 10% cut of each dimension, rounded down to a micro-unit', () => {
    expect(cutQuota({ vcpu: '16', memory_gb: '64', storage_gb: '500.5' }, '0.10')).toEqual({
      vcpu: '14.4',
      memory_gb: '57.6',
      storage_gb: '450.45',
    });
    // 0.000001 x 0.9 = 0.0000009: rounds the cut down, so the quota keeps its micro-unit
    expect(cutQuota({ vcpu: '0.000001' }, '0.10')).toEqual({ vcpu: '0.000001' });
  });
});

describe('provider fee adjustment (SH 34)', () => {
  it('a share of the billed fen, half away from zero', () => {
    expect(feeAdjustmentFen(12345n, '-0.05')).toBe(-617n); // 617.25
    expect(feeAdjustmentFen(12350n, '-0.05')).toBe(-618n); // 617.5 -> 618
    expect(feeAdjustmentFen(10n, '-0.10')).toBe(-1n);
    expect(feeAdjustmentFen(123456789n, '-0.02')).toBe(-2469136n); // 2469135.78
    expect(feeAdjustmentFen(5000n, '0')).toBe(0n);
    expect(feeAdjustmentFen(0n, '-0.10')).toBe(0n);
  });
});
