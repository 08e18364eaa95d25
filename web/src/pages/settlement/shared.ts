import type { SettlementRun } from '../../api/hooks/settlement';

export const STATUS_COLOURS: Record<SettlementRun['status'], string> = {
  draft: 'blue',
  reviewed: 'orange',
  closed: 'green',
};

/** The last ended month in Asia/Shanghai: the one a settlement is usually run for. */
export function lastMonth(): string {
  const now = new Date(Date.now() + 8 * 3600_000);
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth(); // 0-based: the previous month's number
  return m === 0 ? `${y - 1}-12` : `${y}-${String(m).padStart(2, '0')}`;
}

export function monthsBack(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) - n;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** Sum of fen strings, exact. */
export const sumFen = (values: readonly string[]): string => String(values.reduce((a, v) => a + BigInt(v), 0n));

/** The same rule as the server's (metering.service.ts): 0..10, at most 4 decimal places. */
export const COEFFICIENT_PATTERN = /^(?:10(?:\.0{1,4})?|\d(?:\.\d{1,4})?)$/;
