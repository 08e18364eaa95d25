import type { PolicyPack } from '../policy.schemas.ts';
import { cite, citeRoles, fulfils, noDeadline, notProvided, silent, unstated } from './cite.ts';
import { platformDefaults } from './defaults.ts';
import { evaluationSection } from './evaluation.ts';

const NB = '本办法未规定具体时限';
const NO_QUOTA = '本办法未规定配额规则';
const NO_PROVIDER = 'NB sets no provider service levels (NB 20: emergency and disaster recovery mechanisms)';

/** NB 18: requests for cloud-centre resources without new investment; the management office confirms. */
const requestSteps = [
  {
    id: 'confirmation',
    name: { zh: '技术、安全、管理确认', en: 'Technical, security and management confirmation' },
    role: 'ops_reviewer' as const,
    deadline: noDeadline('NB 18', NB),
  },
  {
    id: 'provision',
    name: { zh: '云中心提供保障', en: 'The cloud centre provides' },
    role: 'ops_reviewer' as const,
    deadline: noDeadline('NB 18', NB),
    note: '使用前签订服务合同，明确双方权利、义务和安全责任（NB 15）。',
  },
];

/**
 * 宁波市政务云计算中心管理办法 (issued 2014-05-30 by the municipal government office; 自公布之日起实行). Articles are
 * cited `NB n`. The 市智慧办 builds and manages the cloud centre; its 政务云计算中心（大数据）管理办公室 runs it
 * day to day. Projects with new investment go through project approval (NB 17), outside the platform.
 */
export const ningbo2014 = {
  id: 'ningbo-2014',
  version: '1.0.0',
  city: { zh: '宁波', en: 'Ningbo' },
  title: '宁波市政务云计算中心管理办法',
  year: 2014,
  documentStatus: 'issued',
  sources: [{ prefix: 'NB', title: '宁波市政务云计算中心管理办法' }],
  effective: {
    from: '2014-05-30',
    article: 'NB 21',
    note: '本办法自公布之日起实行；随市政府办公厅2014年5月30日的通知公布',
  },
  bodies: [
    { role: 'authority_approver', zh: '市智慧城市建设工作领导小组办公室（市智慧办）', article: 'NB 4' },
    { role: 'ops_reviewer', zh: '市政务云计算中心（大数据）管理办公室', article: 'NB 6' },
    { role: 'finance_officer', zh: '市财政局', article: 'NB 5' },
    { role: 'unit_applicant', zh: '项目建设单位', article: 'NB 18' },
  ],
  orderTypes: {
    new_resources: {
      enabled: cite(
        true,
        'NB 18',
        'projects without new investment; projects with new investment apply through project approval (NB 17)',
      ),
      steps: fulfils(requestSteps, 'provision', 'open'),
    },
    scale_up: {
      enabled: cite(true, 'NB 18', 'more resources without new investment are a request for cloud-centre resources'),
      steps: fulfils(requestSteps, 'provision', 'scale_up'),
    },
    change: notProvided('NB has no change procedure'),
    reclaim: {
      enabled: cite(
        true,
        'NB 18',
        'NB has no reclaim procedure; a unit releasing resources it no longer needs applies to the management office as for any cloud-centre resources (NB 18): the platform’s reading, so nothing keeps running and billing unwanted',
      ),
      steps: [
        {
          id: 'release',
          name: { zh: '确认并释放资源', en: 'Confirm and release' },
          role: 'ops_reviewer' as const,
          fulfilment: 'reclaim' as const,
          deadline: noDeadline('NB 18', NB),
        },
      ],
    },
    development: notProvided('NB has no development resources'),
    emergency: notProvided('NB has no emergency resources'),
    temporary: notProvided('NB has no temporary resources'),
    extension: notProvided('NB has no time-limited resources to extend'),
    backup_extraction: notProvided('NB has no backup extraction procedure'),
    green_channel: notProvided('NB has no green channel'),
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
    elasticScaling: silent(NO_QUOTA),
  },
  trial: {
    minCalendarDays: silent('NB has no trial'),
  },
  monitoring: {
    agentRequired: silent('NB says nothing about a monitoring agent'),
    lowUtilisationPercent: silent('NB sets no utilisation threshold'),
    lowUtilisationDays: silent('NB sets no utilisation period'),
    zombieIdleDays: silent('NB says nothing about idle systems'),
    warningNeedsAuthorityReview: silent('NB says nothing about warnings for low use'),
    utilisationReportWeekly: silent('NB says nothing about reports'),
    utilisationReportMonthly: silent('NB says nothing about reports'),
    analysisReportMonthly: silent('NB says nothing about reports'),
    majorIncidentReportCalendarDays: silent('NB sets no incident report deadline'),
    rectificationWorkingDays: silent('NB says nothing about rectification of resource use'),
  },
  retention: {
    systemOperationLogMonthsMin: silent('NB sets no log retention'),
    providerKeepsUsageLogs: silent('NB 14 asks for traceability of shared-data use, nothing about resource usage logs'),
  },
  provider: {
    responseMinutesMax: silent(NO_PROVIDER),
    onSiteDaysPerWeek: silent(NO_PROVIDER),
    onSiteHoursPerDay: silent(NO_PROVIDER),
    hotlineDaysPerWeek: silent(NO_PROVIDER),
    hotlineHoursPerDay: silent(NO_PROVIDER),
    continuousOperation: silent(NO_PROVIDER),
    plannedInterruptionLeadWorkingDays: silent(NO_PROVIDER),
    securityBulletinMonthly: silent(NO_PROVIDER),
    emergencyDrillsPerYear: silent(NO_PROVIDER),
  },
  settlement: {
    payAfterUse: unstated('NB 8', 'direct investment or purchased services; no settlement rule'),
    evaluationAdjusted: silent('NB says nothing about fees and evaluation'),
    confirmedBy: silent('NB names nobody who confirms fees'),
  },
  catalogue: {
    versionConfirmedBy: citeRoles(
      ['authority_approver'],
      'NB 4',
      'NB 15: the cloud centre publishes its service catalogue; no confirmation is named, the competent authority (NB 4) approves it',
    ),
  },
  projects: {
    cloudNeedsDeclaredAtApproval: cite(
      true,
      'NB 17',
      '可行性研究报告或实施方案中明确“项目基于政务云计算中心开发部署方案”和“项目基础数据共享与应用方案”',
    ),
    investmentOverrunApprovalThreshold: silent('NB says nothing about investment overruns'),
    warrantyYearsMin: silent('NB says nothing about warranties'),
    declarationMonth: silent('NB sets no declaration month (projects follow the existing approval procedure, NB 17)'),
    reviewBeforeApproval: cite(
      true,
      'NB 17',
      '管理办公室应对开发部署方案和基础数据共享与应用方案进行技术论证和需求确认，并向项目审批部门提供意见',
    ),
    approvalRole: unstated(
      'NB 17',
      '项目审批部门 (the 市发改委) approves under the existing procedure: the authority approver (project:approve)',
    ),
    reviewAsksFitsPlan: silent('NB 17 reviews the two plans only'),
    reviewAsksOnCloud: cite(true, 'NB 17', '“项目基于政务云计算中心开发部署方案”的技术论证'),
    reviewAsksDataSharing: cite(true, 'NB 17', '“项目基础数据共享与应用方案”的技术论证'),
    dataSharingPlanRequired: cite(
      true,
      'NB 17',
      '说明项目能够提供的共享数据目录(属性、格式、范围、权限管理、更新方案等)，以及其他部门对项目数据的共享需求',
    ),
    urgentPath: silent('NB has no annual project plan'),
    investmentOverrunInclusive: silent('NB says nothing about investment overruns'),
    acceptanceBeforeUse: silent('NB says nothing about project acceptance'),
    postGoLiveEvaluation: silent('NB says nothing about evaluating projects'),
  },
  legacyDataCentre: {
    evaluationWorkingDays: unstated('NB 16', 'existing systems migrate step by step, voluntarily; no procedure'),
    approvalWorkingDays: silent('NB has no certification of own data centres'),
    retentionYears: silent('NB sets no period'),
    migrationAfterRetentionYears: silent('NB sets no period'),
    transitionYearsSmall: silent('NB sets no period'),
    transitionYearsLarge: silent('NB sets no period'),
    smallRacksMax: silent('NB sets no size criteria'),
    areaSquareMetresMin: silent('NB sets no size criteria'),
    racksMin: silent('NB sets no size criteria'),
    operatorsMin: silent('NB sets no staffing criteria'),
    extranetIpv6Required: silent('NB has no certification of own data centres (NB 16: voluntary, gradual migration)'),
    cloudPlatformConformanceRequired: silent(
      'NB has no certification of own data centres (NB 16: voluntary, gradual migration)',
    ),
    classBRequired: silent('NB has no certification of own data centres (NB 16: voluntary, gradual migration)'),
    service7x24Required: silent('NB has no certification of own data centres (NB 16: voluntary, gradual migration)'),
    mlpsLevelMin: silent('NB has no certification of own data centres (NB 16: voluntary, gradual migration)'),
    mlpsCloudExtensionRequired: silent(
      'NB has no certification of own data centres (NB 16: voluntary, gradual migration)',
    ),
    sensitiveEvaluationWorkingDays: silent(
      'NB has no certification of own data centres (NB 16: voluntary, gradual migration)',
    ),
    sensitiveApprovalWorkingDays: silent(
      'NB has no certification of own data centres (NB 16: voluntary, gradual migration)',
    ),
    sensitiveRetentionYears: silent(
      'NB has no certification of own data centres (NB 16: voluntary, gradual migration)',
    ),
    retentionNoticeFirstLeadDays: silent(
      'NB has no certification of own data centres (NB 16: voluntary, gradual migration)',
    ),
    retentionNoticeFinalLeadDays: silent(
      'NB has no certification of own data centres (NB 16: voluntary, gradual migration)',
    ),
    rentedMigrateWithinLease: silent(
      'NB has no certification of own data centres (NB 16: voluntary, gradual migration)',
    ),
  },
  sharedData: {
    provided: cite(
      true,
      'NB 14',
      '云中心向数据提供单位和数据共享单位统一提供数据授权、认证和追溯等服务; shared data through the centre (NB 13), the catalogue and service guide (NB 15)',
    ),
    errorCorrectionWorkingDays: cite(
      10,
      'NB 14',
      'NB 14: 数据使用单位发现数据差错时，应按流程及时反馈给数据提供单位. NB gives no number: 10 working days is a default for the city to set (override sharedData.errorCorrectionWorkingDays)',
    ),
  },
  evaluation: evaluationSection({
    unitArticle: 'NB 3',
    unitNote:
      'NB 3: 云中心建设和推进应用情况 enters the smart-city assessment; indicators and weights are the city’s choice',
    providerArticle: null,
    providerNote: 'NB names no provider evaluation; the provider card is the city’s choice',
    onCloud: 'NB 3',
    efficiency: null,
    security: null,
    response: null,
    satisfaction: null,
    quality: null,
    bandsArticle: 'NB 3',
    bands: null,
    bandsNote: 'NB says nothing about fees and evaluation: no coefficient',
    appealArticle: 'NB 3',
    allocationArticle: null,
    allocationNote: 'NB names no use of the results for allocation',
    providerFee: { article: null, bands: null, note: 'NB says nothing about fees and evaluation' },
  }),
  defaults: platformDefaults,
} satisfies PolicyPack;
