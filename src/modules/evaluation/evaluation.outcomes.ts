import type { AuthContext } from '../../platform/auth/auth.ts';
import { fromMicro, timesRatio, toMicro } from '../../platform/decimal.ts';
import type { Trx } from '../../schema.ts';
import { providerBilledFen, yuan } from '../metering/index.ts';
import { tenThousandths } from '../policy/index.ts';
import { listProjects } from '../projects/index.ts';
import { type Card, hundredths, type Template } from './evaluation.scoring.ts';

// What a publication produces beside the coefficients (issue 17): next year's allocation advice per unit and
// project (LZ 30(1): 评价结果作为下一年度使用云资源分配的参考依据; SH 34: 使用单位政务云资源调整的重要依据) and the
// providers' fee adjustment figures where the pack ties the fee to the result (SH 34: 政务云服务商服务费核定的重要依据).
// Kept with the evaluation as published (an upheld appeal recomputes them); integers only (fen, micro-units).

export type Action = 'raise' | 'keep' | 'cut';

export interface ProjectAdvice {
  projectId: string;
  name: string;
  approvalNo: string;
  /** the project's quota on the day of publication, per dimension */
  quota: Record<string, string>;
  /** cut: the quota after the pack's share; otherwise null (a raise is applied for, never granted here) */
  suggested: Record<string, string> | null;
}

export interface UnitAdvice {
  organisationId: string;
  name: string;
  total: string;
  band: string | null;
  action: Action;
  reason: string;
  evidence: { indicator: string; score: string | null; value: string }[];
  projects: ProjectAdvice[];
}

export interface FeeAdjustment {
  providerId: string;
  name: string;
  total: string;
  band: string;
  /** share of the billed fee, "-0.05" */
  adjustment: string;
  billedFen: string;
  adjustmentFen: string;
  billed: string;
  adjustmentYuan: string;
}

export interface Outcomes {
  computedAt: string;
  allocation: {
    article: string | null;
    note: string | null;
    raiseFrom: string;
    cutBelow: string;
    cutShare: string;
    units: UnitAdvice[];
  } | null;
  providerFee: {
    article: string | null;
    note: string | null;
    /** the closed months whose statements the billed fee comes from */
    months: string[];
    providers: FeeAdjustment[];
  } | null;
}

/** The action a unit's total advises: below cutBelow cut, from raiseFrom a raise may be applied for, else keep. */
export function adviseOf(total: string, rule: { raiseFrom: string; cutBelow: string }): Action {
  const t = hundredths(total);
  if (t < hundredths(rule.cutBelow)) return 'cut';
  if (t >= hundredths(rule.raiseFrom)) return 'raise';
  return 'keep';
}

const REASON: Record<Action, (r: { raiseFrom: string; cutBelow: string; cutShare: string }) => string> = {
  cut: (r) => `总分低于 ${r.cutBelow} 分：建议下一年度各项目配额核减 ${percentText(r.cutShare)}`,
  keep: (r) => `总分在 ${r.cutBelow} 至 ${r.raiseFrom} 分之间：建议维持现有配额`,
  raise: (r) => `总分不低于 ${r.raiseFrom} 分：可按实际需要申请增加配额`,
};

function percentText(ratio: string): string {
  const tt = tenThousandths(ratio);
  const whole = Math.floor(tt / 100);
  const frac = String(tt % 100)
    .padStart(2, '0')
    .replace(/0+$/, '');
  return `${whole}${frac ? `.${frac}` : ''}%`;
}

/** The quota after cutting a share, per dimension (micro-units, rounded down). */
export function cutQuota(quota: Record<string, string>, share: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(quota).map(([d, q]) => {
      const m = toMicro(q);
      return [d, fromMicro(m - timesRatio(m, share))];
    }),
  );
}

/** fen x share (ten-thousandths), half away from zero: -0.05 of 12345 fen is -617 fen (617.25). */
export function feeAdjustmentFen(billedFen: bigint, share: string): bigint {
  const negative = share.startsWith('-');
  const n = billedFen * BigInt(tenThousandths(negative ? share.slice(1) : share));
  const abs = (2n * n + 10000n) / 20000n;
  return negative ? -abs : abs;
}

function monthsOf(windowFrom: string, windowTo: string): string[] {
  const out: string[] = [];
  let [y, m] = windowFrom.split('-').map(Number) as [number, number];
  const end = windowTo.slice(0, 7);
  while (`${y}-${String(m).padStart(2, '0')}` < end) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
  }
  return out;
}

/** The outcomes of a published (or republished) evaluation, from its cards, the projects and settlement. */
export async function computeOutcomes(
  trx: Trx,
  auth: AuthContext,
  e: { jurisdiction_id: string; window_from: string; window_to: string },
  template: Template,
  cards: Card[],
  now: Date,
): Promise<Outcomes> {
  const rule = template.allocationAdvice;
  let allocation: Outcomes['allocation'] = null;
  if (rule?.value) {
    const value = rule.value;
    const units: UnitAdvice[] = [];
    for (const c of cards.filter((x) => x.subject === 'using_unit')) {
      const action = adviseOf(c.total, value);
      const { items } = await listProjects(
        trx,
        auth,
        { organisationId: c.organisationId, status: 'approved' },
        { limit: 200, offset: 0 },
        now,
      );
      units.push({
        organisationId: c.organisationId,
        name: c.name,
        total: c.total,
        band: c.band,
        action,
        reason: REASON[action](value),
        evidence: c.indicators.map((i) => ({ indicator: i.zh, score: i.score, value: i.value })),
        projects: items
          .filter((p) => p.organisationId === c.organisationId)
          .map((p) => ({
            projectId: p.id,
            name: p.name,
            approvalNo: p.approvalNo,
            quota: p.quotaToday,
            suggested: action === 'cut' ? cutQuota(p.quotaToday, value.cutShare) : null,
          })),
      });
    }
    allocation = {
      article: rule.article,
      note: rule.note ?? null,
      ...value,
      units,
    };
  }

  const fee = template.providerFee;
  let providerFee: Outcomes['providerFee'] = null;
  if (fee?.value) {
    const bands = fee.value;
    const billed = await providerBilledFen(trx, e.jurisdiction_id, monthsOf(e.window_from, e.window_to));
    const byProvider = new Map(billed.providers.map((p) => [p.providerId, p.fen]));
    providerFee = {
      article: fee.article,
      note: fee.note ?? null,
      months: billed.months,
      providers: cards
        .filter((c) => c.subject === 'provider')
        .map((c) => {
          const band =
            bands.find((b) => hundredths(c.total) >= hundredths(b.min)) ?? (bands.at(-1) as (typeof bands)[0]);
          const fen = byProvider.get(c.organisationId) ?? 0n;
          const adj = feeAdjustmentFen(fen, band.adjustment);
          return {
            providerId: c.organisationId,
            name: c.name,
            total: c.total,
            band: band.zh,
            adjustment: band.adjustment,
            billedFen: String(fen),
            adjustmentFen: String(adj),
            billed: yuan(fen),
            adjustmentYuan: yuan(adj),
          };
        }),
    };
  }
  return { computedAt: now.toISOString(), allocation, providerFee };
}

/** What the caller may see of the outcomes: jurisdiction roles all; a unit its own advice, a provider its own fee. */
export function visibleOutcomes(o: Outcomes, auth: AuthContext): Outcomes {
  const v = auth.visibility;
  if (v.kind === 'jurisdiction') return o;
  const mine = (id: string) => v.organisations.includes(id);
  return {
    ...o,
    allocation: o.allocation
      ? { ...o.allocation, units: o.allocation.units.filter((u) => mine(u.organisationId)) }
      : null,
    providerFee: o.providerFee
      ? { ...o.providerFee, providers: o.providerFee.providers.filter((p) => mine(p.providerId)) }
      : null,
  };
}
