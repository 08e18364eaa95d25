import { toMicro } from '../../platform/decimal.ts';
import type { CatalogueItem } from '../catalogue/index.ts';
import { quantitiesOf } from '../inventory/index.ts';
import type { EffectivePolicy } from '../policy/index.ts';
import type { DeploymentLine } from './itprojects.table.ts';

// The pure rules of the IT-project lifecycle: money in fen, the change threshold (JQ-proj 12), the cloud
// cost of a deployment plan, the review checklist the pack asks for, the year-end forecast. No database.

const YUAN = /^(\d{1,13})(?:\.(\d{1,2}))?$/;

/** "1000000.5" yuan -> 100000050n fen; null when not a non-negative amount with at most 2 decimals. */
export function fenOf(yuan: string): bigint | null {
  const m = YUAN.exec(yuan.trim());
  if (!m) return null;
  return BigInt(m[1] as string) * 100n + BigInt(`${m[2] ?? ''}00`.slice(0, 2));
}

/**
 * JQ-proj 12: a change of the investment estimate, in percent of the estimate before (4 decimals, rounded
 * half away from zero for display only), and whether it goes to the authority. The comparison is exact:
 * (after - before) x 10^4 against threshold x before, both integers; `inclusive` (the pack's
 * `projects.investmentOverrunInclusive`) says whether exactly the threshold goes to the authority.
 */
export function changeRoute(
  beforeFen: bigint,
  afterFen: bigint,
  threshold: string | null,
  inclusive: boolean,
): { percent: string; toAuthority: boolean } {
  const delta = afterFen - beforeFen;
  // percent with 4 decimals: delta / before x 100, in 10^-4 units
  const scaled =
    beforeFen === 0n ? 0n : (delta * 1_000_000n * 2n + (delta >= 0n ? beforeFen : -beforeFen)) / (2n * beforeFen);
  const abs = scaled < 0n ? -scaled : scaled;
  const percent = `${scaled < 0n ? '-' : ''}${abs / 10_000n}.${(abs % 10_000n).toString().padStart(4, '0')}`;
  if (threshold === null) return { percent, toAuthority: false };
  if (beforeFen === 0n) return { percent, toAuthority: delta > 0n };
  // threshold "0.10" in micro-units: 100000; compare delta x 10^6 with threshold x before
  const left = delta * 1_000_000n;
  const right = toMicro(threshold) * beforeFen;
  return { percent, toAuthority: inclusive ? left >= right : left > right };
}

/**
 * The monthly price of one deployment line at the catalogue in force, in fen: sum over the item's pricing
 * dimensions of quantity x unit price (yuan per month) x count, exact (micro-units, then whole fen rounded
 * half up once per line). Null when the item is not in the catalogue.
 */
export function monthlyFenOf(line: DeploymentLine, items: readonly CatalogueItem[]): bigint | null {
  const item = items.find((i) => i.code === line.itemCode);
  if (!item) return null;
  const quantities = quantitiesOf(
    item.prices.map((p) => p.dimension),
    line.specification,
  );
  let microYuan = 0n; // yuan x 10^6 x 10^6 (price micro x quantity micro)
  for (const p of item.prices) {
    const q = quantities[p.dimension] ?? 0;
    microYuan += toMicro(p.unitPrice) * toMicro(String(q));
  }
  microYuan *= BigInt(line.count);
  // to fen: / 10^12 yuan, x 100
  const divisor = 10_000_000_000n;
  return (microYuan + divisor / 2n) / divisor;
}

/** The annual cloud cost of a plan: 12 months of every line. */
export function annualFenOf(monthly: readonly bigint[]): bigint {
  return monthly.reduce((s, m) => s + m, 0n) * 12n;
}

export const CHECK_ITEMS = ['fits_plan', 'on_cloud', 'data_sharing'] as const;
export type CheckItem = (typeof CHECK_ITEMS)[number];

/** The preliminary review's checklist the pack asks (JQ-proj 7(2); NB 17), with each item's article. */
export function checklistOf(policy: EffectivePolicy): { item: CheckItem; article: string | null }[] {
  const p = policy.projects;
  const rules: [CheckItem, { value: boolean | null; article: string | null }][] = [
    ['fits_plan', p.reviewAsksFitsPlan],
    ['on_cloud', p.reviewAsksOnCloud],
    ['data_sharing', p.reviewAsksDataSharing],
  ];
  return rules.filter(([, r]) => r.value === true).map(([item, r]) => ({ item, article: r.article }));
}

/**
 * Forecast to year end from the run rate: the settled months' total plus their average for each month
 * not yet settled (rounded half up to the fen). No settled month: no forecast beyond zero.
 */
export function forecastFen(settled: readonly bigint[], months = 12): bigint {
  const n = BigInt(settled.length);
  const total = settled.reduce((s, v) => s + v, 0n);
  if (n === 0n) return 0n;
  const rest = BigInt(months) - n;
  return total + (total * rest * 2n + n) / (2n * n);
}

/**
 * Whether an evaluation period ('2027' or '2027-Q3') covers a calendar day: the post-go-live evaluation
 * (JQ-proj 17) due on that day is the one of the period that holds it.
 */
export function periodCovers(period: string, day: string): boolean {
  const m = /^([0-9]{4})(?:-Q([1-4]))?$/.exec(period);
  if (!m) return false;
  if (day.slice(0, 4) !== m[1]) return false;
  if (!m[2]) return true;
  return Math.ceil(Number(day.slice(5, 7)) / 3) === Number(m[2]);
}
