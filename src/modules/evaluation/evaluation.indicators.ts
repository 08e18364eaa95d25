import type { IndicatorId } from '../policy/index.ts';

// The indicators added to the cards for issue 17's remainder, pure: the units' quota use, their own step deadlines
// and SH 25 rectification; the providers' disputes and reconciliation findings and their availability. Integers
// only (scores in hundredths, half up), like the rest of the scoring; each keeps its evidence in the snapshot.

/** The facts of one unit (absent in inputs snapshotted before these indicators existed). */
export interface UnitExtraInputs {
  /** per quota dimension of the unit's approved projects at the window's end: quota and what completed orders used */
  quotaUse?: { dimension: string; quota: string; used: string }[];
  /** steps the unit acts on itself, measured on its own time (orders) */
  ownSteps?: { steps: number; onTime: number };
  /** SH 25 warnings (monitoring's rectification) */
  rectification?: { warnings: number; onTime: number; answerHours: number };
}

export interface ProviderExtraInputs {
  /** delivery receipts and their disputes; reconciliation findings (provisioning) */
  disputes?: {
    receipts: number;
    disputed: number;
    disputesOverdue: number;
    findings: number;
    findingsOverdue: number;
  };
  /** unplanned incident time in the window and the incidents (operations) */
  availability?: { periodSeconds: number; downSeconds: number; incidents: number; major: number; reportsLate: number };
}

type Raw = { score: number | null; value: string; evidence: Record<string, unknown> };

/** 100 x n / d in hundredths, half up (as scoring's percent, in BigInt for micro-unit quantities). */
function percentBig(n: bigint, d: bigint): number {
  return Number((20000n * n + d) / (2n * d));
}

/** "12.5" -> 12500000n micro-units; negative allowed. */
function micro(v: string): bigint {
  const neg = v.startsWith('-');
  const [i, f = ''] = (neg ? v.slice(1) : v).split('.');
  const m = BigInt(i || '0') * 1_000_000n + BigInt(f.padEnd(6, '0').slice(0, 6));
  return neg ? -m : m;
}

const fmt = (h: number) => `${Math.floor(h / 100)}.${String(h % 100).padStart(2, '0')}`;
const ratio = (n: number, d: number) => (d === 0 ? 10000 : percentBig(BigInt(n), BigInt(d)));

export function unitExtraIndicator(id: IndicatorId, u: UnitExtraInputs): Raw | null {
  switch (id) {
    case 'quota_use': {
      const dims = (u.quotaUse ?? [])
        .filter((d) => micro(d.quota) > 0n)
        .map((d) => {
          const quota = micro(d.quota);
          const used = micro(d.used) < 0n ? 0n : micro(d.used);
          const p = percentBig(used > quota ? quota : used, quota);
          return { dimension: d.dimension, quota: d.quota, used: d.used, percent: fmt(p), p };
        });
      const sum = dims.reduce((s, d) => s + d.p, 0);
      const score = dims.length === 0 ? 10000 : Math.floor((2 * sum + dims.length) / (2 * dims.length));
      return {
        score,
        value: dims.length === 0 ? '无配额' : `${dims.length} 项平均 ${fmt(score)}%`,
        evidence: { dimensions: dims.map(({ p: _, ...d }) => d) },
      };
    }
    case 'own_deadlines': {
      const s = u.ownSteps ?? { steps: 0, onTime: 0 };
      return {
        score: ratio(s.onTime, s.steps),
        value: `${s.onTime}/${s.steps}`,
        evidence: { steps: s.steps, onTime: s.onTime, late: s.steps - s.onTime },
      };
    }
    case 'rectification': {
      const r = u.rectification ?? { warnings: 0, onTime: 0, answerHours: 0 };
      return {
        score: ratio(r.onTime, r.warnings),
        value: `${r.onTime}/${r.warnings}`,
        evidence: {
          warnings: r.warnings,
          answeredOnTime: r.onTime,
          lateOrUnanswered: r.warnings - r.onTime,
          meanHoursToAnswer: r.onTime === 0 ? null : Math.floor(r.answerHours / r.onTime),
        },
      };
    }
    default:
      return null;
  }
}

export function providerExtraIndicator(id: IndicatorId, p: ProviderExtraInputs): Raw | null {
  switch (id) {
    case 'disputes': {
      const d = p.disputes ?? { receipts: 0, disputed: 0, disputesOverdue: 0, findings: 0, findingsOverdue: 0 };
      const clean = Math.max(d.receipts - d.disputed, 0);
      return {
        score: ratio(clean, d.receipts + d.findings),
        value: `${clean}/${d.receipts + d.findings}`,
        evidence: { ...d },
      };
    }
    case 'availability': {
      const a = p.availability ?? { periodSeconds: 0, downSeconds: 0, incidents: 0, major: 0, reportsLate: 0 };
      const up = Math.max(a.periodSeconds - a.downSeconds, 0);
      const score = ratio(up, a.periodSeconds);
      return { score, value: `${fmt(score)}%`, evidence: { ...a } };
    }
    default:
      return null;
  }
}
