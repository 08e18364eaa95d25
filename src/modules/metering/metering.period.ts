import { startOfShanghaiDay } from '../../platform/time/time.ts';

/** A settlement month, 'YYYY-MM', Asia/Shanghai: from the 1st 00:00 (+08:00) to the next month's 1st 00:00. */
export interface Period {
  month: string;
  start: Date;
  end: Date;
  /** seconds in this calendar month: a full month at quantity 1 costs exactly the monthly price */
  seconds: number;
}

export const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isMonth(text: string): boolean {
  return MONTH.test(text);
}

export function period(month: string): Period {
  const m = MONTH.exec(month);
  if (!m) throw new RangeError(`not a month: ${month}`);
  const year = Number(m[1]);
  const mon = Number(m[2]);
  const start = startOfShanghaiDay(`${month}-01`);
  const next = mon === 12 ? `${year + 1}-01` : `${year}-${String(mon + 1).padStart(2, '0')}`;
  const end = startOfShanghaiDay(`${next}-01`);
  return { month, start, end, seconds: (end.getTime() - start.getTime()) / 1000 };
}

export function previousMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

/** Fen (bigint or its decimal string) as a yuan decimal string: 12345 -> '123.45', -5 -> '-0.05'. */
export function yuan(fen: bigint | string | number): string {
  const f = BigInt(fen);
  const neg = f < 0n;
  const a = neg ? -f : f;
  return `${neg ? '-' : ''}${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
}
