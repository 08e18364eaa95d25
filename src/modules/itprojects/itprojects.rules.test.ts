import { describe, expect, it } from 'vitest';
import { periodCovers } from './itprojects.rules.ts';

// Which evaluation holds a project's post-go-live evaluation day (JQ-proj 17): the annual one of its year, or
// the quarter it falls in; the days at the edges of a quarter belong to it.

describe('periodCovers', () => {
  it('an annual period covers every day of its year, and no other', () => {
    expect(periodCovers('2027', '2027-01-01')).toBe(true);
    expect(periodCovers('2027', '2027-12-31')).toBe(true);
    expect(periodCovers('2027', '2026-12-31')).toBe(false);
  });

  it('a quarter covers its three months, edges included', () => {
    expect(periodCovers('2027-Q2', '2027-04-01')).toBe(true);
    expect(periodCovers('2027-Q2', '2027-06-30')).toBe(true);
    expect(periodCovers('2027-Q2', '2027-03-31')).toBe(false);
    expect(periodCovers('2027-Q2', '2027-07-01')).toBe(false);
    expect(periodCovers('2027-Q4', '2027-12-31')).toBe(true);
    expect(periodCovers('2026-Q4', '2027-12-31')).toBe(false);
  });

  it('a period it cannot read covers nothing', () => {
    expect(periodCovers('2027-Q5', '2027-12-31')).toBe(false);
    expect(periodCovers('FY2027', '2027-06-01')).toBe(false);
  });
});
