import { describe, expect, it } from 'vitest';
import {
  addAmounts,
  addRecords,
  amountsOf,
  fromMicro,
  isDecimal,
  normalise,
  recordOf,
  timesRatio,
  toMicro,
} from './decimal.ts';

describe('decimal quantities', () => {
  it('round-trips without floats', () => {
    expect(normalise('8.000000')).toBe('8');
    expect(fromMicro(toMicro('0.1') + toMicro('0.2'))).toBe('0.3');
    expect(fromMicro(toMicro('-1.5'))).toBe('-1.5');
    expect(toMicro(4)).toBe(4_000_000n);
    expect(() => toMicro('1e3')).toThrow();
    expect(() => toMicro('0.0000001')).toThrow();
  });

  it('tells a non-negative quantity', () => {
    expect(isDecimal('12.5')).toBe(true);
    expect(isDecimal('-1')).toBe(false);
    expect(isDecimal('1.')).toBe(false);
  });

  it('adds per key and takes shares rounding down to a micro-unit', () => {
    expect(addRecords([{ vcpu: '1.5' }, { vcpu: '2.5', memory_gb: '4' }])).toEqual({ memory_gb: '4', vcpu: '4' });
    expect(recordOf(addAmounts(amountsOf({ a: 1 }), amountsOf({ a: '-0.25', b: 2 })))).toEqual({ a: '0.75', b: '2' });
    expect(fromMicro(timesRatio(toMicro('33'), '0.15'))).toBe('4.95');
    expect(fromMicro(timesRatio(toMicro('0.000001'), '0.5'))).toBe('0');
  });
});
