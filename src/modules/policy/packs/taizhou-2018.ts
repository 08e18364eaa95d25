import type { PolicyPack } from '../policy.schemas.ts';
import { cite, citeRoles, deadline, fulfils, noDeadline, notProvided, silent, unstated } from './cite.ts';
import { platformDefaults } from './defaults.ts';
import { evaluationSection } from './evaluation.ts';

const NO_QUOTA = '本办法未规定配额规则';
const CHANGE_NOTE =
  'TZ 8 将变更和终止列为使用政务云平台的环节；TZ 10 的两个工作日针对使用申请，原文未明确是否适用于变更和终止';

/** Changes and terminations: the 电子政务中心 approves and the provider carries out (TZ 5, 7, 8), no deadlines. */
const changeSteps = (what: { zh: string; en: string }) => [
  {
    id: 'approval',
    name: { zh: `${what.zh}审批`, en: 'Approval' },
    role: 'authority_approver' as const,
    deadline: noDeadline('TZ 8', CHANGE_NOTE),
  },
  {
    id: 'fulfilment',
    name: { zh: `${what.zh}办理`, en: what.en },
    role: 'provider_operator' as const,
    deadline: noDeadline('TZ 8', CHANGE_NOTE),
  },
];

/**
 * 泰州市政务云平台管理办法 (issued 2018-03-01 by the municipal government office, in force 2018-05-01). Articles
 * are cited `TZ n`. The 市电子政务中心 plans, allocates and approves; the cloud service provider fulfils,
 * operates and reports.
 */
export const taizhou2018 = {
  id: 'taizhou-2018',
  version: '1.0.0',
  city: { zh: '泰州', en: 'Taizhou' },
  title: '泰州市政务云平台管理办法',
  year: 2018,
  documentStatus: 'issued',
  sources: [{ prefix: 'TZ', title: '泰州市政务云平台管理办法' }],
  effective: { from: '2018-05-01', article: 'TZ 21', note: '本办法自2018年5月1日起施行' },
  bodies: [
    { role: 'authority_approver', zh: '市电子政务中心', article: 'TZ 5' },
    { role: 'provider_operator', zh: '云服务提供商', article: 'TZ 7' },
    { role: 'unit_applicant', zh: '云平台使用部门（单位）', article: 'TZ 6' },
    { role: 'finance_officer', zh: '财政部门', article: 'TZ 19' },
  ],
  orderTypes: {
    new_resources: {
      enabled: cite(
        true,
        'TZ 10',
        'TZ 8 lists 申请、受理、审批、测试、开通; the text gives actors and deadlines only for approval and fulfilment (the flow chart, annex 2, is not in our copy)',
      ),
      steps: [
        {
          id: 'approval',
          name: { zh: '使用申请审批', en: 'Approval' },
          role: 'authority_approver',
          deadline: deadline(2, 'working_days', 'TZ 10', '市电子政务中心在两个工作日内对云平台使用申请进行审批'),
        },
        {
          id: 'fulfilment',
          name: { zh: '业务办理', en: 'Fulfilment' },
          role: 'provider_operator',
          fulfilment: 'open',
          deadline: deadline(2, 'working_days', 'TZ 10', '审批合格后，云服务提供商在两个工作日内完成业务办理'),
        },
      ],
    },
    scale_up: {
      enabled: cite(true, 'TZ 8', '变更'),
      steps: fulfils(changeSteps({ zh: '变更', en: 'Carry out the change' }), 'fulfilment', 'scale_up'),
    },
    change: {
      enabled: cite(true, 'TZ 8', '变更'),
      steps: fulfils(changeSteps({ zh: '变更', en: 'Carry out the change' }), 'fulfilment', 'change'),
    },
    reclaim: {
      enabled: cite(true, 'TZ 8', '终止'),
      steps: fulfils(changeSteps({ zh: '终止', en: 'Terminate the service' }), 'fulfilment', 'reclaim'),
      dataBackupFirst: silent('TZ says nothing about backups before termination'),
    },
    development: notProvided('TZ has no development resources'),
    emergency: notProvided('TZ has no emergency resources'),
    temporary: notProvided('TZ has no temporary resources'),
    extension: notProvided('TZ has no time-limited resources to extend'),
    backup_extraction: notProvided(
      'TZ 12(4) and 17: the provider provides storage and backup services; no extraction procedure',
      'TZ 12(4)',
    ),
    green_channel: notProvided('TZ has no green channel'),
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
    elasticScaling: cite(
      true,
      'TZ 10',
      '信息系统上线后云服务提供商可以根据实际情况对资源进行调整（并实行动态管理，TZ 7(5)）',
    ),
  },
  trial: {
    minCalendarDays: unstated('TZ 8', '测试 is a stage of use; no duration'),
  },
  monitoring: {
    agentRequired: silent('TZ says nothing about a monitoring agent'),
    lowUtilisationPercent: unstated('TZ 12(2)', '对资源异常使用情况及时预警: no threshold'),
    lowUtilisationDays: unstated('TZ 12(2)', 'no period'),
    zombieIdleDays: silent('TZ says nothing about idle systems'),
    warningNeedsAuthorityReview: silent('TZ 12(2): the provider warns and advises directly'),
    utilisationReportWeekly: cite(true, 'TZ 12(1)', '每周和每月向市电子政务中心提供云资源利用情况表'),
    utilisationReportMonthly: cite(true, 'TZ 12(1)', '每周和每月向市电子政务中心提供云资源利用情况表'),
    analysisReportMonthly: cite(true, 'TZ 12(5)', '形成月度分析报告上报市电子政务中心'),
    majorIncidentReportCalendarDays: cite(0, 'TZ 12(5)', '发生重大事件或有紧急情况当天提交相关事件报告 (same day)'),
    rectificationWorkingDays: silent('TZ orders no rectification of resource use; TZ 12(2) only warns'),
  },
  retention: {
    systemOperationLogMonthsMin: unstated('TZ 7(2)', 'the provider keeps usage and operation logs; no period'),
    providerKeepsUsageLogs: cite(true, 'TZ 7(2)', '云资源使用情况、操作情况等日志记录及审计服务'),
  },
  provider: {
    responseMinutesMax: cite(5, 'TZ 12(2)', '服务响应时间不超过5分钟'),
    onSiteDaysPerWeek: cite(5, 'TZ 12(2)', '5*8小时的驻场维护服务'),
    onSiteHoursPerDay: cite(8, 'TZ 12(2)', '5*8小时的驻场维护服务'),
    hotlineDaysPerWeek: cite(7, 'TZ 12(2)', '7*24小时的专用电话服务'),
    hotlineHoursPerDay: cite(24, 'TZ 12(2)', '7*24小时的专用电话服务'),
    continuousOperation: unstated(
      'TZ 12(2)',
      '不间断技术服务 (uninterrupted technical service); no availability figure',
    ),
    plannedInterruptionLeadWorkingDays: silent('TZ sets no notice period for planned interruptions'),
    securityBulletinMonthly: cite(true, 'TZ 17', '每月发布安全公告'),
    emergencyDrillsPerYear: cite(1, 'TZ 17', '每年开展应急演练一次'),
  },
  settlement: {
    payAfterUse: unstated('TZ 7(5)', 'the provider keeps 动态计费管理 (dynamic billing); no settlement rule'),
    evaluationAdjusted: unstated(
      'TZ 20',
      'providers are assessed on response, satisfaction and quality; no link to fees',
    ),
    confirmedBy: silent('TZ names nobody who confirms fees'),
  },
  catalogue: {
    versionConfirmedBy: citeRoles(
      ['authority_approver'],
      'TZ 5',
      'TZ names no catalogue procedure; the competent authority (市电子政务中心, TZ 5) approves it',
    ),
  },
  projects: {
    cloudNeedsDeclaredAtApproval: unstated(
      'TZ 19',
      '启动信息化系统建设时，应当充分利用并合理申请云平台资源; no rule at approval',
    ),
    investmentOverrunApprovalThreshold: silent('TZ says nothing about investment overruns'),
    warrantyYearsMin: silent('TZ says nothing about warranties'),
    declarationMonth: silent('TZ sets no declaration month'),
    reviewBeforeApproval: silent('TZ says nothing about reviewing projects before approval'),
    approvalRole: silent('TZ names no project approver: the authority approver (project:approve)'),
    reviewAsksFitsPlan: silent('TZ has no preliminary review of projects'),
    reviewAsksOnCloud: unstated('TZ 19', '启动信息化系统建设时，应当充分利用并合理申请云平台资源; no review step'),
    reviewAsksDataSharing: silent('TZ has no preliminary review of projects'),
    dataSharingPlanRequired: silent('TZ asks for no data-sharing plan with a project'),
    urgentPath: silent('TZ has no annual project plan'),
    investmentOverrunInclusive: silent('TZ says nothing about investment overruns'),
    acceptanceBeforeUse: unstated('TZ 8', 'testing before opening; no project acceptance'),
    postGoLiveEvaluation: silent('TZ evaluates units and providers (TZ 20), not projects'),
  },
  legacyDataCentre: {
    evaluationWorkingDays: unstated(
      'TZ 3',
      'a system that cannot migrate needs an expert review by the 电子政务中心 and the leading group’s approval; no deadline',
    ),
    approvalWorkingDays: unstated('TZ 3', 'no deadline'),
    retentionYears: silent('TZ has no retention period for own data centres'),
    migrationAfterRetentionYears: silent('TZ sets no migration period'),
    transitionYearsSmall: silent('TZ sets no transition period'),
    transitionYearsLarge: silent('TZ sets no transition period'),
    smallRacksMax: silent('TZ sets no size criteria'),
    areaSquareMetresMin: silent('TZ sets no size criteria'),
    racksMin: silent('TZ sets no size criteria'),
    operatorsMin: silent('TZ sets no staffing criteria'),
    extranetIpv6Required: silent(
      'TZ has no certification of own data centres (TZ 3: expert review of systems that cannot migrate)',
    ),
    cloudPlatformConformanceRequired: silent(
      'TZ has no certification of own data centres (TZ 3: expert review of systems that cannot migrate)',
    ),
    classBRequired: silent(
      'TZ has no certification of own data centres (TZ 3: expert review of systems that cannot migrate)',
    ),
    service7x24Required: silent(
      'TZ has no certification of own data centres (TZ 3: expert review of systems that cannot migrate)',
    ),
    mlpsLevelMin: silent(
      'TZ has no certification of own data centres (TZ 3: expert review of systems that cannot migrate)',
    ),
    mlpsCloudExtensionRequired: silent(
      'TZ has no certification of own data centres (TZ 3: expert review of systems that cannot migrate)',
    ),
    sensitiveEvaluationWorkingDays: silent(
      'TZ has no certification of own data centres (TZ 3: expert review of systems that cannot migrate)',
    ),
    sensitiveApprovalWorkingDays: silent(
      'TZ has no certification of own data centres (TZ 3: expert review of systems that cannot migrate)',
    ),
    sensitiveRetentionYears: silent(
      'TZ has no certification of own data centres (TZ 3: expert review of systems that cannot migrate)',
    ),
    retentionNoticeFirstLeadDays: silent(
      'TZ has no certification of own data centres (TZ 3: expert review of systems that cannot migrate)',
    ),
    retentionNoticeFinalLeadDays: silent(
      'TZ has no certification of own data centres (TZ 3: expert review of systems that cannot migrate)',
    ),
    rentedMigrateWithinLease: silent(
      'TZ has no certification of own data centres (TZ 3: expert review of systems that cannot migrate)',
    ),
  },
  sharedData: {
    provided: {
      value: false,
      article: null,
      note: 'Taizhou’s regulation does not provide a shared-data service; a jurisdiction may enable it by override (sharedData.provided)',
    },
    errorCorrectionWorkingDays: silent(
      'Taizhou’s regulation sets no deadline for correcting shared-data errors; a jurisdiction enabling shared data sets one by override',
    ),
  },
  evaluation: evaluationSection({
    unitArticle: 'TZ 19',
    unitNote: 'TZ 19: 云平台使用情况 is the basis of the units’ funding; indicators and weights are the city’s choice',
    providerArticle: 'TZ 20',
    providerNote: 'TZ 20: 服务响应、服务满意度、服务质量; the weights are the city’s choice',
    onCloud: null,
    efficiency: 'TZ 19',
    security: null,
    response: 'TZ 20(1)',
    satisfaction: 'TZ 20(2)',
    quality: 'TZ 20(3)',
    bandsArticle: 'TZ 20',
    bands: null,
    bandsNote: 'TZ 20 assesses providers but ties no fee to the result: no coefficient',
    appealArticle: 'TZ 20',
    allocationArticle: null,
    allocationNote:
      'TZ 19 ties the use of the cloud to the units’ IT funding, not the evaluation to next year’s allocation',
    providerFee: {
      article: 'TZ 20',
      bands: null,
      note: 'TZ 20 names the provider assessment (响应、满意度、质量) but no fee figure',
    },
  }),
  defaults: platformDefaults,
} satisfies PolicyPack;
