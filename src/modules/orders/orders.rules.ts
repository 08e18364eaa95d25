import { type Amounts, amountsOf, fromMicro, timesRatio, toMicro } from '../../platform/decimal.ts';
import { AppError, invalid } from '../../platform/errors.ts';
import { endOfShanghaiDay } from '../../platform/time/time.ts';
import type { Trx } from '../../schema.ts';
import { countWorkingDays } from '../calendar/index.ts';
import type { EffectivePolicy } from '../policy/index.ts';
import {
  assertSystemMayGoLive,
  assertSystemMayUseCloud,
  getSystem,
  projectQuotaAt,
  reviewRefusal,
  unitProjectsQuotaTotal,
} from '../projects/index.ts';
import { QUOTA_TYPES, STOPPABLE_TYPES, TERM_LIMITS } from './orders.engine.ts';
import * as repo from './orders.repository.ts';
import type { OrderRow } from './orders.table.ts';

// The rules an order is checked against at submission (and again, for the quota, at approval): the pack's
// order types and terms, allocation stops, extensions, projects and systems, and the project quota.

export function refuse(code: 'order_rule_violated' | 'quota_exceeded', detail: string, field?: string): AppError {
  return new AppError(code, detail, field ? [{ field, message: detail }] : undefined);
}

interface QuotaOutcome {
  /** true: the request goes to the pack's quota_overrun step (SH 20) */
  overrun: boolean;
}

/**
 * The project quota and SH 20's overrun band. Within the project's quota: fine. Above it: when the pack's
 * steps for the type have a `quota_overrun` step and the unit's requested total stays within its projects'
 * total times (1 + quota.overrunApprovalAbove), fine (SH 20's tolerance); above that, the order goes to the
 * overrun step. Without such a step (or without a band in the pack), exceeding the project quota is refused.
 */
/**
 * What the projects have committed per dimension: the ledger (reserved + consumed) plus test and trial
 * environments still running after their order (`lingeringTestUsage`): every live resource drawing on them.
 */
async function committedUsage(
  trx: Trx,
  projectIds: readonly string[],
  options: { excludeOrderId?: string },
): Promise<Map<string, bigint>> {
  const used = new Map<string, bigint>();
  for (const u of await repo.usageOf(trx, projectIds, options)) {
    used.set(u.dimension, toMicro(u.reserved) + toMicro(u.consumed));
  }
  for (const [dim, amount] of await repo.lingeringTestUsage(trx, projectIds)) {
    used.set(dim, (used.get(dim) ?? 0n) + toMicro(amount));
  }
  return used;
}

export async function checkQuota(
  trx: Trx,
  policy: EffectivePolicy,
  order: OrderRow,
  request: Amounts,
  hasOverrunStep: boolean,
  now: Date,
  options: { excludeOrderId?: string } = {},
): Promise<QuotaOutcome> {
  const projectId = order.project_id as string;
  const quota = amountsOf(await projectQuotaAt(trx, projectId, now));
  const used = await committedUsage(trx, [projectId], options);
  const over: string[] = [];
  for (const [dim, amount] of request) {
    if (amount <= 0n) continue;
    const limit = quota.get(dim) ?? 0n;
    const after = (used.get(dim) ?? 0n) + amount;
    if (after > limit) {
      over.push(
        `${dim}: quota ${fromMicro(limit)}, in use or reserved ${fromMicro(used.get(dim) ?? 0n)}, requested ${fromMicro(amount)} / ${dim} 配额 ${fromMicro(limit)}，已用及预留 ${fromMicro(used.get(dim) ?? 0n)}，本次申请 ${fromMicro(amount)}`,
      );
    }
  }
  if (!over.length) return { overrun: false };
  const band = policy.quota.overrunApprovalAbove;
  const quotaArticle = policy.projects.cloudNeedsDeclaredAtApproval.article ?? band.article;
  if (!hasOverrunStep || band.value === null) {
    throw refuse(
      'quota_exceeded',
      `the project quota would be exceeded / 超出项目配额 (${[quotaArticle, band.article].filter(Boolean).join(', ')}): ${over.join('; ')}`,
    );
  }
  // SH 20: the unit's requested total against its projects' total quota.
  const total = amountsOf(await unitProjectsQuotaTotal(trx, order.organisation_id, now));
  const projects = await repo.approvedProjectIdsOf(trx, order.organisation_id);
  const unitUsed = await committedUsage(trx, projects, options);
  const ratio = fromMicro(toMicro('1') + toMicro(band.value));
  for (const [dim, amount] of request) {
    if (amount <= 0n) continue;
    const allowed = timesRatio(total.get(dim) ?? 0n, ratio);
    if ((unitUsed.get(dim) ?? 0n) + amount > allowed) return { overrun: true };
  }
  return { overrun: false };
}

/** The rules that need no lock: type provided, allocations not stopped, terms, extension lead time. */
export async function preChecks(
  trx: Trx,
  policy: EffectivePolicy,
  jurisdictionCode: string,
  order: OrderRow,
  now: Date,
): Promise<void> {
  const type = order.type;
  const spec = policy.orderTypes[type];
  if (!spec.enabled.value) {
    const why = [spec.enabled.note, spec.enabled.article].filter(Boolean).join(' ');
    throw new AppError(
      'order_type_not_provided',
      `${type}: the policy pack ${policy.id} provides no such order / 本辖区政策未规定此类申请${why ? `: ${why}` : ''}`,
      [{ field: 'body.type', message: why || type }],
    );
  }
  if (STOPPABLE_TYPES.includes(type) && (await repo.activeStop(trx, order.organisation_id))) {
    const stop = await repo.activeStop(trx, order.organisation_id);
    throw new AppError(
      'allocation_stopped',
      `allocations to this unit are stopped / 已暂停向该单位分配资源: ${stop?.reason}${stop?.reference ? ` (${stop.reference})` : ''}`,
    );
  }
  const termKey = TERM_LIMITS[type as keyof typeof TERM_LIMITS];
  if (termKey) {
    const max = policy.quota[termKey];
    if (order.term_months === null)
      throw invalid('body.termMonths', `${type} resources need a term in months / 须填写使用期限`);
    if (max.value !== null && order.term_months > max.value) {
      throw refuse(
        'order_rule_violated',
        `${type} resources: at most ${max.value} months, asked ${order.term_months} (${max.article}) / 使用期限不超过${max.value}个月`,
        'body.termMonths',
      );
    }
  }
  if (type === 'extension') await checkExtension(trx, policy, jurisdictionCode, order, now);
}

/**
 * The project quota rules (development share, project quota, SH 20 band). With `lock`, under a row lock
 * on the project (every placement against one project queues there until the one before it commits):
 * authoritative. Without, on what is committed: a refusal is already certain then (usage only grows
 * under the lock), and the overrun answer is an estimate the locked check confirms.
 */
export async function quotaChecks(
  trx: Trx,
  policy: EffectivePolicy,
  order: OrderRow,
  request: Amounts,
  now: Date,
  lock: boolean,
  /** without the lock: the project as the caller read it a moment ago in this transaction */
  known?: ProjectFacts,
): Promise<boolean> {
  const type = order.type;
  const spec = policy.orderTypes[type];
  const hasOverrunStep = spec.steps.some((s) => s.when === 'quota_overrun');
  let overrun = false;
  if (consumesQuota(type, request) && order.project_id) {
    const project = lock
      ? await repo.lockProject(trx, order.project_id)
      : known?.id === order.project_id
        ? known
        : await repo.findProject(trx, order.project_id);
    if (!project || project.organisation_id !== order.organisation_id) {
      throw invalid('body.projectId', 'no such project of this unit / 项目不存在');
    }
    if (project.status !== 'approved')
      throw invalid('body.projectId', `the project is ${project.status}, not approved / 项目未批复`);
    if (type === 'development') {
      const share = policy.quota.developmentShareMax;
      if (share.value !== null) {
        const quota = amountsOf(await projectQuotaAt(trx, order.project_id, now));
        const dev = await repo.usageOf(trx, [order.project_id], { types: ['development'] });
        const devUsed = new Map(dev.map((u) => [u.dimension, toMicro(u.reserved) + toMicro(u.consumed)]));
        for (const [dim, amount] of request) {
          const cap = timesRatio(quota.get(dim) ?? 0n, share.value);
          if ((devUsed.get(dim) ?? 0n) + amount > cap) {
            throw refuse(
              'order_rule_violated',
              `development resources: at most ${share.value} of the project quota; ${dim}: cap ${fromMicro(cap)}, development in use or reserved ${fromMicro(devUsed.get(dim) ?? 0n)}, requested ${fromMicro(amount)} (${share.article}) / 开发资源不超过项目配额的${share.value}`,
              'body.lines',
            );
          }
        }
      }
    }
    overrun = (await checkQuota(trx, policy, order, request, hasOverrunStep, now)).overrun;
  }
  return overrun;
}

async function checkExtension(
  trx: Trx,
  policy: EffectivePolicy,
  jurisdictionCode: string,
  order: OrderRow,
  now: Date,
): Promise<void> {
  if (!order.parent_order_id)
    throw invalid('body.parentOrderId', 'an extension names the order it extends / 须指明延期的订单');
  const parent = await repo.findOrder(trx, order.parent_order_id);
  if (!parent || parent.organisation_id !== order.organisation_id) {
    throw invalid('body.parentOrderId', 'no such order of this unit / 订单不存在');
  }
  if (parent.type === 'development') {
    throw refuse(
      'order_rule_violated',
      `development resources cannot be extended (${policy.quota.developmentMonthsMax.article}) / 开发资源不得延期`,
      'body.parentOrderId',
    );
  }
  const lead =
    parent.type === 'emergency'
      ? policy.quota.emergencyExtensionLeadWorkingDays
      : parent.type === 'temporary'
        ? policy.quota.temporaryExtensionLeadWorkingDays
        : null;
  if (!lead || parent.status !== 'completed' || !parent.expires_on) {
    throw invalid(
      'body.parentOrderId',
      'only allocated emergency or temporary resources can be extended / 仅可延期已配置的应急或临时资源',
    );
  }
  const termKey = TERM_LIMITS[parent.type as keyof typeof TERM_LIMITS];
  const max = policy.quota[termKey];
  if (order.term_months === null)
    throw invalid('body.termMonths', 'an extension needs a term in months / 须填写延期月数');
  if (max.value !== null && order.term_months > max.value) {
    throw refuse('order_rule_violated', `at most ${max.value} months (${max.article})`, 'body.termMonths');
  }
  if (lead.value !== null) {
    const left = await countWorkingDays(trx, jurisdictionCode, now, endOfShanghaiDay(parent.expires_on));
    if (left.workingDays < lead.value) {
      throw refuse(
        'order_rule_violated',
        `an extension must be filed at least ${lead.value} working days before expiry (${parent.expires_on}); ${left.workingDays} left (${lead.article}) / 延期须至少提前${lead.value}个工作日申请`,
        'body.parentOrderId',
      );
    }
  }
}

// ---------------------------------------------------------------------- projects and systems (SH 18-24)

/** Whether the order takes project quota: the QUOTA_TYPES; a change only when it grows something. */
export function consumesQuota(type: OrderRow['type'], request: Amounts): boolean {
  if (!QUOTA_TYPES.includes(type)) return false;
  if (type === 'change') return [...request.values()].some((a) => a > 0n);
  return true;
}

const cites = (...articles: (string | null | undefined)[]) =>
  [...new Set(articles.filter((a): a is string => !!a))].join(', ');

/** The Internet-facing zone (互联网区) and WEB servers: what development resources may never be (SH 22). */
const servesThePublic = (spec: Record<string, unknown>): string | null => {
  const zone = typeof spec.networkZone === 'string' ? spec.networkZone : '';
  if (/互联网|internet/i.test(zone)) return `networkZone ${zone}`;
  if (typeof spec.serverType === 'string' && spec.serverType.toUpperCase() === 'WEB') return 'serverType WEB';
  return null;
};

/**
 * SH 18-24, JQ-proj 9. An order that takes quota names an approved project (立项) and an information system of
 * the ordering unit; a temporary order (SH 24) names a project declared but not yet approved, with its basis
 * (a key task of the year, or a special meeting's decision) and reason. A pack may waive the project only by
 * saying so with its article (`projects.ordersWithoutProject`). The system must be allowed on the cloud (SH 2,
 * 7) on every path; development resources never serve the public (SH 22). `lines` are the order's lines.
 */
export async function checkProjectAndSystem(
  trx: Trx,
  policy: EffectivePolicy,
  order: OrderRow,
  request: Amounts,
  lines: readonly { specification: Record<string, unknown> }[],
  /** the order's system, when the caller has just read it in this transaction */
  known?: Awaited<ReturnType<typeof getSystem>>,
): Promise<ProjectFacts | undefined> {
  const type = order.type;
  const spec = policy.orderTypes[type];
  const temporary = type === 'temporary';
  const required = consumesQuota(type, request) || temporary;
  const waiver = policy.projects.ordersWithoutProject;
  const waived = waiver?.value === true && !!waiver.article;
  const articles = cites(policy.projects.cloudNeedsDeclaredAtApproval.article, spec.enabled.article);
  if (required && !order.project_id && !waived) {
    throw refuse(
      'order_rule_violated',
      temporary
        ? `a temporary order names the project declared for approval (${articles}) / 临时资源须指明已申报立项的项目`
        : `${type} takes quota: it names an approved project (${articles}) / 占用配额的申请须指明已批复立项的项目`,
      'body.projectId',
    );
  }
  let project: ProjectFacts | undefined;
  if (order.project_id && (required || order.type !== 'reclaim')) {
    project = await repo.findProject(trx, order.project_id);
    if (!project || project.organisation_id !== order.organisation_id) {
      throw invalid('body.projectId', 'no such project of this unit / 项目不存在');
    }
    if (temporary) {
      if (!['declared', 'under_review'].includes(project.status)) {
        throw refuse(
          'order_rule_violated',
          `temporary resources are for a project declared but not yet approved; ${project.name} is ${project.status} (${spec.enabled.article}) / 临时资源仅限已申报、尚未批复立项的项目`,
          'body.projectId',
        );
      }
      if (!order.temporary_basis) {
        throw refuse(
          'order_rule_violated',
          `a temporary order says why: a key task of the year or a special meeting's decision (${spec.enabled.article}) / 须说明属年度重点任务或专题会议决定`,
          'body.temporaryBasis',
        );
      }
      if (!order.reason?.trim()) {
        throw refuse(
          'order_rule_violated',
          `a temporary order gives its reason (${spec.enabled.article}) / 须填写申请理由`,
          'body.reason',
        );
      }
    } else if (required) {
      // JQ-proj 9 first: a project that skipped the preliminary review names that article, whatever its status.
      const unreviewed = reviewRefusal(
        policy.projects.reviewBeforeApproval,
        { name: project.name, reviewPassedAt: project.review_passed_at },
        'orders',
      );
      if (unreviewed) throw refuse('order_rule_violated', unreviewed, 'body.projectId');
      if (project.status !== 'approved') {
        throw refuse(
          'order_rule_violated',
          `the project ${project.name} is ${project.status}, not approved (${articles}) / 项目尚未批复立项`,
          'body.projectId',
        );
      }
    }
  }
  if (required && !order.system_id && !(waived && !order.project_id)) {
    throw refuse(
      'order_rule_violated',
      `${type} names the information system of the unit it serves (${articles}) / 须指明本单位的信息系统`,
      'body.systemId',
    );
  }
  let systemZone: string | null = null;
  if (order.system_id) {
    const system = known?.id === order.system_id ? known : await getSystem(trx, order.system_id);
    if (!system || system.organisationId !== order.organisation_id) {
      throw invalid('body.systemId', 'no such information system of this unit / 信息系统不存在');
    }
    assertSystemMayUseCloud(system);
    // Emergency and temporary resources serve the system as soon as they are allocated: its go-live
    // conditions (MLPS filing, commitment letter; SH 30, TZ 11) hold before they are asked for.
    if (type === 'emergency' || type === 'temporary') assertSystemMayGoLive(system);
    systemZone = system.networkZone;
  }
  if (type === 'development') {
    const article = cites(policy.quota.developmentShareMax.article, spec.enabled.article);
    const publicFacing = [
      ...(systemZone ? [servesThePublic({ networkZone: systemZone })] : []),
      ...lines.map((l) => servesThePublic(l.specification)),
    ].find((x) => x !== null);
    if (publicFacing) {
      throw refuse(
        'order_rule_violated',
        `development resources never serve the public: ${publicFacing} (${article}) / 开发资源不得对外提供服务（不得部署于互联网区或用作WEB服务器）`,
        'body.lines',
      );
    }
  }
  return project;
}

// ------------------------------------------------------------------------- the catalogue item in force

type ProjectFacts = NonNullable<Awaited<ReturnType<typeof repo.findProject>>>;

export interface SpecAttributeRule {
  key: string;
  type: 'integer' | 'string' | 'enum' | 'boolean';
  min?: number;
  max?: number;
  options?: string[];
  required: boolean;
  unit?: string;
}

/**
 * A line against its catalogue item in force: required attributes given, integers whole and within the
 * item's minimum and maximum, choices among the item's options (its allowed operating systems). `field`
 * names the line's specification ('body.lines.0.specification').
 */
export function checkSpecification(
  item: { code: string; specification: readonly SpecAttributeRule[] },
  specification: Record<string, unknown>,
  field: string,
  catalogueVersion: number,
): void {
  const where = `${item.code}, catalogue version ${catalogueVersion}`;
  for (const attr of item.specification) {
    const value = specification[attr.key];
    const f = `${field}.${attr.key}`;
    if (value === undefined || value === null || value === '') {
      if (attr.required) throw invalid(f, `is required (${where}) / 必填`);
      continue;
    }
    if (attr.type === 'integer') {
      const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
      if (!Number.isInteger(n)) throw invalid(f, `must be a whole number (${where}) / 须为整数`);
      const unit = attr.unit ? ` ${attr.unit}` : '';
      if (attr.min !== undefined && n < attr.min)
        throw invalid(f, `at least ${attr.min}${unit} (${where}) / 不小于${attr.min}${unit}`);
      if (attr.max !== undefined && n > attr.max)
        throw invalid(f, `at most ${attr.max}${unit} (${where}) / 不大于${attr.max}${unit}`);
    } else if (attr.type === 'enum') {
      if (!attr.options?.includes(String(value))) {
        throw invalid(
          f,
          `"${String(value)}" is not offered: ${attr.options?.join(', ')} (${where}) / 服务目录未提供该选项`,
        );
      }
    } else if (attr.type === 'boolean' && typeof value !== 'boolean') {
      throw invalid(f, `must be true or false (${where}) / 须为是或否`);
    }
  }
}
