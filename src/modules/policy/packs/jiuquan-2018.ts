import type { PolicyPack } from '../policy.schemas.ts';
import { cite, citeRoles, fulfils, noDeadline, notProvided, silent, unstated } from './cite.ts';
import { platformDefaults } from './defaults.ts';
import { evaluationSection } from './evaluation.ts';

const NO_QUOTA = '本办法未规定配额规则：资源按信息系统正常所需配置（JQ 9）';
const NO_DEADLINE = '本办法未规定办理时限';

/** Change and cancellation (变更/注销): the 市大数据管理局 reviews, the provider carries out (JQ 8, JQ 10(2)). */
const changeSteps = [
  {
    id: 'review',
    name: { zh: '审核', en: 'Review' },
    role: 'authority_approver' as const,
    deadline: noDeadline('JQ 10(2)', NO_DEADLINE),
    note: '涉及重大变更的，须一并提交有关材料。',
  },
  {
    id: 'fulfilment',
    name: { zh: '云服务商办理', en: 'Provider carries out' },
    role: 'provider_operator' as const,
    deadline: noDeadline('JQ 10(2)', NO_DEADLINE),
    note: '服务商出具回执单（附件3），按月汇总（JQ 10(3)）。',
  },
];

/**
 * Jiuquan's two annexes, published for comment 2018-07-24 (征求意见稿): 酒泉市云计算（大数据）中心政务云平台管理办法,
 * cited `JQ n`, and 酒泉市信息化及智慧城市项目建设管理办法, cited `JQ-proj n`. The 市大数据管理局 reviews and
 * approves; the cloud service provider prepares and operates.
 */
export const jiuquan2018 = {
  id: 'jiuquan-2018',
  version: '1.0.0',
  city: { zh: '酒泉', en: 'Jiuquan' },
  title: '酒泉市云计算（大数据）中心政务云平台管理办法（征求意见稿）',
  year: 2018,
  documentStatus: 'draft_for_comment',
  sources: [
    { prefix: 'JQ', title: '酒泉市云计算（大数据）中心政务云平台管理办法（征求意见稿）' },
    { prefix: 'JQ-proj', title: '酒泉市信息化及智慧城市项目建设管理办法（征求意见稿）' },
  ],
  effective: {
    from: null,
    article: null,
    note: '征求意见稿（2018年7月24日发布，征求意见至2018年8月26日）；本办法自发布之日起试行，所据文本未载正式发布日期。',
  },
  bodies: [
    { role: 'authority_approver', zh: '市大数据管理局', article: 'JQ 4' },
    { role: 'provider_operator', zh: '云服务商', article: 'JQ 6' },
    { role: 'unit_applicant', zh: '政务云使用部门（单位）', article: 'JQ 5' },
    { role: 'finance_officer', zh: '市财政局', article: 'JQ-proj 6(4)' },
    { role: 'auditor', zh: '市审计局', article: 'JQ-proj 6(5)' },
  ],
  orderTypes: {
    new_resources: {
      enabled: cite(true, 'JQ 10(1)', '申请开通'),
      steps: [
        {
          id: 'review',
          name: { zh: '审核', en: 'Review' },
          role: 'authority_approver',
          deadline: noDeadline('JQ 10(1)', NO_DEADLINE),
          note: '市大数据管理局审核申请表（附件1），并通知使用单位和服务商。',
        },
        {
          id: 'provisioning',
          name: { zh: '准备资源', en: 'Prepare the resources' },
          role: 'provider_operator',
          fulfilment: 'open_test',
          deadline: noDeadline('JQ 10(1)', NO_DEADLINE),
        },
        {
          id: 'unit_test',
          name: { zh: '符合性测试', en: 'Function, performance and security test' },
          role: 'unit_applicant',
          deadline: noDeadline('JQ 10(1)', NO_DEADLINE),
          note: '部署业务应用系统前，应对业务应用系统的功能、性能及安全进行符合性测试',
        },
        {
          id: 'go_live',
          name: { zh: '上线运行或迁移', en: 'Go live or migrate' },
          role: 'provider_operator',
          fulfilment: 'open',
          deadline: noDeadline('JQ 10(1)', NO_DEADLINE),
          note: '服务商协助使用单位及其开发单位完成上线。',
        },
      ],
    },
    scale_up: { enabled: cite(true, 'JQ 10(2)', '变更'), steps: fulfils(changeSteps, 'fulfilment', 'scale_up') },
    change: { enabled: cite(true, 'JQ 10(2)', '变更'), steps: fulfils(changeSteps, 'fulfilment', 'change') },
    reclaim: {
      enabled: cite(true, 'JQ 10(2)', '注销'),
      steps: fulfils(changeSteps, 'fulfilment', 'reclaim'),
      dataBackupFirst: cite(true, 'JQ 10(2)', '须做好应用系统下线和数据迁移备份工作'),
    },
    development: notProvided('JQ has no development resources'),
    emergency: notProvided(
      'JQ 10(1) only requires the provider to keep emergency capacity in reserve (预留应急云资源); urgent tasks use the green channel (JQ 24)',
      'JQ 10(1)',
    ),
    temporary: notProvided('JQ has no temporary resources'),
    extension: notProvided('JQ has no time-limited resources to extend'),
    backup_extraction: {
      enabled: cite(true, 'JQ 19', '各部门（单位）如需提取数据备份应向市大数据管理局提出审批申请'),
      steps: [
        {
          id: 'approval',
          name: { zh: '审批', en: 'Approval' },
          role: 'authority_approver',
          deadline: noDeadline('JQ 19', NO_DEADLINE),
        },
        {
          id: 'extraction',
          name: { zh: '提取备份', en: 'Hand over the backup' },
          role: 'provider_operator',
          fulfilment: 'handover',
          deadline: noDeadline('JQ 19', 'JQ 19 规定了审批主体，未规定由谁交付、何时交付；备份由服务商保管'),
        },
      ],
    },
    green_channel: {
      enabled: cite(true, 'JQ 24', '市政务云启动绿色应急通道，在第一时间安排该任务入驻'),
      steps: [
        {
          id: 'placement',
          name: { zh: '第一时间入驻', en: 'Place the task at once' },
          role: 'provider_operator',
          fulfilment: 'open',
          deadline: noDeadline('JQ 24', '第一时间办理，未规定具体时限'),
          note: '用于国家、省、市部署的紧急或影响面广的任务。JQ 24 规定由市政务云办理，实际由服务商运行（JQ 11）。',
        },
      ],
    },
  },
  quota: {
    developmentShareMax: silent(NO_QUOTA),
    developmentMonthsMax: silent(NO_QUOTA),
    overrunApprovalAbove: silent(NO_QUOTA),
    emergencyMonthsMax: silent(NO_QUOTA),
    temporaryMonthsMax: silent(NO_QUOTA),
    emergencyExtensionLeadWorkingDays: silent(NO_QUOTA),
    temporaryExtensionLeadWorkingDays: silent(NO_QUOTA),
    expiryNoticeWorkingDays: silent(NO_QUOTA),
    periodicQuota: silent(NO_QUOTA),
    elasticScaling: cite(true, 'JQ 9', '业务量变化幅度较大的应用系统，可以根据需要动态弹性调整所需云资源'),
  },
  trial: {
    minCalendarDays: unstated('JQ 10(1)', 'the unit tests before deployment; no trial period'),
  },
  monitoring: {
    agentRequired: silent('JQ says nothing about a monitoring agent'),
    lowUtilisationPercent: silent('JQ sets no utilisation threshold'),
    lowUtilisationDays: silent('JQ sets no utilisation period'),
    zombieIdleDays: silent('JQ says nothing about idle systems'),
    warningNeedsAuthorityReview: silent('JQ says nothing about warnings for low use'),
    utilisationReportWeekly: silent('JQ 6(2): monitoring reports 定期 (regularly), no interval'),
    utilisationReportMonthly: unstated('JQ 6(2)', '定期向政务云使用单位提供监测报表: regularly, no interval'),
    analysisReportMonthly: silent('JQ says nothing about monthly analysis'),
    majorIncidentReportCalendarDays: silent('JQ sets no incident report deadline'),
    rectificationWorkingDays: unstated('JQ 20', '责令限时整改: a time limit, no number'),
  },
  retention: {
    systemOperationLogMonthsMin: unstated('JQ 6(2)', 'the provider keeps usage and operation logs; no period'),
    providerKeepsUsageLogs: cite(true, 'JQ 6(2)', '云资源使用情况、操作情况等日志记录及审计服务'),
  },
  provider: {
    responseMinutesMax: unstated('JQ 25', '在最短时间内恢复运转: as fast as possible, no number'),
    onSiteDaysPerWeek: silent('JQ sets no on-site service'),
    onSiteHoursPerDay: silent('JQ sets no on-site service'),
    hotlineDaysPerWeek: silent('JQ sets no hotline'),
    hotlineHoursPerDay: silent('JQ sets no hotline'),
    continuousOperation: cite(
      true,
      'JQ 11',
      '确保全年365天×24小时安全运转 (outside force majeure and planned maintenance)',
    ),
    plannedInterruptionLeadWorkingDays: cite(
      2,
      'JQ 13',
      '云服务商应至少提前2个工作日向市大数据管理局提交申请; the bureau notifies the affected units and agrees with them',
    ),
    securityBulletinMonthly: unstated('JQ 6(5)', '定期向市大数据管理局递交政务云安全监测报告: regularly, no interval'),
    emergencyDrillsPerYear: unstated('JQ 6(4)', '定期开展应急演练: regularly, no number'),
  },
  settlement: {
    payAfterUse: unstated(
      'JQ 30',
      'fees are summed by use and put into the annual budget (按使用情况汇总后统一列入年度财政预算), paid per contract',
    ),
    evaluationAdjusted: unstated('JQ 28', 'units’ evaluations feed the provider’s annual assessment; no link to fees'),
    confirmedBy: unstated('JQ 30', 'the 市大数据管理局 sums the fees, the city government agrees; no confirming role'),
  },
  catalogue: {
    versionConfirmedBy: citeRoles(
      ['authority_approver'],
      'JQ 4',
      'JQ names no catalogue procedure; the competent authority (市大数据管理局, JQ 4) approves it',
    ),
  },
  projects: {
    cloudNeedsDeclaredAtApproval: cite(
      true,
      'JQ-proj 7(2)',
      '初审重点审查项目是否依托政务云平台开发、部署、运行; cloud needs are filed after design review (JQ-proj 7(7))',
    ),
    investmentOverrunApprovalThreshold: cite(
      '0.10',
      'JQ-proj 12',
      '投资超出概算10%以上，须报市大数据管理局批准; 以上 includes the number itself, so 10% or more',
    ),
    warrantyYearsMin: cite(3, 'JQ-proj 16', '保修期自工程竣工验收合格之日起不得少于三年'),
    declarationMonth: cite(9, 'JQ-proj 7(1)', '市大数据管理局于每年9月组织开展下年度项目的申报工作'),
    reviewBeforeApproval: cite(
      true,
      'JQ-proj 9',
      '未经过市大数据管理局审查或审查不合格的，市发改委不予立项，市财政局不列入财政预算: no approval, quota or orders without the review',
    ),
    approvalRole: cite(
      'economy_it_approver',
      'JQ-proj 7(4)',
      '由市发改委批复立项; the platform’s economy & IT approver stands for the 发改委, which has no role of its own',
    ),
    reviewAsksFitsPlan: cite(true, 'JQ-proj 7(2)', '是否符合我市信息化及智慧城市建设规划和基本原则'),
    reviewAsksOnCloud: cite(true, 'JQ-proj 7(2)', '是否依托政务云平台开发、部署、运行'),
    reviewAsksDataSharing: cite(true, 'JQ-proj 7(2)', '是否充分考虑数据资源共享和开放'),
    dataSharingPlanRequired: cite(true, 'JQ-proj 7(1)', '可行性研究报告(包括对全市信息资源的数据支持和需求情况)'),
    urgentPath: cite(
      true,
      'JQ-proj 8',
      '未纳入年度建设计划而急需建设的项目，向市大数据管理局提出申请，经审查后进入项目审批流程',
    ),
    investmentOverrunInclusive: cite(
      false,
      'JQ-proj 12',
      '投资超出概算10%以上: 超出 (exceeds) excludes the number (民法典 1259: 超过 不包括本数), so exactly 10% is recorded',
    ),
    acceptanceBeforeUse: cite(true, 'JQ-proj 15', '未经验收或者验收不合格的，不得交付使用'),
    postGoLiveEvaluation: cite(
      true,
      'JQ-proj 17',
      '投入使用后，市大数据管理局组织有关专家适时对项目进行绩效评估 (适时: no number, defaults.projectEvaluationMonths)',
    ),
  },
  legacyDataCentre: {
    evaluationWorkingDays: silent('JQ has no certification of own data centres'),
    approvalWorkingDays: silent('JQ has no certification of own data centres'),
    retentionYears: unstated(
      'JQ 14',
      'departments keep only network access rooms, or one room for secrecy needs; no period',
    ),
    migrationAfterRetentionYears: silent('JQ sets no migration period (JQ 3: 分步迁入)'),
    transitionYearsSmall: silent('JQ sets no transition period'),
    transitionYearsLarge: silent('JQ sets no transition period'),
    smallRacksMax: silent('JQ sets no size criteria'),
    areaSquareMetresMin: silent('JQ sets no size criteria'),
    racksMin: silent('JQ sets no size criteria'),
    operatorsMin: silent('JQ sets no staffing criteria'),
    extranetIpv6Required: silent('JQ has no certification of own data centres (JQ 14 keeps network access rooms only)'),
    cloudPlatformConformanceRequired: silent(
      'JQ has no certification of own data centres (JQ 14 keeps network access rooms only)',
    ),
    classBRequired: silent('JQ has no certification of own data centres (JQ 14 keeps network access rooms only)'),
    service7x24Required: silent('JQ has no certification of own data centres (JQ 14 keeps network access rooms only)'),
    mlpsLevelMin: silent('JQ has no certification of own data centres (JQ 14 keeps network access rooms only)'),
    mlpsCloudExtensionRequired: silent(
      'JQ has no certification of own data centres (JQ 14 keeps network access rooms only)',
    ),
    sensitiveEvaluationWorkingDays: silent(
      'JQ has no certification of own data centres (JQ 14 keeps network access rooms only)',
    ),
    sensitiveApprovalWorkingDays: silent(
      'JQ has no certification of own data centres (JQ 14 keeps network access rooms only)',
    ),
    sensitiveRetentionYears: unstated(
      'JQ 14',
      '有保密、安全等管理要求的部门(单位)可保留一个独立机房: one room may stay, with no period and no certification',
    ),
    retentionNoticeFirstLeadDays: silent(
      'JQ has no certification of own data centres (JQ 14 keeps network access rooms only)',
    ),
    retentionNoticeFinalLeadDays: silent(
      'JQ has no certification of own data centres (JQ 14 keeps network access rooms only)',
    ),
    rentedMigrateWithinLease: silent(
      'JQ has no certification of own data centres (JQ 14 keeps network access rooms only)',
    ),
  },
  sharedData: {
    provided: {
      value: false,
      article: null,
      note: 'Jiuquan’s regulation does not provide a shared-data service (JQ-proj 7(2) only asks, at project review, whether a project shares its data); a jurisdiction may enable it by override (sharedData.provided)',
    },
    errorCorrectionWorkingDays: silent(
      'Jiuquan’s regulation sets no deadline for correcting shared-data errors; a jurisdiction enabling shared data sets one by override',
    ),
  },
  evaluation: evaluationSection({
    unitArticle: null,
    unitNote: 'JQ evaluates no using unit; the unit card is the city’s choice',
    providerArticle: 'JQ 28',
    providerNote:
      'JQ 28: the units’ evaluation of providers feeds their annual assessment; weights are the city’s choice',
    onCloud: null,
    efficiency: null,
    security: null,
    response: null,
    satisfaction: 'JQ 28',
    quality: null,
    bandsArticle: 'JQ 28',
    bands: null,
    bandsNote: 'JQ 28 feeds the provider’s annual assessment; no link to fees: no coefficient',
    appealArticle: 'JQ 28',
    allocationArticle: null,
    allocationNote: 'JQ names no use of the results for next year’s allocation',
    providerFee: {
      article: 'JQ 28',
      bands: null,
      note: 'JQ 28: the units’ evaluation feeds the provider’s annual assessment (年度综合考核); no fee figure',
    },
  }),
  defaults: platformDefaults,
} satisfies PolicyPack;
