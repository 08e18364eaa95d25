import { describe, expect, it } from 'vitest';
import { isMonth, period, previousMonth, yuan } from './metering.period.ts';

describe('settlement months', () => {
  it('run from the 1st 00:00 Asia/Shanghai to the next 1st, with their own length in seconds', () => {
    expect(period('2026-10')).toEqual({
      month: '2026-10',
      start: new Date('2026-09-30T16:00:00Z'),
      end: new Date('2026-10-31T16:00:00Z'),
      seconds: 31 * 86_400,
    });
    expect(period('2028-02').seconds).toBe(29 * 86_400);
    expect(period('2026-12').end).toEqual(new Date('2026-12-31T16:00:00Z'));
    expect(previousMonth('2027-01')).toBe('2026-12');
    expect(isMonth('2026-13')).toBe(false);
  });

  // Rounding is done once per line in SQL (fenOf in metering.engine.ts); its .5-fen ties are worked examples
  // in metering.db.test.ts.
  it('print fen as yuan', () => {
    expect(yuan(105_073n)).toBe('1050.73');
    expect(yuan('-5')).toBe('-0.05');
  });
});
