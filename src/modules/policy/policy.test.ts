import { describe, expect, it } from 'vitest';
import { ROLES } from '../identity/index.ts';
import { PACK_IDS, PACKS } from './packs/index.ts';
import {
  applyOverrides,
  InvalidPackError,
  loadPacks,
  overrideValueIssues,
  packIssues,
  resolveOverridePath,
  validatePack,
} from './policy.pack.ts';
import { ORDER_TYPES, type PolicyPack } from './policy.schemas.ts';

const pack = (id: string): PolicyPack => {
  const p = PACKS.get(id);
  if (!p) throw new Error(`no pack ${id}`);
  return p;
};
const step = (p: PolicyPack, type: (typeof ORDER_TYPES)[number], id: string) => {
  const s = p.orderTypes[type].steps.find((x) => x.id === id);
  if (!s) throw new Error(`${p.id}: no step ${type}.${id}`);
  return s;
};
/** A deadline as a short string: '5 working_days SH 19', or 'none SH 22' when the regulation sets none. */
const due = (p: PolicyPack, type: (typeof ORDER_TYPES)[number], id: string) => {
  const d = step(p, type, id).deadline;
  return `${d.value === null ? 'none' : `${d.value} ${d.unit}`} ${d.article}`;
};
const cited = (c: { value: unknown; article: string | null }) => [c.value, c.article];
const roles = (p: PolicyPack, type: (typeof ORDER_TYPES)[number]) => p.orderTypes[type].steps.map((s) => s.role);
const enabled = (p: PolicyPack) => ORDER_TYPES.filter((t) => p.orderTypes[t].enabled.value);
const mutable = (id: string) => structuredClone(pack(id)) as unknown as Record<string, any>;

describe('the five packs', () => {
  it('load and validate: shanghai-2022 (default), liuzhou, taizhou-2018, jiuquan-2018, ningbo-2014', () => {
    expect([...PACKS.keys()]).toEqual(['shanghai-2022', 'liuzhou', 'taizhou-2018', 'jiuquan-2018', 'ningbo-2014']);
    for (const p of PACKS.values()) {
      expect(packIssues(p)).toEqual([]);
      expect(p.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(Object.keys(p.orderTypes).sort()).toEqual([...ORDER_TYPES].sort());
      for (const t of ORDER_TYPES) for (const s of p.orderTypes[t].steps) expect(Object.keys(ROLES)).toContain(s.role);
    }
  });

  it('are frozen: nothing at run time can change a pack', () => {
    const p = pack('shanghai-2022') as unknown as { quota: { developmentShareMax: { value: string } } };
    expect(() => {
      p.quota.developmentShareMax.value = '0.5';
    }).toThrow(TypeError);
  });

  it('shanghai-2022 matches SH 19-27: 5 W test review, 1 month verification, 2 W opening, 5+5 W scale-up, 10 W reclaim, 15%/3 months dev, 20% overrun, 3/6 months emergency/temporary, 15 W extension lead', () => {
    const sh = pack('shanghai-2022');
    expect(sh.title).toBe('上海市政务云管理暂行办法');
    // SH 35: 本办法自2022年5月1日起实施
    expect(sh.effective).toMatchObject({ from: '2022-05-01', article: 'SH 35' });
    // SH 19: 在五个工作日内完成审核并开通政务云测试资源 … 原则上在一个月内完成政务云测试资源的验证工作 …
    // 在收到使用单位通知后两个工作日内正式开通相关政务云资源
    expect(due(sh, 'new_resources', 'test_review')).toBe('5 working_days SH 19');
    expect(due(sh, 'new_resources', 'unit_verification')).toBe('1 months SH 19');
    expect(due(sh, 'new_resources', 'formal_opening')).toBe('2 working_days SH 19');
    expect(roles(sh, 'new_resources')).toEqual(['ops_reviewer', 'unit_applicant', 'ops_reviewer']);
    // SH 20: 在五个工作日内完成审核。审核通过的，…在五个工作日内完成政务云资源扩容。
    // 申请政务云资源总量超出本单位项目总配额20%的，应当向市经济信息化主管部门提交申请
    expect(due(sh, 'scale_up', 'review')).toBe('5 working_days SH 20');
    expect(due(sh, 'scale_up', 'scale_up')).toBe('5 working_days SH 20');
    expect(step(sh, 'scale_up', 'overrun_approval')).toMatchObject({
      role: 'economy_it_approver',
      when: 'quota_overrun',
    });
    expect(due(sh, 'scale_up', 'overrun_approval')).toBe('none SH 20');
    expect(cited(sh.quota.overrunApprovalAbove)).toEqual(['0.20', 'SH 20']);
    // SH 21: 政务云运行管理单位应当在十个工作日内完成审核并回收
    expect(due(sh, 'reclaim', 'review_and_reclaim')).toBe('10 working_days SH 21');
    // SH 21: 开发资源、应急资源、临时资源…到期的，…应当提前通知使用单位 (ahead, but no number)
    expect(cited(sh.quota.expiryNoticeWorkingDays)).toEqual([null, 'SH 21']);
    // SH 22: 开发资源配额原则上不超过项目配额的15%。…使用期限自资源配置之日起不超过三个月
    expect(cited(sh.quota.developmentShareMax)).toEqual(['0.15', 'SH 22']);
    expect(cited(sh.quota.developmentMonthsMax)).toEqual([3, 'SH 22']);
    // SH 23: 应急资源使用期限自资源配置之日起不超过三个月。需要延期的，使用单位应当至少提前十五个工作日…提交申请
    expect(cited(sh.quota.emergencyMonthsMax)).toEqual([3, 'SH 23']);
    expect(cited(sh.quota.emergencyExtensionLeadWorkingDays)).toEqual([15, 'SH 23']);
    expect(roles(sh, 'emergency')[0]).toBe('economy_it_approver');
    // SH 24: 政务云临时资源使用期限自资源配置之日起不超过六个月。需要延期的，…至少提前十五个工作日
    expect(cited(sh.quota.temporaryMonthsMax)).toEqual([6, 'SH 24']);
    expect(cited(sh.quota.temporaryExtensionLeadWorkingDays)).toEqual([15, 'SH 24']);
    // SH 25: 使用率长期较低 / 僵尸系统长期占用 — named, but no threshold
    expect(cited(sh.monitoring.agentRequired)).toEqual([true, 'SH 25']);
    expect(cited(sh.monitoring.lowUtilisationPercent)).toEqual([null, 'SH 25']);
    expect(cited(sh.monitoring.zombieIdleDays)).toEqual([null, 'SH 25']);
    // SH 26: 在政务云资源扩容、回收和开发资源、应急资源、临时资源到期前，做好数据备份迁移工作
    for (const t of ['scale_up', 'reclaim', 'development', 'emergency', 'temporary'] as const) {
      expect(cited(sh.orderTypes[t].dataBackupFirst ?? { value: 'missing', article: null })).toEqual([true, 'SH 26']);
    }
    // SH 27: 先用后付，按实结算 … 效能评估结果核算服务费用，报市经济信息化主管部门核定
    expect(cited(sh.settlement.payAfterUse)).toEqual([true, 'SH 27']);
    expect(cited(sh.settlement.confirmedBy)).toEqual(['economy_it_approver', 'SH 27']);
    // SH has no general change procedure, no backup extraction, no green channel
    expect(enabled(sh)).toEqual([
      'new_resources',
      'scale_up',
      'reclaim',
      'development',
      'emergency',
      'temporary',
      'extension',
    ]);
    // …and no log retention period
    expect(cited(sh.retention.systemOperationLogMonthsMin)).toEqual([null, null]);
  });

  it('liuzhou matches LZ 21 (7 W evaluation, 5 W approval, 2 W trial environment, 15-30 C trial, 3+3 W change, 5+3 W termination), LZ 23 (logs 6 months) and LZ 13-15 (legacy data centres)', () => {
    const lz = pack('liuzhou');
    expect(lz.title).toBe('柳州市政务云管理实施细则');
    expect(lz.effective.from).toBeNull(); // the text carries no date
    // LZ 21(2): 应在7个工作日内提出云资源使用需求的评估意见
    expect(due(lz, 'new_resources', 'evaluation')).toBe('7 working_days LZ 21(2)');
    // LZ 21(3): 市大数据发展局应在5个工作日完成云资源使用审批
    expect(due(lz, 'new_resources', 'approval')).toBe('5 working_days LZ 21(3)');
    // LZ 21(4): 应在2个工作日内提供试用环境，试用时间原则上为15—30个自然日
    expect(due(lz, 'new_resources', 'trial_environment')).toBe('2 working_days LZ 21(4)');
    expect(due(lz, 'new_resources', 'trial')).toBe('30 calendar_days LZ 21(4)');
    expect(cited(lz.trial.minCalendarDays)).toEqual([15, 'LZ 21(4)']);
    // LZ 21(5): 开通 — sized to normal need, no deadline
    expect(due(lz, 'new_resources', 'opening')).toBe('none LZ 21(5)');
    expect(roles(lz, 'new_resources')).toEqual([
      'ops_reviewer',
      'authority_approver',
      'ops_reviewer',
      'unit_applicant',
      'ops_reviewer',
    ]);
    // LZ 21(6): 市大数据发展局应在3个工作日内完成变更审批。审批通过后，市信息化建设管理中心应在3个工作日内完成变更
    for (const t of ['change', 'scale_up'] as const) {
      expect(due(lz, t, 'evaluation')).toBe('none LZ 21(6)');
      expect(due(lz, t, 'approval')).toBe('3 working_days LZ 21(6)');
      expect(due(lz, t, 'change')).toBe('3 working_days LZ 21(6)');
    }
    // LZ 21(7): 应在5个工作日内完成终止审批。审批通过后，…应在3个工作日内回收资源
    expect(due(lz, 'reclaim', 'approval')).toBe('5 working_days LZ 21(7)');
    expect(due(lz, 'reclaim', 'reclaim')).toBe('3 working_days LZ 21(7)');
    expect(cited(lz.orderTypes.reclaim.dataBackupFirst ?? { value: null, article: null })).toEqual([true, 'LZ 21(7)']);
    // LZ 23: 信息系统运行和操作日志信息至少保存6个月以上
    expect(cited(lz.retention.systemOperationLogMonthsMin)).toEqual([6, 'LZ 23']);
    // LZ 13(3): 面积不小于40平方米，可用机架数不少于6个; LZ 13(4): 不少于2人的专职运维团队
    expect(cited(lz.legacyDataCentre.areaSquareMetresMin)).toEqual([40, 'LZ 13(3)']);
    expect(cited(lz.legacyDataCentre.racksMin)).toEqual([6, 'LZ 13(3)']);
    expect(cited(lz.legacyDataCentre.operatorsMin)).toEqual([2, 'LZ 13(4)']);
    // LZ 14(3)/(4): 应在15个工作日内提出评估意见 … 应在5个工作日内完成认定审批 … 保留期限为2年
    expect(cited(lz.legacyDataCentre.evaluationWorkingDays)).toEqual([15, 'LZ 14(3)']);
    expect(cited(lz.legacyDataCentre.approvalWorkingDays)).toEqual([5, 'LZ 14(4)']);
    expect(cited(lz.legacyDataCentre.retentionYears)).toEqual([2, 'LZ 14(4)']);
    expect(cited(lz.legacyDataCentre.migrationAfterRetentionYears)).toEqual([1, 'LZ 14(5)']);
    // LZ 15: 现有机架数少于5（含）个的，迁移过渡期为1年; 其他…迁移过渡期为2年
    expect(cited(lz.legacyDataCentre.smallRacksMax)).toEqual([5, 'LZ 15(1)']);
    expect(cited(lz.legacyDataCentre.transitionYearsSmall)).toEqual([1, 'LZ 15(1)']);
    expect(cited(lz.legacyDataCentre.transitionYearsLarge)).toEqual([2, 'LZ 15(2)']);
    // LZ 13(1)-(5): 外网与IPv6; GB/T33780-2017 与市级云平台对接; B类; 7×24小时; 第三级…云计算安全扩展要求，并通过测评
    expect(cited(lz.legacyDataCentre.extranetIpv6Required)).toEqual([true, 'LZ 13(1)']);
    expect(cited(lz.legacyDataCentre.cloudPlatformConformanceRequired)).toEqual([true, 'LZ 13(2)']);
    expect(cited(lz.legacyDataCentre.classBRequired)).toEqual([true, 'LZ 13(3)']);
    expect(cited(lz.legacyDataCentre.service7x24Required)).toEqual([true, 'LZ 13(4)']);
    expect(cited(lz.legacyDataCentre.mlpsLevelMin)).toEqual([3, 'LZ 13(5)']);
    expect(cited(lz.legacyDataCentre.mlpsCloudExtensionRequired)).toEqual([true, 'LZ 13(5)']);
    // LZ 17: 经…组织评估后 (no period), 应在5个工作日内完成认定审批…保留期限为2年; LZ 19: 不得…延长租用合约期
    expect(cited(lz.legacyDataCentre.sensitiveEvaluationWorkingDays)).toEqual([null, 'LZ 17']);
    expect(cited(lz.legacyDataCentre.sensitiveApprovalWorkingDays)).toEqual([5, 'LZ 17']);
    expect(cited(lz.legacyDataCentre.sensitiveRetentionYears)).toEqual([2, 'LZ 17']);
    expect(cited(lz.legacyDataCentre.rentedMigrateWithinLease)).toEqual([true, 'LZ 19']);
    // no quotas, no development/emergency/temporary resources
    expect(cited(lz.quota.developmentShareMax)).toEqual([null, null]);
    expect(enabled(lz)).toEqual(['new_resources', 'scale_up', 'change', 'reclaim']);
  });

  it('taizhou-2018 matches TZ 10 (2 W approval, 2 W fulfilment), TZ 12 (5-minute response, 5x8 on site, 7x24 hotline, weekly/monthly reports, same-day incident report) and TZ 17', () => {
    const tz = pack('taizhou-2018');
    expect(tz.title).toBe('泰州市政务云平台管理办法');
    // TZ 21: 本办法自2018年5月1日起施行
    expect(tz.effective).toMatchObject({ from: '2018-05-01', article: 'TZ 21' });
    // TZ 10: 市电子政务中心在两个工作日内对云平台使用申请进行审批，审批合格后，云服务提供商在两个工作日内完成业务办理
    expect(due(tz, 'new_resources', 'approval')).toBe('2 working_days TZ 10');
    expect(due(tz, 'new_resources', 'fulfilment')).toBe('2 working_days TZ 10');
    expect(roles(tz, 'new_resources')).toEqual(['authority_approver', 'provider_operator']);
    // TZ 8 names 变更 and 终止, with no deadline
    expect(due(tz, 'change', 'approval')).toBe('none TZ 8');
    expect(due(tz, 'reclaim', 'fulfilment')).toBe('none TZ 8');
    // TZ 12(2): 提供5*8小时的驻场维护服务，提供7*24小时的专用电话服务 … 服务响应时间不超过5分钟
    expect(cited(tz.provider.responseMinutesMax)).toEqual([5, 'TZ 12(2)']);
    expect([tz.provider.onSiteDaysPerWeek.value, tz.provider.onSiteHoursPerDay.value]).toEqual([5, 8]);
    expect([tz.provider.hotlineDaysPerWeek.value, tz.provider.hotlineHoursPerDay.value]).toEqual([7, 24]);
    // TZ 12(1): 每周和每月向市电子政务中心提供云资源利用情况表; TZ 12(5): 月度分析报告 … 当天提交相关事件报告
    expect(cited(tz.monitoring.utilisationReportWeekly)).toEqual([true, 'TZ 12(1)']);
    expect(cited(tz.monitoring.utilisationReportMonthly)).toEqual([true, 'TZ 12(1)']);
    expect(cited(tz.monitoring.analysisReportMonthly)).toEqual([true, 'TZ 12(5)']);
    expect(cited(tz.monitoring.majorIncidentReportCalendarDays)).toEqual([0, 'TZ 12(5)']);
    // TZ 17: 每月发布安全公告，每年开展应急演练一次
    expect(cited(tz.provider.securityBulletinMonthly)).toEqual([true, 'TZ 17']);
    expect(cited(tz.provider.emergencyDrillsPerYear)).toEqual([1, 'TZ 17']);
    // TZ 7(2): 日志记录及审计服务 — kept, but for no stated period
    expect(cited(tz.retention.providerKeepsUsageLogs)).toEqual([true, 'TZ 7(2)']);
    expect(cited(tz.retention.systemOperationLogMonthsMin)).toEqual([null, 'TZ 7(2)']);
    expect(enabled(tz)).toEqual(['new_resources', 'scale_up', 'change', 'reclaim']);
  });

  it('jiuquan-2018 matches JQ 10 and 19 (no deadlines), JQ 13 (2 W planned interruption notice), JQ 11 (365x24), JQ 24 (green channel) and JQ-proj 7, 12, 16', () => {
    const jq = pack('jiuquan-2018');
    expect(jq.documentStatus).toBe('draft_for_comment');
    expect(jq.sources.map((s) => s.prefix)).toEqual(['JQ', 'JQ-proj']);
    // JQ 10(1): 市大数据管理局审核后反馈使用单位和云服务商，云服务商根据《申请表》准备好相应的政务云平台资源 (no deadline)
    expect(due(jq, 'new_resources', 'review')).toBe('none JQ 10(1)');
    expect(due(jq, 'new_resources', 'provisioning')).toBe('none JQ 10(1)');
    expect(roles(jq, 'new_resources')).toEqual([
      'authority_approver',
      'provider_operator',
      'unit_applicant',
      'provider_operator',
    ]);
    // JQ 10(2): 使用单位不再使用政务云服务时，须做好应用系统下线和数据迁移备份工作
    expect(cited(jq.orderTypes.reclaim.dataBackupFirst ?? { value: null, article: null })).toEqual([true, 'JQ 10(2)']);
    // JQ 13: 云服务商应至少提前2个工作日向市大数据管理局提交申请
    expect(cited(jq.provider.plannedInterruptionLeadWorkingDays)).toEqual([2, 'JQ 13']);
    // JQ 11: 确保全年365天×24小时安全运转
    expect(cited(jq.provider.continuousOperation)).toEqual([true, 'JQ 11']);
    // JQ 19: 如需提取数据备份应向市大数据管理局提出审批申请
    expect(due(jq, 'backup_extraction', 'approval')).toBe('none JQ 19');
    // JQ 24: 市政务云启动绿色应急通道，在第一时间安排该任务入驻
    expect(due(jq, 'green_channel', 'placement')).toBe('none JQ 24');
    // JQ-proj 7(1): 于每年9月组织开展下年度…项目的申报工作; JQ-proj 12: 投资超出概算10%以上，须报市大数据管理局批准;
    // JQ-proj 16: 保修期…不得少于三年
    expect(cited(jq.projects.declarationMonth)).toEqual([9, 'JQ-proj 7(1)']);
    expect(cited(jq.projects.investmentOverrunApprovalThreshold)).toEqual(['0.10', 'JQ-proj 12']);
    expect(cited(jq.projects.warrantyYearsMin)).toEqual([3, 'JQ-proj 16']);
    expect(enabled(jq)).toEqual([
      'new_resources',
      'scale_up',
      'change',
      'reclaim',
      'backup_extraction',
      'green_channel',
    ]);
    // every step of every order type: no statutory deadline anywhere in JQ
    for (const t of ORDER_TYPES) for (const s of jq.orderTypes[t].steps) expect(s.deadline.value).toBeNull();
  });

  it('ningbo-2014 matches NB 17-18 (resources without new investment, confirmed by the management office, no deadline) and NB 21', () => {
    const nb = pack('ningbo-2014');
    expect(nb.title).toBe('宁波市政务云计算中心管理办法');
    // NB 21: 本办法自公布之日起实行 (published 2014-05-30)
    expect(nb.effective).toMatchObject({ from: '2014-05-30', article: 'NB 21' });
    // NB 18: 由项目单位向市政务云计算中心（大数据）管理办公室提出申请，经技术、安全、管理等方面确认后，由云中心提供保障
    expect(due(nb, 'new_resources', 'confirmation')).toBe('none NB 18');
    expect(due(nb, 'new_resources', 'provision')).toBe('none NB 18');
    // NB 17: 在项目可行性研究报告或实施方案中明确“项目基于政务云计算中心开发部署方案”
    expect(cited(nb.projects.cloudNeedsDeclaredAtApproval)).toEqual([true, 'NB 17']);
    // reclaim: NB has no procedure; the platform lets a unit release what it no longer needs (issue 14)
    expect(enabled(nb)).toEqual(['new_resources', 'scale_up', 'reclaim']);
    // NB gives no number at all: every deadline and every numeric rule is null
    for (const t of ORDER_TYPES) for (const s of nb.orderTypes[t].steps) expect(s.deadline.value).toBeNull();
    for (const section of [nb.quota, nb.trial, nb.monitoring, nb.retention, nb.provider, nb.legacyDataCentre]) {
      for (const v of Object.values(section)) expect(typeof v.value === 'number').toBe(false);
    }
  });

  it('the project lifecycle (issue 19) in every pack: JQ-proj 7-17 and NB 17 cited, the others silent or unstated', () => {
    const lifecycle = (id: string) => {
      const p = pack(id).projects;
      return {
        review: cited(p.reviewBeforeApproval),
        role: cited(p.approvalRole),
        fitsPlan: cited(p.reviewAsksFitsPlan),
        onCloud: cited(p.reviewAsksOnCloud),
        sharing: cited(p.reviewAsksDataSharing),
        sharingPlan: cited(p.dataSharingPlanRequired),
        urgent: cited(p.urgentPath),
        inclusive: cited(p.investmentOverrunInclusive),
        acceptance: cited(p.acceptanceBeforeUse),
        evaluation: cited(p.postGoLiveEvaluation),
      };
    };
    // JQ-proj 9 未经审查…不予立项; 7(4) 由市发改委批复立项; 7(2) the three questions; 7(1) 数据支持和需求情况;
    // 8 the urgent path; 12 以上 includes the number; 15 未经验收…不得交付使用; 17 绩效评估
    expect(lifecycle('jiuquan-2018')).toEqual({
      review: [true, 'JQ-proj 9'],
      role: ['economy_it_approver', 'JQ-proj 7(4)'],
      fitsPlan: [true, 'JQ-proj 7(2)'],
      onCloud: [true, 'JQ-proj 7(2)'],
      sharing: [true, 'JQ-proj 7(2)'],
      sharingPlan: [true, 'JQ-proj 7(1)'],
      urgent: [true, 'JQ-proj 8'],
      inclusive: [false, 'JQ-proj 12'],
      acceptance: [true, 'JQ-proj 15'],
      evaluation: [true, 'JQ-proj 17'],
    });
    // NB 17: the office reviews the deployment and data-sharing plans and advises the approving department
    expect(lifecycle('ningbo-2014')).toEqual({
      review: [true, 'NB 17'],
      role: [null, 'NB 17'],
      fitsPlan: [null, null],
      onCloud: [true, 'NB 17'],
      sharing: [true, 'NB 17'],
      sharingPlan: [true, 'NB 17'],
      urgent: [null, null],
      inclusive: [null, null],
      acceptance: [null, null],
      evaluation: [null, null],
    });
    expect(lifecycle('shanghai-2022')).toMatchObject({
      review: [null, null],
      role: [null, 'SH 18'],
      acceptance: [null, 'SH 19'],
    });
    expect(lifecycle('liuzhou')).toMatchObject({
      review: [null, null],
      role: [null, null],
      acceptance: [null, 'LZ 21'],
    });
    expect(lifecycle('taizhou-2018')).toMatchObject({
      review: [null, null],
      onCloud: [null, 'TZ 19'],
      acceptance: [null, 'TZ 8'],
    });
    // JQ-proj 17 适时: no number, so the evaluation date is the platform's default, which says so
    for (const id of PACK_IDS) {
      expect(pack(id).defaults.projectEvaluationMonths).toMatchObject({ value: 12, article: null });
    }
  });

  it('never states a number without its article (except platform defaults, which say so), nor a null without a note (all five packs)', () => {
    const walk = (node: unknown, path: string): string[] => {
      if (!node || typeof node !== 'object') return [];
      const r = node as Record<string, unknown>;
      const own: string[] = [];
      if ('value' in r && 'article' in r) {
        const platform = path.includes('.defaults.');
        if (
          platform &&
          (r.article !== null || !String(r.note).startsWith('not provided by the regulation, platform default'))
        )
          own.push(`${path}: platform default without its mark`);
        if (typeof r.value === 'number' && !r.article && !platform) own.push(`${path}: number without article`);
        if (r.value === null && !r.note) own.push(`${path}: null without note`);
      }
      return [...own, ...Object.entries(r).flatMap(([k, v]) => walk(v, `${path}.${k}`))];
    };
    for (const p of PACKS.values()) expect(walk(p, p.id)).toEqual([]);
  });

  it('writes the notes the policy page shows in Chinese: the effective date, steps, deadlines and quota rules (all five packs)', () => {
    // Short citations (SH 18, LZ 21(5), JQ 10(3)) are written out by the console; no other Latin word may remain.
    const english = (note: string | undefined) =>
      note !== undefined && /[A-Za-z]{2,}/.test(note.replace(/\b[A-Z]{2}(-[a-z]+)? \d+(\(\d+\))*/g, ''));
    for (const p of PACKS.values()) {
      const notes: [string, string | undefined][] = [[`${p.id}.effective`, p.effective.note]];
      for (const [type, t] of Object.entries(p.orderTypes)) {
        for (const s of t.steps) {
          notes.push([`${p.id}.orderTypes.${type}.${s.id}.note`, s.note]);
          notes.push([`${p.id}.orderTypes.${type}.${s.id}.deadline.note`, s.deadline.note]);
        }
      }
      for (const [key, rule] of Object.entries(p.quota)) notes.push([`${p.id}.quota.${key}.note`, rule.note]);
      expect(notes.filter(([, note]) => english(note))).toEqual([]);
    }
  });
});

describe('a malformed pack is refused, naming the path', () => {
  it('a pack that does not let a unit release what it no longer needs', () => {
    const bad = mutable('ningbo-2014');
    bad.orderTypes.reclaim = { enabled: { value: false, article: null, note: 'no procedure' }, steps: [] };
    expect(packIssues(bad).map((i) => i.path)).toEqual(['orderTypes.reclaim.enabled']);
  });

  it('a platform default that cites an article or does not say it is one', () => {
    const cited = mutable('shanghai-2022');
    cited.defaults.reclaimConsentWorkingDays = { value: 5, article: 'SH 25', note: 'x' };
    expect(packIssues(cited)).toEqual([
      {
        path: 'defaults.reclaimConsentWorkingDays.note',
        message:
          'a platform default cites no article and its note starts with "not provided by the regulation, platform default"',
      },
    ]);
    const unmarked = mutable('liuzhou');
    unmarked.defaults.reclaimBackupWorkingDays = { value: 5, article: null, note: 'five days' };
    expect(packIssues(unmarked).map((i) => i.path)).toEqual(['defaults.reclaimBackupWorkingDays.note']);
  });

  it('a negative deadline', () => {
    const bad = mutable('shanghai-2022');
    bad.orderTypes.scale_up.steps[1].deadline.value = -5;
    expect(() => validatePack(bad)).toThrow(InvalidPackError);
    expect(packIssues(bad)).toEqual([
      { path: 'orderTypes.scale_up.steps.review.deadline.value', message: 'must be >= 0 or null' },
    ]);
  });

  it('a number without its article (missing, or null)', () => {
    const missing = mutable('shanghai-2022');
    delete missing.quota.developmentShareMax.article;
    expect(packIssues(missing)).toEqual([{ path: 'quota.developmentShareMax.article', message: 'is required' }]);
    const nulled = mutable('liuzhou');
    nulled.retention.systemOperationLogMonthsMin.article = null;
    nulled.retention.systemOperationLogMonthsMin.note = 'kept';
    expect(packIssues(nulled)).toEqual([
      { path: 'retention.systemOperationLogMonthsMin.article', message: 'a value from a regulation needs its article' },
    ]);
  });

  it('an article of another regulation, a malformed article, a null without a note', () => {
    const bad = mutable('taizhou-2018');
    bad.provider.responseMinutesMax.article = 'SH 12';
    bad.provider.onSiteDaysPerWeek.article = 'TZ twelve';
    delete bad.quota.developmentShareMax.note;
    const issues = packIssues(bad);
    expect(issues.map((i) => i.path).sort()).toEqual(['provider.onSiteDaysPerWeek.article']);
    bad.provider.onSiteDaysPerWeek.article = 'TZ 12(2)';
    expect(packIssues(bad)).toEqual(
      expect.arrayContaining([
        { path: 'provider.responseMinutesMax.article', message: "cites SH, which is not among the pack's sources" },
        { path: 'quota.developmentShareMax.note', message: 'a value the regulation does not give (null) needs a note' },
        { path: 'quota.developmentShareMax.note', message: 'a value without an article needs a note saying why' },
      ]),
    );
    expect(packIssues(bad)).toHaveLength(3);
  });

  it('a float share, an unknown field, an unknown role, a deadline with a value but no unit', () => {
    const bad = mutable('shanghai-2022');
    bad.quota.developmentShareMax.value = 0.15;
    bad.quota.developmentShareMx = { value: 1, article: 'SH 22' };
    bad.orderTypes.reclaim.steps[0].role = 'mayor';
    expect(packIssues(bad)).toEqual(
      expect.arrayContaining([
        { path: 'quota.developmentShareMax.value', message: 'must be string or null' },
        { path: 'quota.developmentShareMx', message: 'is not a field of a policy pack' },
        {
          path: 'orderTypes.reclaim.steps.review_and_reclaim.role',
          message: expect.stringMatching(/^must be one of "unit_applicant", .*"ops_reviewer"/),
        },
      ]),
    );
    const noUnit = mutable('shanghai-2022');
    noUnit.orderTypes.development.steps[0].deadline.value = 5;
    expect(packIssues(noUnit)).toEqual([
      {
        path: 'orderTypes.development.steps.review.deadline.unit',
        message: 'a deadline has both a value and a unit, or neither',
      },
    ]);
  });

  it('an enabled order type without steps, duplicate step ids, override marks in a pack file, two packs with one id', () => {
    const bad = mutable('liuzhou');
    bad.orderTypes.green_channel.enabled = { value: true, article: 'LZ 21' };
    bad.orderTypes.reclaim.steps[1].id = 'evaluation';
    bad.quota.elasticScaling.overridden = true;
    expect(packIssues(bad)).toEqual(
      expect.arrayContaining([
        { path: 'orderTypes.green_channel.enabled', message: 'an enabled order type needs at least one step' },
        { path: 'orderTypes.reclaim.steps.evaluation', message: 'duplicate step id' },
        { path: 'quota.elasticScaling.overridden', message: 'belongs to effective policies, not packs' },
      ]),
    );
    expect(() => loadPacks([pack('liuzhou'), pack('liuzhou')])).toThrow(/two packs share this id/);
    expect(() => loadPacks([bad])).toThrow(/policy pack liuzhou is invalid: .*orderTypes\.green_channel\.enabled/);
  });
});

describe('overrides (pure)', () => {
  const sh = pack('shanghai-2022');

  it('resolve to a cited value or a deadline, or say why not', () => {
    const ok = resolveOverridePath(sh, 'quota.developmentShareMax');
    expect(typeof ok === 'object' && ok.kind).toBe('CitedRatio');
    const deadline = resolveOverridePath(sh, 'orderTypes.scale_up.steps.review.deadline');
    expect(typeof deadline === 'object' && deadline.kind).toBe('Deadline');
    expect(resolveOverridePath(sh, 'quota.nope')).toBe('pack shanghai-2022 has no rule at quota.nope');
    expect(resolveOverridePath(sh, 'id')).toMatch(/cannot be overridden/);
    expect(resolveOverridePath(sh, 'title.zh')).toMatch(/cannot be overridden/);
    expect(resolveOverridePath(sh, 'quota')).toMatch(/not a dotted path/);
    expect(resolveOverridePath(sh, 'orderTypes.scale_up.steps')).toMatch(/a group of rules/);
    expect(resolveOverridePath(sh, 'orderTypes.scale_up.steps.review.role')).toMatch(/only cited values and deadlines/);
    expect(resolveOverridePath(sh, 'quota.developmentShareMax.article')).toMatch(/has no rule/);
    expect(resolveOverridePath(sh, 'quota.constructor')).toMatch(/has no rule/);
  });

  it('check the value against the rule’s kind', () => {
    const ratio = resolveOverridePath(sh, 'quota.developmentShareMax');
    const d = resolveOverridePath(sh, 'orderTypes.scale_up.steps.review.deadline');
    if (typeof ratio === 'string' || typeof d === 'string') throw new Error('unresolved');
    expect(overrideValueIssues(ratio, '0.10')).toEqual([]);
    expect(overrideValueIssues(ratio, null)).toEqual([]);
    expect(overrideValueIssues(ratio, 0.1)[0]?.message).toMatch(/decimal string/);
    expect(overrideValueIssues(d, { value: 3, unit: 'working_days' })).toEqual([]);
    expect(
      overrideValueIssues(d, { value: -1, unit: 'weeks' })
        .map((i) => i.path)
        .sort(),
    ).toEqual(['unit', 'value']);
  });

  it('merge keeping the article and marking the value; a misfit is left out and reported', () => {
    const { policy, outcomes } = applyOverrides(sh, [
      { path: 'quota.developmentShareMax', value: '0.10', reason: 'district rule' },
      { path: 'monitoring.lowUtilisationPercent', value: 10, reason: 'local threshold' },
      { path: 'orderTypes.scale_up.steps.review.deadline', value: null, reason: 'none' },
      { path: 'orderTypes.change.enabled', value: true, reason: 'no steps' },
      { path: 'quota.gone', value: 1, reason: 'stale' },
    ]);
    expect(policy.quota.developmentShareMax).toEqual({
      value: '0.10',
      article: 'SH 22',
      note: sh.quota.developmentShareMax.note,
      overridden: true,
      overrideReason: 'district rule',
      packValue: '0.15',
    });
    expect(policy.monitoring.lowUtilisationPercent).toMatchObject({ value: 10, article: 'SH 25', packValue: null });
    expect(policy.orderTypes.scale_up.steps[1]?.deadline).toMatchObject({
      value: null,
      unit: null,
      packValue: { value: 5, unit: 'working_days' },
    });
    expect(policy.orderTypes.change.enabled.value).toBe(false);
    expect(outcomes.map((o) => [o.path, o.applied])).toEqual([
      ['quota.developmentShareMax', true],
      ['monitoring.lowUtilisationPercent', true],
      ['orderTypes.scale_up.steps.review.deadline', true],
      ['orderTypes.change.enabled', false],
      ['quota.gone', false],
    ]);
    expect(packIssues(policy, { effective: true })).toEqual([]);
    expect(sh.quota.developmentShareMax.value).toBe('0.15'); // the pack itself is untouched
  });
});
