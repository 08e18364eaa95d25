import { sm3 } from '../../platform/crypto.ts';
import type { Evaluated, IndicatorId, PolicyPack } from '../policy/index.ts';
import { tenThousandths } from '../policy/index.ts';
import {
  type ProviderExtraInputs,
  providerExtraIndicator,
  type UnitExtraInputs,
  unitExtraIndicator,
} from './evaluation.indicators.ts';

// Pure scoring: the inputs snapshot -> the cards. Integers only (scores in hundredths, weights in ten-thousandths),
// half up, so a card is reproducible to the last digit and a hash of the inputs stands for the result.

export type Template = PolicyPack['evaluation'];

export interface UnitInputs extends UnitExtraInputs {
  organisationId: string;
  name: string;
  /** 上云率 (datacentres.onCloudRate): non-classified systems in service, migrated, provisionally migrated */
  systems: number;
  migrated: number;
  provisional: number;
  /** security management (projects' systems register): on-cloud non-classified systems, of which filed + letter */
  onCloudSystems: number;
  compliant: number;
  /** resource-use efficiency (monitoring): monitored resources, idle/zombie findings, of which unresolved */
  monitored: number;
  findings: number;
  unresolved: number;
}

/** One source of the providers' response indicator: work orders, service-desk first responses and resolutions. */
export interface ResponseSource {
  source: string;
  counted: number;
  onTime: number;
}

export interface ProviderInputs extends ProviderExtraInputs {
  organisationId: string;
  name: string;
  response: ResponseSource[];
  /** the satisfaction survey, aggregated: never who answered what */
  answers: number;
  ratingSum: number;
  ratingCount: number;
  /** scores entered by people, in hundredths, with their evidence */
  manual: Partial<Record<IndicatorId, { score: number; evidence: string; enteredBy: string }>>;
}

/** A unit keeping its own data centre for now (LZ 30(2)): its rooms in retention and the LZ 13 pre-check of each. */
export interface DataCentreInputs {
  organisationId: string;
  name: string;
  rooms: { name: string; items: number; passed: number; failed: string[] }[];
  manual: ProviderInputs['manual'];
}

export interface Inputs {
  asOfDay: string;
  units: UnitInputs[];
  providers: ProviderInputs[];
  /** only where the pack evaluates own data centres (absent: the hash of older evaluations is unchanged) */
  dataCentres?: DataCentreInputs[];
  /** upheld appeals: organisation -> indicator -> score (hundredths) */
  appeals: Record<string, Partial<Record<IndicatorId, number>>>;
  /** evidence files on the items: organisation -> indicator -> files (absent when there are none) */
  files?: Record<string, Partial<Record<IndicatorId, { fileName: string; sha256: string }[]>>>;
}

export interface IndicatorScore {
  id: IndicatorId;
  zh: string;
  weight: string;
  /** "87.50"; null: a manual score not entered yet */
  score: string | null;
  weighted: string | null;
  value: string;
  evidence: Record<string, unknown>;
  article: string | null;
  appealed?: true;
}

export interface Card {
  subject: Evaluated;
  organisationId: string;
  name: string;
  total: string;
  band: string | null;
  coefficient: string | null;
  rank: number;
  ofCount: number;
  indicators: IndicatorScore[];
  complete: boolean;
}

/** 100 x n / d in hundredths, half up. */
export function percent(n: number, d: number): number {
  return Math.floor((20000 * n + d) / (2 * d));
}

export const fmt = (hundredths: number) =>
  `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')}`;
const fmt6 = (millionths: number) =>
  `${Math.floor(millionths / 1_000_000)}.${String(millionths % 1_000_000).padStart(6, '0')}`;

/** "87.5" -> 8750 */
export function hundredths(score: string): number {
  const [i, f = ''] = score.split('.');
  return Number(i) * 100 + Number(f.padEnd(2, '0').slice(0, 2));
}

function unitIndicator(id: IndicatorId, u: UnitInputs): Raw {
  switch (id) {
    case 'on_cloud_rate':
      return {
        score: u.systems === 0 ? 10000 : percent(u.migrated + u.provisional, u.systems),
        value: `${u.migrated + u.provisional}/${u.systems}`,
        evidence: { systems: u.systems, migrated: u.migrated, provisionallyMigrated: u.provisional },
      };
    case 'resource_efficiency':
      return {
        score: u.monitored === 0 ? 10000 : percent(Math.max(u.monitored - u.unresolved, 0), u.monitored),
        value: `${Math.max(u.monitored - u.unresolved, 0)}/${u.monitored}`,
        evidence: { monitoredResources: u.monitored, idleOrZombieFindings: u.findings, unresolved: u.unresolved },
      };
    case 'security_management':
      return {
        score: u.onCloudSystems === 0 ? 10000 : percent(u.compliant, u.onCloudSystems),
        value: `${u.compliant}/${u.onCloudSystems}`,
        evidence: { onCloudSystems: u.onCloudSystems, filedWithCommitmentLetter: u.compliant },
      };
    default:
      return unitExtraIndicator(id, u) ?? { score: null, value: '—', evidence: {} };
  }
}

type Raw = { score: number | null; value: string; evidence: Record<string, unknown> };

function manualIndicator(id: IndicatorId, manual: ProviderInputs['manual']): Raw {
  const m = manual[id];
  return m
    ? { score: m.score, value: fmt(m.score), evidence: { evidence: m.evidence, enteredBy: m.enteredBy } }
    : { score: null, value: '未录入', evidence: {} };
}

function dataCentreIndicator(id: IndicatorId, d: DataCentreInputs): Raw {
  if (id !== 'dc_construction') return manualIndicator(id, d.manual);
  const items = d.rooms.reduce((s, r) => s + r.items, 0);
  const passed = d.rooms.reduce((s, r) => s + r.passed, 0);
  return {
    score: items === 0 ? 10000 : percent(passed, items),
    value: `${passed}/${items}`,
    evidence: {
      rooms: d.rooms.length,
      criteriaChecked: items,
      criteriaMet: passed,
      unmet: d.rooms.flatMap((r) => r.failed.map((f) => `${r.name}：${f}`)),
    },
  };
}

function providerIndicator(id: IndicatorId, p: ProviderInputs): Raw {
  switch (id) {
    case 'response': {
      const counted = p.response.reduce((s, r) => s + r.counted, 0);
      const onTime = p.response.reduce((s, r) => s + r.onTime, 0);
      return {
        score: counted === 0 ? 10000 : percent(onTime, counted),
        value: `${onTime}/${counted}`,
        evidence: { sources: p.response, counted, onTime, late: counted - onTime },
      };
    }
    case 'satisfaction':
      return {
        score: p.ratingCount === 0 ? 10000 : Math.floor((4000 * p.ratingSum + p.ratingCount) / (2 * p.ratingCount)),
        value: `${p.answers} 份答卷`,
        evidence: { answers: p.answers, ratingSum: p.ratingSum, ratingCount: p.ratingCount },
      };
    default:
      return providerExtraIndicator(id, p) ?? manualIndicator(id, p.manual);
  }
}

function rawIndicator(subject: Evaluated, id: IndicatorId, s: unknown): Raw {
  if (subject === 'using_unit') return unitIndicator(id, s as UnitInputs);
  if (subject === 'provider') return providerIndicator(id, s as ProviderInputs);
  return dataCentreIndicator(id, s as DataCentreInputs);
}

function files(inputs: Inputs, organisationId: string, id: IndicatorId, evidence: Record<string, unknown>) {
  const list = inputs.files?.[organisationId]?.[id];
  return list?.length ? { ...evidence, files: list } : evidence;
}

/** The band a total falls in (bands descend by minimum score); null when the pack ties no coefficient. */
export function bandOf(template: Template, totalHundredths: number) {
  const bands = template.bands.value;
  if (!bands) return null;
  return bands.find((b) => totalHundredths >= hundredths(b.min)) ?? null;
}

export function scoreCards(template: Template, inputs: Inputs): Card[] {
  const cards: Card[] = [];
  const subjects: [Evaluated, { organisationId: string; name: string }[]][] = [
    ['using_unit', inputs.units],
    ['provider', inputs.providers],
    ['data_centre', inputs.dataCentres ?? []],
  ];
  for (const [subject, list] of subjects) {
    const indicators = template.scorecards[subject]?.indicators;
    if (!indicators) continue;
    const scored = list.map((s) => {
      let sum = 0;
      let complete = true;
      const rows: IndicatorScore[] = indicators.map((ind) => {
        const raw = rawIndicator(subject, ind.id, s);
        const appealed = inputs.appeals[s.organisationId]?.[ind.id];
        const score = appealed ?? raw.score;
        if (score === null) complete = false;
        const weighted = score === null ? null : tenThousandths(ind.weight) * score;
        if (weighted !== null) sum += weighted;
        return {
          id: ind.id,
          zh: ind.zh,
          weight: ind.weight,
          score: score === null ? null : fmt(score),
          weighted: weighted === null ? null : fmt6(weighted),
          value: raw.value,
          evidence: files(inputs, s.organisationId, ind.id, raw.evidence),
          article: ind.article,
          ...(appealed !== undefined ? { appealed: true as const } : {}),
        };
      });
      const total = Math.floor((2 * sum + 10000) / 20000);
      const band = subject === 'using_unit' ? bandOf(template, total) : null;
      return { s, total, rows, complete, band };
    });
    const order = [...scored].sort((a, b) => b.total - a.total || a.s.name.localeCompare(b.s.name, 'zh'));
    for (const c of order) {
      cards.push({
        subject,
        organisationId: c.s.organisationId,
        name: c.s.name,
        total: fmt(c.total),
        band: c.band?.zh ?? null,
        coefficient: c.band?.coefficient ?? null,
        rank: 1 + order.filter((o) => o.total > c.total).length,
        ofCount: order.length,
        indicators: c.rows,
        complete: c.complete,
      });
    }
  }
  return cards;
}

/** Canonical JSON (keys sorted) -> SM3: the same template and inputs give the same hash. */
export function contentHash(template: Template, inputs: Inputs): string {
  return sm3(canonical({ template, inputs }));
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
