import type { PolicyPack } from '../policy.schemas.ts';
import { cite, citeRoles, deadline, fulfils, noDeadline, notProvided, silent, unstated } from './cite.ts';
import { platformDefaults } from './defaults.ts';
import { evaluationSection } from './evaluation.ts';

const NO_QUOTA = '本办法未规定配额规则：资源按信息系统正常所需配置（LZ 21(5)）';
const NO_PROVIDER = 'LZ sets no provider service levels (the information centre runs the cloud, LZ 7)';

/** One procedure, 变更 (LZ 21(6)), for every change of configuration, scale-up included. */
const CHANGE_STEPS = [
  {
    id: 'evaluation',
    name: { zh: '变更评估', en: 'Evaluation' },
    role: 'ops_reviewer',
    deadline: noDeadline('LZ 21(6)', '经市信息化建设管理中心评估后办理；未规定评估时限'),
  },
  {
    id: 'approval',
    name: { zh: '变更审批', en: 'Approval' },
    role: 'authority_approver',
    deadline: deadline(3, 'working_days', 'LZ 21(6)', '市大数据发展局应在3个工作日内完成变更审批'),
  },
  {
    id: 'change',
    name: { zh: '完成变更', en: 'Carry out the change' },
    role: 'ops_reviewer',
    deadline: deadline(3, 'working_days', 'LZ 21(6)', '市信息化建设管理中心应在3个工作日内完成变更'),
  },
] as const;

/**
 * 柳州市政务云管理实施细则 (implementing 桂数发〔2020〕10号; the text carries no date of its own). Articles are
 * cited `LZ n`, items `LZ 21(4)`. The 市大数据发展局 approves; the 市信息化建设管理中心 evaluates, provides the
 * trial environment, opens, changes and reclaims.
 */
export const liuzhou = {
  id: 'liuzhou',
  version: '1.0.0',
  city: { zh: '柳州', en: 'Liuzhou' },
  title: '柳州市政务云管理实施细则',
  year: null,
  documentStatus: 'issued',
  sources: [{ prefix: 'LZ', title: '柳州市政务云管理实施细则' }],
  effective: {
    from: null,
    article: null,
    note: '原文未载明施行日期；本办法为贯彻桂数发〔2020〕10号和柳办发〔2020〕4号而制定（LZ 1），故不早于2020年。',
  },
  bodies: [
    { role: 'authority_approver', zh: '柳州市大数据发展局（政务云主管部门）', article: 'LZ 6' },
    { role: 'ops_reviewer', zh: '市信息化建设管理中心', article: 'LZ 7' },
    { role: 'auditor', zh: '市委网信办、市委机要保密办公室、市公安局', article: 'LZ 8' },
    { role: 'finance_officer', zh: '市财政局', article: 'LZ 9' },
    { role: 'unit_applicant', zh: '使用单位', article: 'LZ 10' },
  ],
  orderTypes: {
    new_resources: {
      enabled: cite(true, 'LZ 21'),
      steps: [
        {
          id: 'evaluation',
          name: { zh: '需求评估', en: 'Evaluation of the request' },
          role: 'ops_reviewer',
          deadline: deadline(7, 'working_days', 'LZ 21(2)', '应在7个工作日内提出云资源使用需求的评估意见'),
          note: '已建系统：现场调研，必要时进行技术评审；新建系统：依据已批复的项目文件。',
        },
        {
          id: 'approval',
          name: { zh: '使用审批', en: 'Approval' },
          role: 'authority_approver',
          deadline: deadline(5, 'working_days', 'LZ 21(3)', '市大数据发展局应在5个工作日完成云资源使用审批'),
        },
        {
          id: 'trial_environment',
          name: { zh: '提供试用环境', en: 'Provide the trial environment' },
          role: 'ops_reviewer',
          fulfilment: 'open_test',
          deadline: deadline(2, 'working_days', 'LZ 21(4)', '应在2个工作日内提供试用环境'),
        },
        {
          id: 'trial',
          name: { zh: '试用', en: 'Trial' },
          role: 'unit_applicant',
          deadline: deadline(30, 'calendar_days', 'LZ 21(4)', '试用时间原则上为15—30个自然日；使用单位签订使用协议'),
        },
        {
          id: 'opening',
          name: { zh: '开通', en: 'Opening' },
          role: 'ops_reviewer',
          fulfilment: 'open',
          deadline: noDeadline('LZ 21(5)', '按信息系统正常所需配置；未规定时限'),
        },
      ],
    },
    scale_up: {
      enabled: cite(true, 'LZ 21(6)', 'LZ has one procedure, 变更, for any change of configuration'),
      steps: fulfils(CHANGE_STEPS, 'change', 'scale_up'),
    },
    change: { enabled: cite(true, 'LZ 21(6)'), steps: fulfils(CHANGE_STEPS, 'change', 'change') },
    reclaim: {
      enabled: cite(true, 'LZ 21(7)', '终止'),
      steps: [
        {
          id: 'evaluation',
          name: { zh: '终止评估', en: 'Evaluation' },
          role: 'ops_reviewer',
          deadline: noDeadline('LZ 21(7)', '经市信息化建设管理中心评估后办理；未规定评估时限'),
        },
        {
          id: 'approval',
          name: { zh: '终止审批', en: 'Approval' },
          role: 'authority_approver',
          deadline: deadline(5, 'working_days', 'LZ 21(7)', '市大数据发展局应在5个工作日内完成终止审批'),
        },
        {
          id: 'reclaim',
          name: { zh: '回收资源', en: 'Reclaim' },
          role: 'ops_reviewer',
          fulfilment: 'reclaim',
          deadline: deadline(3, 'working_days', 'LZ 21(7)', '应在3个工作日内回收资源，终止云资源服务'),
        },
      ],
      dataBackupFirst: cite(true, 'LZ 21(7)', '须做好信息系统下线和数据迁移备份工作'),
    },
    development: notProvided('LZ has no development resources'),
    emergency: notProvided('LZ has no emergency resources'),
    temporary: notProvided('LZ has no temporary resources'),
    extension: notProvided('LZ has no time-limited resources to extend'),
    backup_extraction: notProvided(
      'LZ has no backup extraction procedure; on exit data is handed over and erased (LZ 26)',
    ),
    green_channel: notProvided('LZ has no green channel'),
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
    elasticScaling: cite(true, 'LZ 21(5)', '业务量变化幅度较大的信息系统根据实时需要动态弹性调整'),
  },
  trial: {
    minCalendarDays: cite(15, 'LZ 21(4)', '试用时间原则上为15—30个自然日 (in principle)'),
  },
  monitoring: {
    agentRequired: silent('LZ says nothing about a monitoring agent'),
    lowUtilisationPercent: unstated('LZ 22', 'real-time monitoring and reporting of utilisation, no threshold'),
    lowUtilisationDays: unstated('LZ 22', 'no period'),
    zombieIdleDays: silent('LZ says nothing about idle systems'),
    warningNeedsAuthorityReview: silent('LZ says nothing about warnings for low use'),
    utilisationReportWeekly: silent('LZ 22 asks for real-time monitoring and 通报, no weekly report'),
    utilisationReportMonthly: silent('LZ 22 asks for real-time monitoring and 通报, no monthly report'),
    analysisReportMonthly: silent('LZ says nothing about monthly analysis'),
    majorIncidentReportCalendarDays: silent('LZ sets no incident report deadline'),
    rectificationWorkingDays: unstated(
      'LZ 29',
      '应按要求、按时限进行整改: the notice sets the period, the regulation names none',
    ),
  },
  retention: {
    systemOperationLogMonthsMin: cite(6, 'LZ 23', '信息系统运行和操作日志信息至少保存6个月以上'),
    providerKeepsUsageLogs: silent('LZ says nothing about usage logs'),
  },
  provider: {
    responseMinutesMax: silent(NO_PROVIDER),
    onSiteDaysPerWeek: silent(NO_PROVIDER),
    onSiteHoursPerDay: silent(NO_PROVIDER),
    hotlineDaysPerWeek: silent(NO_PROVIDER),
    hotlineHoursPerDay: silent(NO_PROVIDER),
    continuousOperation: silent(NO_PROVIDER),
    plannedInterruptionLeadWorkingDays: silent(NO_PROVIDER),
    securityBulletinMonthly: unstated('LZ 26', '定期通报云安全状况: regularly, no interval'),
    emergencyDrillsPerYear: silent('LZ 10 mentions drills, no number'),
  },
  settlement: {
    payAfterUse: unstated(
      'LZ 5',
      'city units’ fees are requested from the finance bureau and budgeted yearly; no settlement rule',
    ),
    evaluationAdjusted: silent('LZ 30-31 use evaluations for next year’s allocation and funding, not for fees'),
    confirmedBy: silent('LZ names nobody who confirms fees'),
  },
  catalogue: {
    versionConfirmedBy: citeRoles(
      ['authority_approver'],
      'LZ 6',
      'LZ annex 4 only says the catalogue is updated as the platform develops; the competent authority (市大数据发展局, LZ 6) approves it',
    ),
  },
  projects: {
    cloudNeedsDeclaredAtApproval: silent(
      'LZ 21(2) evaluates requests against approved project documents; no rule at approval',
    ),
    investmentOverrunApprovalThreshold: silent('LZ says nothing about investment overruns'),
    warrantyYearsMin: silent('LZ says nothing about warranties'),
    declarationMonth: silent('LZ sets no declaration month'),
    reviewBeforeApproval: silent('LZ says nothing about reviewing projects before approval'),
    approvalRole: silent('LZ names no project approver: the authority approver (project:approve)'),
    reviewAsksFitsPlan: silent('LZ has no preliminary review of projects'),
    reviewAsksOnCloud: silent('LZ has no preliminary review of projects'),
    reviewAsksDataSharing: silent('LZ has no preliminary review of projects'),
    dataSharingPlanRequired: silent('LZ asks for no data-sharing plan with a project'),
    urgentPath: silent('LZ has no annual project plan'),
    investmentOverrunInclusive: silent('LZ says nothing about investment overruns'),
    acceptanceBeforeUse: unstated('LZ 21', 'a trial precedes formal use of resources; no project acceptance'),
    postGoLiveEvaluation: silent('LZ evaluates units and providers (LZ 30), not projects'),
  },
  legacyDataCentre: {
    evaluationWorkingDays: cite(15, 'LZ 14(3)', '应在15个工作日内提出评估意见'),
    approvalWorkingDays: cite(5, 'LZ 14(4)', '应在5个工作日内完成认定审批'),
    retentionYears: cite(2, 'LZ 14(4)', '可暂时保留，保留期限为2年'),
    migrationAfterRetentionYears: cite(1, 'LZ 14(5)', '保留期满后，在1年内完成迁移'),
    transitionYearsSmall: cite(1, 'LZ 15(1)', '现有机架数少于5（含）个的，迁移过渡期为1年'),
    transitionYearsLarge: cite(2, 'LZ 15(2)', '其他未通过认定的自建数据中心迁移过渡期为2年'),
    smallRacksMax: cite(5, 'LZ 15(1)', '少于5（含）个: five racks or fewer'),
    areaSquareMetresMin: cite(40, 'LZ 13(3)', '面积不小于40平方米'),
    racksMin: cite(6, 'LZ 13(3)', '可用机架数不少于6个'),
    operatorsMin: cite(2, 'LZ 13(4)', '不少于2人的专职运维团队'),
    extranetIpv6Required: cite(true, 'LZ 13(1)', '与柳州电子政务外网实现互联互通…支持IPv6协议'),
    cloudPlatformConformanceRequired: cite(
      true,
      'LZ 13(2)',
      '云平台应满足GB/T33780-2017，开发与开放相应数据接口，与市级云平台实现对接',
    ),
    classBRequired: cite(true, 'LZ 13(3)', '达到《数据中心设计规范》（GB50174-2017）的B类标准 (class A also meets it)'),
    service7x24Required: cite(true, 'LZ 13(4)', '具备7×24小时运维服务能力'),
    mlpsLevelMin: cite(3, 'LZ 13(5)', '满足GB/T22239-2019的第三级安全通用…要求，并通过网络安全等级保护测评'),
    mlpsCloudExtensionRequired: cite(true, 'LZ 13(5)', '第三级安全通用和云计算安全扩展要求'),
    sensitiveEvaluationWorkingDays: unstated(
      'LZ 17',
      '经市信息化建设管理中心组织评估后: LZ 17 names the evaluation but gives it no period',
    ),
    sensitiveApprovalWorkingDays: cite(5, 'LZ 17', '市大数据发展局应在5个工作日内完成认定审批'),
    sensitiveRetentionYears: cite(2, 'LZ 17', '通过认定审批的，可暂时保留，保留期限为2年'),
    retentionNoticeFirstLeadDays: cite(
      90,
      'LZ 18',
      'LZ 18: 保留期满后…不再安排运维资金. LZ gives no notice period: 90 calendar days before the retention ends is a default for the city to set (override)',
    ),
    retentionNoticeFinalLeadDays: cite(
      30,
      'LZ 18',
      'LZ gives no notice period: 30 calendar days before the retention ends is a default for the city to set (override)',
    ),
    rentedMigrateWithinLease: cite(
      true,
      'LZ 19',
      '在现有的租用合约期内完成…迁移上云工作，不得以任何形式延长租用合约期',
    ),
  },
  sharedData: {
    provided: {
      value: false,
      article: null,
      note: 'Liuzhou’s regulation does not provide a shared-data service; a jurisdiction may enable it by override (sharedData.provided)',
    },
    errorCorrectionWorkingDays: silent(
      'Liuzhou’s regulation sets no deadline for correcting shared-data errors; a jurisdiction enabling shared data sets one by override',
    ),
  },
  evaluation: evaluationSection({
    unitArticle: 'LZ 30(1)',
    unitNote: 'LZ 30(1): 非涉密信息系统迁移上云率、云资源使用效率、信息系统安全管理; weights are the city’s choice',
    providerArticle: 'LZ 10',
    providerNote: 'LZ 10 names 服务质量评价考核 without indicators; indicators and weights are the city’s choice',
    onCloud: 'LZ 30(1)',
    efficiency: 'LZ 30(1)',
    security: 'LZ 30(1)',
    response: null,
    satisfaction: null,
    quality: 'LZ 10',
    bandsArticle: 'LZ 30',
    bands: null,
    bandsNote: 'LZ 30-31 use results for next year’s allocation and funding, not for fees: no coefficient',
    appealArticle: 'LZ 30',
    dataCentreArticle: 'LZ 30(2)',
    allocationArticle: 'LZ 30(1)',
    allocationNote: 'LZ 30(1): 评价结果作为下一年度使用云资源分配的参考依据',
    providerFee: { article: null, bands: null, note: 'LZ ties no provider fee to the evaluation' },
  }),
  defaults: platformDefaults,
} satisfies PolicyPack;
