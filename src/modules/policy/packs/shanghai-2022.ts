import type { PolicyPack } from '../policy.schemas.ts';
import { cite, citeRoles, deadline, noDeadline, notProvided, silent, unstated } from './cite.ts';
import { platformDefaults } from './defaults.ts';
import { evaluationSection, SH_BANDS, SH_PROVIDER_FEE } from './evaluation.ts';

/**
 * 上海市政务云管理暂行办法 (issued by the municipal government office 2022-04-06, in force 2022-05-01): the default pack.
 * Articles are cited `SH n`. The ops unit (市大数据中心) reviews, opens, scales and reclaims; the economy & IT
 * authority sets quotas and approves overruns, emergency and temporary resources.
 */
export const shanghai2022 = {
  id: 'shanghai-2022',
  version: '1.0.0',
  city: { zh: '上海', en: 'Shanghai' },
  title: '上海市政务云管理暂行办法',
  year: 2022,
  documentStatus: 'issued',
  sources: [{ prefix: 'SH', title: '上海市政务云管理暂行办法' }],
  effective: { from: '2022-05-01', article: 'SH 35', note: '本办法自2022年5月1日起实施' },
  bodies: [
    { role: 'authority_approver', zh: '市政府办公厅（市政务云主管部门）', article: 'SH 5' },
    { role: 'economy_it_approver', zh: '市经济信息化主管部门', article: 'SH 5' },
    { role: 'finance_officer', zh: '市、区财政部门', article: 'SH 5' },
    { role: 'ops_reviewer', zh: '市大数据中心（市级政务云运行管理单位）', article: 'SH 5' },
    { role: 'provider_operator', zh: '政务云服务商', article: 'SH 10' },
    { role: 'unit_applicant', zh: '使用单位', article: 'SH 18' },
  ],
  orderTypes: {
    new_resources: {
      enabled: cite(true, 'SH 19'),
      steps: [
        {
          id: 'test_review',
          name: { zh: '审核并开通测试资源', en: 'Review and open test resources' },
          role: 'ops_reviewer',
          fulfilment: 'open_test',
          deadline: deadline(5, 'working_days', 'SH 19', '在五个工作日内完成审核并开通政务云测试资源'),
          note: '以项目审批时核定的项目配额为准（SH 18）。',
        },
        {
          id: 'unit_verification',
          name: { zh: '使用单位验证测试资源', en: 'Unit verifies the test resources' },
          role: 'unit_applicant',
          deadline: deadline(1, 'months', 'SH 19', '原则上在一个月内完成验证'),
        },
        {
          id: 'formal_opening',
          name: { zh: '正式开通', en: 'Formal opening' },
          role: 'ops_reviewer',
          fulfilment: 'open',
          deadline: deadline(2, 'working_days', 'SH 19', '自使用单位告知验证通过之日起计算'),
        },
      ],
    },
    scale_up: {
      enabled: cite(true, 'SH 20'),
      steps: [
        {
          id: 'overrun_approval',
          name: { zh: '超配额审批', en: 'Approval of a quota overrun' },
          role: 'economy_it_approver',
          when: 'quota_overrun',
          deadline: noDeadline('SH 20', 'SH 20 未规定市经济信息化主管部门的办理时限'),
          note: '仅当使用单位申请总量超出其项目配额总量的比例超过“超出配额需审批的比例”时经过此步。',
        },
        {
          id: 'review',
          name: { zh: '扩容审核', en: 'Review' },
          role: 'ops_reviewer',
          deadline: deadline(5, 'working_days', 'SH 20'),
        },
        {
          id: 'scale_up',
          name: { zh: '完成扩容', en: 'Scale up' },
          role: 'ops_reviewer',
          fulfilment: 'scale_up',
          deadline: deadline(5, 'working_days', 'SH 20'),
        },
      ],
      dataBackupFirst: cite(true, 'SH 26'),
    },
    change: notProvided(
      'SH provides for scale-up (SH 20) and reclaim (SH 21) only; other configuration changes have no procedure.',
    ),
    reclaim: {
      enabled: cite(true, 'SH 21'),
      steps: [
        {
          id: 'review_and_reclaim',
          name: { zh: '审核并回收', en: 'Review and reclaim' },
          role: 'ops_reviewer',
          fulfilment: 'reclaim',
          deadline: deadline(10, 'working_days', 'SH 21'),
        },
      ],
      dataBackupFirst: cite(true, 'SH 26'),
    },
    development: {
      enabled: cite(
        true,
        'SH 22',
        'for city-level units with an approved project, to deploy a verification environment',
      ),
      steps: [
        {
          id: 'review',
          name: { zh: '开发资源审核', en: 'Review' },
          role: 'ops_reviewer',
          fulfilment: 'allocate',
          deadline: noDeadline('SH 22', 'SH 22 未规定办理时限'),
        },
      ],
      dataBackupFirst: cite(true, 'SH 26', 'before expiry'),
    },
    emergency: {
      enabled: cite(true, 'SH 23'),
      steps: [
        {
          id: 'approval',
          name: { zh: '应急资源审批', en: 'Approval' },
          role: 'economy_it_approver',
          deadline: noDeadline('SH 23', 'SH 23 未规定办理时限'),
        },
        {
          id: 'allocation',
          name: { zh: '配置资源', en: 'Allocation' },
          role: 'ops_reviewer',
          fulfilment: 'allocate',
          deadline: noDeadline(
            'SH 23',
            'SH 23 规定使用期限自资源配置之日起计算，但未规定配置时限；由运行管理单位配置（SH 5）',
          ),
        },
      ],
      dataBackupFirst: cite(true, 'SH 26', 'before expiry'),
    },
    temporary: {
      enabled: cite(
        true,
        'SH 24',
        'projects not yet approved that are key tasks of the municipal party committee and government, or decided at a topical meeting and declared for approval',
      ),
      steps: [
        {
          id: 'quota_approval',
          name: { zh: '核定临时资源配额', en: 'Set the temporary quota' },
          role: 'economy_it_approver',
          deadline: noDeadline('SH 24', 'SH 24 未规定办理时限'),
        },
        {
          id: 'allocation',
          name: { zh: '配置资源', en: 'Allocation' },
          role: 'ops_reviewer',
          fulfilment: 'allocate',
          deadline: noDeadline('SH 24', 'SH 24 未规定办理时限'),
        },
      ],
      dataBackupFirst: cite(true, 'SH 26', 'before expiry'),
    },
    extension: {
      enabled: cite(
        true,
        'SH 23',
        'emergency (SH 23) and temporary (SH 24) resources; development resources have no extension (SH 22)',
      ),
      steps: [
        {
          id: 'economy_it_review',
          name: { zh: '经信部门审核延期', en: 'Economy & IT authority reviews' },
          role: 'economy_it_approver',
          deadline: noDeadline('SH 23', 'SH 23、SH 24 未规定审批时限'),
        },
        {
          id: 'authority_review',
          name: { zh: '主管部门审核延期', en: 'Competent authority reviews' },
          role: 'authority_approver',
          deadline: noDeadline('SH 23', '同时报市经济信息化主管部门和政务云主管部门；SH 23、SH 24 未明确由哪一方决定'),
        },
      ],
    },
    backup_extraction: notProvided(
      'SH 32: the ops unit provides disaster recovery and backup; its management rules are to be issued separately (另行制定).',
      'SH 32',
    ),
    green_channel: notProvided('SH has no green channel; short-term needs use emergency resources (SH 23).'),
  },
  quota: {
    developmentShareMax: cite('0.15', 'SH 22', '开发资源配额原则上不超过项目配额的15%'),
    developmentMonthsMax: cite(3, 'SH 22', '使用期限自资源配置之日起不超过三个月'),
    overrunApprovalAbove: cite(
      '0.20',
      'SH 20',
      '市级使用单位申请总量超出其项目配额总量 20% 以上的，向市经济信息化主管部门申请',
    ),
    emergencyMonthsMax: cite(3, 'SH 23', '应急资源使用期限自资源配置之日起不超过三个月'),
    temporaryMonthsMax: cite(6, 'SH 24', '临时资源使用期限自资源配置之日起不超过六个月'),
    emergencyExtensionLeadWorkingDays: cite(15, 'SH 23', '至少提前十五个工作日'),
    temporaryExtensionLeadWorkingDays: cite(15, 'SH 24', '至少提前十五个工作日'),
    expiryNoticeWorkingDays: unstated('SH 21', '到期前提前通知使用单位，未规定提前的天数'),
    periodicQuota: cite(true, 'SH 18', '对负载呈周期性变化的信息系统实行周期性动态配额'),
    elasticScaling: silent('本办法规定了周期性动态配额（SH 18），未规定弹性伸缩'),
  },
  trial: {
    minCalendarDays: silent('SH sets a verification period (new_resources.unit_verification), no minimum trial'),
  },
  monitoring: {
    agentRequired: cite(true, 'SH 25', '安装部署云资源使用监测软件，不得篡改、屏蔽和卸载'),
    lowUtilisationPercent: unstated('SH 25', '使用率长期较低: no threshold'),
    lowUtilisationDays: unstated('SH 25', '长期: no period'),
    zombieIdleDays: unstated('SH 25', '僵尸系统长期占用: no period'),
    warningNeedsAuthorityReview: cite(true, 'SH 25', '报政务云主管部门审核后予以警告提示'),
    utilisationReportWeekly: silent('SH says nothing about weekly reports'),
    utilisationReportMonthly: silent('SH says nothing about monthly reports'),
    analysisReportMonthly: silent('SH says nothing about monthly analysis'),
    majorIncidentReportCalendarDays: unstated('SH 31', '及时向相关部门报告: no number'),
    rectificationWorkingDays: unstated('SH 25', '予以警告提示，责令整改: rectification is ordered, no period named'),
  },
  retention: {
    systemOperationLogMonthsMin: silent('SH sets no log retention period'),
    providerKeepsUsageLogs: silent('SH says nothing about usage logs'),
  },
  provider: {
    responseMinutesMax: silent('SH sets no response time'),
    onSiteDaysPerWeek: silent('SH sets no on-site service'),
    onSiteHoursPerDay: silent('SH sets no on-site service'),
    hotlineDaysPerWeek: silent('SH sets no hotline'),
    hotlineHoursPerDay: silent('SH sets no hotline'),
    continuousOperation: silent('SH sets no availability figure'),
    plannedInterruptionLeadWorkingDays: unstated(
      'SH 28',
      'providers submit optimisation and adjustment plans ahead (提前报送), no number; nothing on planned interruptions',
    ),
    securityBulletinMonthly: silent('SH says nothing about security bulletins'),
    emergencyDrillsPerYear: unstated('SH 31', '定期组织开展应急演练: regularly, no number'),
  },
  settlement: {
    payAfterUse: cite(true, 'SH 27', '先用后付，按实结算'),
    evaluationAdjusted: cite(true, 'SH 27', '按照服务目录单价、服务实际使用量、效能评估结果核算'),
    confirmedBy: cite('economy_it_approver', 'SH 27', '报市经济信息化主管部门核定'),
  },
  catalogue: {
    versionConfirmedBy: citeRoles(
      ['authority_approver', 'economy_it_approver'],
      'SH 15',
      '编制政务云服务目录，报市政务云主管部门、市经济信息化主管部门核定; adjustments follow the same procedure (SH 16)',
    ),
  },
  projects: {
    cloudNeedsDeclaredAtApproval: cite(true, 'SH 18', '申请立项时同步提交政务云资源项目配额申请'),
    investmentOverrunApprovalThreshold: silent('SH says nothing about project investment overruns'),
    warrantyYearsMin: silent('SH says nothing about warranties'),
    declarationMonth: silent('SH sets no declaration month'),
    reviewBeforeApproval: silent('SH 18 asks for the quota with the project; it sets no review before 立项'),
    approvalRole: unstated(
      'SH 18',
      'SH 18 names who sets the quota (经济信息化主管部门), not who approves the project: the authority approver (project:approve)',
    ),
    reviewAsksFitsPlan: silent('SH has no preliminary review of projects'),
    reviewAsksOnCloud: silent('SH has no preliminary review of projects'),
    reviewAsksDataSharing: silent('SH has no preliminary review of projects'),
    dataSharingPlanRequired: silent('SH asks for no data-sharing plan with a project'),
    urgentPath: silent('SH has no annual plan for an urgent path to bypass (emergency resources are SH 23)'),
    investmentOverrunInclusive: silent('SH says nothing about investment overruns'),
    acceptanceBeforeUse: unstated(
      'SH 19',
      'the unit verifies its test resources before the formal opening; no project acceptance',
    ),
    postGoLiveEvaluation: silent('SH evaluates units and providers (SH 33-34), not projects'),
  },
  legacyDataCentre: {
    evaluationWorkingDays: silent(
      'SH 10: existing city-level infrastructure merges into the city cloud gradually; no procedure',
    ),
    approvalWorkingDays: silent('SH has no legacy data-centre certification'),
    retentionYears: silent('SH has no legacy data-centre certification'),
    migrationAfterRetentionYears: silent('SH has no legacy data-centre certification'),
    transitionYearsSmall: silent('SH has no legacy data-centre certification'),
    transitionYearsLarge: silent('SH has no legacy data-centre certification'),
    smallRacksMax: silent('SH has no legacy data-centre certification'),
    areaSquareMetresMin: silent('SH has no legacy data-centre certification'),
    racksMin: silent('SH has no legacy data-centre certification'),
    operatorsMin: silent('SH has no legacy data-centre certification'),
    extranetIpv6Required: silent('SH has no legacy data-centre certification'),
    cloudPlatformConformanceRequired: silent('SH has no legacy data-centre certification'),
    classBRequired: silent('SH has no legacy data-centre certification'),
    service7x24Required: silent('SH has no legacy data-centre certification'),
    mlpsLevelMin: silent('SH has no legacy data-centre certification'),
    mlpsCloudExtensionRequired: silent('SH has no legacy data-centre certification'),
    sensitiveEvaluationWorkingDays: silent('SH has no legacy data-centre certification'),
    sensitiveApprovalWorkingDays: silent('SH has no legacy data-centre certification'),
    sensitiveRetentionYears: silent('SH has no legacy data-centre certification'),
    retentionNoticeFirstLeadDays: silent('SH has no legacy data-centre certification'),
    retentionNoticeFinalLeadDays: silent('SH has no legacy data-centre certification'),
    rentedMigrateWithinLease: silent('SH has no legacy data-centre certification'),
  },
  sharedData: {
    provided: {
      value: false,
      article: null,
      note: 'Shanghai’s regulation does not provide a shared-data service; a jurisdiction may enable it by override (sharedData.provided)',
    },
    errorCorrectionWorkingDays: silent(
      'Shanghai’s regulation sets no deadline for correcting shared-data errors; a jurisdiction enabling shared data sets one by override',
    ),
  },
  evaluation: evaluationSection({
    unitArticle: 'SH 33',
    unitNote:
      'SH 33: units are evaluated on 资源使用效率 等; the three indicators and their weights are the city’s choice',
    providerArticle: 'SH 33',
    providerNote:
      'SH 33: providers on 建设、服务提供、运行维护和安全保障; indicators and weights are the city’s choice',
    onCloud: null,
    efficiency: 'SH 33',
    security: 'SH 31',
    response: 'SH 33',
    satisfaction: null,
    quality: 'SH 33',
    bandsArticle: 'SH 27',
    bands: SH_BANDS,
    bandsNote: 'SH 27: fees = 单价 × 实际使用量 × 效能评估结果; the bands and coefficients are the city’s choice',
    appealArticle: 'SH 34',
    allocationArticle: 'SH 34',
    allocationNote: 'SH 34: 评估结果作为使用单位政务云资源调整……的重要依据',
    providerFee: {
      article: 'SH 34',
      bands: SH_PROVIDER_FEE,
      note: 'SH 34: 评估结果作为……政务云服务商服务费核定的重要依据; the bands and shares are the city’s choice',
    },
  }),
  defaults: platformDefaults,
} satisfies PolicyPack;
