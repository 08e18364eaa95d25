import type { Trx } from '../../schema.ts';
import { rectificationFacts } from '../monitoring/index.ts';
import { providerAvailability } from '../operations/index.ts';
import { consumedQuota, unitStepDeadlines } from '../orders/index.ts';
import { unitProjectsQuotaTotal } from '../projects/index.ts';
import { providerDisputes } from '../provisioning/index.ts';
import type { ProviderExtraInputs, UnitExtraInputs } from './evaluation.indicators.ts';

// Gathers the facts of the indicators in evaluation.indicators.ts from the modules that hold them, each through
// its index.ts, for the window [from, until): they enter the inputs snapshot (and so the content hash) as is.

/** Micro-unit decimal strings as the ledger keeps them, trimmed ("24.000000" -> "24"). */
function decimal(v: string): string {
  if (!v.includes('.')) return v;
  const t = v.replace(/0+$/, '').replace(/\.$/, '');
  return t === '-0' ? '0' : t;
}

export async function unitExtras(
  trx: Trx,
  jurisdictionId: string,
  unitIds: readonly string[],
  from: Date,
  until: Date,
): Promise<Map<string, Required<UnitExtraInputs>>> {
  const steps = await unitStepDeadlines(trx, jurisdictionId, from, until);
  const warnings = await rectificationFacts(trx, jurisdictionId, from, until);
  const consumed = await consumedQuota(trx, jurisdictionId, until);
  // the quota at the window's last moment: the projects' base quotas, or a window covering that day
  const quotaAt = new Date(until.getTime() - 1);
  const out = new Map<string, Required<UnitExtraInputs>>();
  for (const id of unitIds) {
    const quota = await unitProjectsQuotaTotal(trx, id, quotaAt);
    const quotaUse = Object.keys(quota)
      .sort()
      .map((dimension) => ({
        dimension,
        quota: decimal(quota[dimension] as string),
        used: decimal(consumed.find((c) => c.organisationId === id && c.dimension === dimension)?.amount ?? '0'),
      }));
    const s = steps.find((x) => x.organisationId === id);
    const r = warnings.find((x) => x.organisationId === id);
    out.set(id, {
      quotaUse,
      ownSteps: { steps: s?.steps ?? 0, onTime: s?.onTime ?? 0 },
      rectification: { warnings: r?.warnings ?? 0, onTime: r?.onTime ?? 0, answerHours: r?.answerHours ?? 0 },
    });
  }
  return out;
}

export async function providerExtras(
  trx: Trx,
  jurisdictionId: string,
  providerIds: readonly string[],
  from: Date,
  until: Date,
): Promise<Map<string, Required<ProviderExtraInputs>>> {
  const disputes = await providerDisputes(trx, jurisdictionId, from, until);
  const availability = await providerAvailability(trx, jurisdictionId, from, until);
  const periodSeconds = Math.floor((until.getTime() - from.getTime()) / 1000);
  const out = new Map<string, Required<ProviderExtraInputs>>();
  for (const id of providerIds) {
    const d = disputes.find((x) => x.providerId === id);
    const a = availability.find((x) => x.providerId === id);
    out.set(id, {
      disputes: {
        receipts: d?.receipts ?? 0,
        disputed: d?.disputed ?? 0,
        disputesOverdue: d?.disputesOverdue ?? 0,
        findings: d?.findings ?? 0,
        findingsOverdue: d?.findingsOverdue ?? 0,
      },
      availability: {
        periodSeconds,
        downSeconds: a?.downSeconds ?? 0,
        incidents: a?.incidents ?? 0,
        major: a?.major ?? 0,
        reportsLate: a?.reportsLate ?? 0,
      },
    });
  }
  return out;
}
