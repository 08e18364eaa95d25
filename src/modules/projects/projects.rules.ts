import { fromMicro, isDecimal, toMicro } from '../../platform/decimal.ts';
import { AppError } from '../../platform/errors.ts';

// The pure rules of the module: quota dimensions, how a catalogue line maps to them, and which systems
// may go on the cloud (SH 2, 7) and go live (SH 30, TZ 11).

/** The quota dimensions every project has; items without one of these use `item:<catalogue code>`. */
export const DIMENSIONS = ['vcpu', 'memory_gb', 'storage_gb', 'bandwidth_mbps'] as const;
export type BaseDimension = (typeof DIMENSIONS)[number];
export type Dimension = BaseDimension | `item:${string}`;

export const DIMENSION_PATTERN = '^(vcpu|memory_gb|storage_gb|bandwidth_mbps|item:[a-z0-9][a-z0-9-]{0,62})$';
const DIMENSION_RE = new RegExp(DIMENSION_PATTERN);

export function isDimension(text: string): text is Dimension {
  return DIMENSION_RE.test(text);
}

function micro(value: unknown, key: string): bigint {
  if (value === undefined || value === null || value === '') return 0n;
  const text = typeof value === 'number' || typeof value === 'bigint' ? String(value) : String(value);
  try {
    if (!isDecimal(text.trim())) throw new Error('negative or malformed');
    return toMicro(text);
  } catch {
    throw new AppError('validation_failed', `specification.${key}: not a non-negative number`, [
      { field: `specification.${key}`, message: '不是非负数 / not a non-negative number' },
    ]);
  }
}

const times = (a: bigint, b: bigint) => (a * b) / 1_000_000n;

/**
 * The quota a catalogue line takes, per dimension, as decimal strings: cloud-vm takes vcpu, memory_gb and
 * storage_gb (system + data disk); database-server vcpu, memory_gb, storage_gb; load-balancer its
 * bandwidth; every other item `item:<code>` = quantity. `quantity` is the number of instances.
 */
export function dimensionsOfLine(
  item: string | { code: string },
  specification: Record<string, unknown>,
  quantity: string | number | bigint = 1,
): Record<string, string> {
  const code = typeof item === 'string' ? item : item.code;
  const q = micro(quantity, 'quantity');
  const s = (key: string) => times(micro(specification[key], key), q);
  const out: Record<string, bigint> = {};
  switch (code) {
    case 'cloud-vm':
      out.vcpu = s('vcpu');
      out.memory_gb = s('memoryGb');
      out.storage_gb = s('systemDiskGb') + s('dataDiskGb');
      break;
    case 'database-server':
      out.vcpu = s('vcpu');
      out.memory_gb = s('memoryGb');
      out.storage_gb = s('storageGb');
      break;
    case 'load-balancer':
      out.bandwidth_mbps = s('bandwidthMbps');
      break;
    default:
      out[`item:${code}`] = q;
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, fromMicro(v)]));
}

/** What the cloud rules look at in a system. */
export interface CloudFacts {
  name?: string;
  mlpsLevel: number;
  classified: boolean;
  filingStatus?: string;
  commitmentLetterOnFile?: boolean;
}

function refusalParts(system: CloudFacts): { zh: string[]; en: string[] } {
  const zh: string[] = [];
  const en: string[] = [];
  if (system.classified) {
    zh.push('涉密信息系统不得部署在政务云');
    en.push('a classified system may not go on the government cloud');
  }
  if (system.mlpsLevel > 3) {
    zh.push(`等级保护第${system.mlpsLevel}级系统不得部署在政务云（仅限三级及以下）`);
    en.push(`MLPS level ${system.mlpsLevel}: only level 3 or below may go on the government cloud`);
  }
  return { zh, en };
}

/**
 * Why a system may not go on the government cloud (SH 2, 7), "中文 / English" with the article in both
 * halves; null when it may.
 */
export function cloudRefusal(system: CloudFacts): string | null {
  const { zh, en } = refusalParts(system);
  if (zh.length === 0) return null;
  const who = system.name ? `${system.name}: ` : '';
  return `${who}${zh.join('，')}（SH 2、SH 7） / ${who}${en.join('; ')} (SH 2, SH 7)`;
}

/** Refuses (409 cloud_not_permitted, with the reason and article) a classified or above-level-3 system. */
export function assertSystemMayUseCloud(system: CloudFacts): void {
  const refusal = cloudRefusal(system);
  if (refusal) throw new AppError('cloud_not_permitted', refusal);
}

/** What a system still lacks before it may go live on the cloud (SH 30, TZ 11): MLPS filing, commitment letter. */
export function goLiveMissing(system: CloudFacts): string[] {
  const missing: string[] = [];
  if (system.filingStatus !== 'filed') missing.push('mlps_filing');
  if (!system.commitmentLetterOnFile) missing.push('commitment_letter');
  return missing;
}

/**
 * Refuses going live (marking a system on_cloud; the orders module calls it before a formal opening) unless
 * the system may use the cloud at all and has its MLPS filing and security commitment letter on file.
 */
export function assertSystemMayGoLive(system: CloudFacts): void {
  assertSystemMayUseCloud(system);
  const missing = goLiveMissing(system);
  if (missing.length) {
    const zh = missing.map((m) => (m === 'mlps_filing' ? '等级保护备案' : '安全承诺书')).join('、');
    const en = missing.map((m) => (m === 'mlps_filing' ? 'MLPS filing' : 'security commitment letter')).join(', ');
    const who = system.name ? `${system.name}: ` : '';
    throw new AppError(
      'go_live_not_permitted',
      `${who}上线前须完成${zh}（SH 30、TZ 11） / ${who}before go-live the system needs its ${en} (SH 30, TZ 11)`,
    );
  }
}

/** What the review gate needs of a jurisdiction's policy (policy.projects.reviewBeforeApproval). */
export interface ReviewRule {
  value: boolean | null;
  article: string | null;
}

/**
 * JQ-proj 9: a project whose preliminary review did not pass gets no approval (立项), and so no quota and no
 * orders, where the pack says so (`projects.reviewBeforeApproval`). The message names the article; null
 * when the project may go on.
 */
export function reviewRefusal(
  rule: ReviewRule,
  project: { name: string; reviewPassedAt: Date | null },
  what: 'approval' | 'quota' | 'orders',
): string | null {
  if (rule.value !== true || project.reviewPassedAt) return null;
  const zh = { approval: '不予立项', quota: '不得核定配额', orders: '不得申请政务云资源' }[what];
  return `the project ${project.name} has not passed the preliminary review, so it gets no ${what} (${rule.article}) / 项目未经审查或审查不合格，${zh}（${rule.article}）`;
}
