import type { Actor } from '../../platform/audit/audit.ts';
import type { Trx } from '../../schema.ts';
import { demoUser } from '../identity/index.ts';
import { setOverride } from '../policy/index.ts';
import { createProject } from '../projects/index.ts';
import * as decl from './itprojects.declarations.ts';
import * as delivery from './itprojects.delivery.ts';
import * as repo from './itprojects.repository.ts';
import type { ChecklistAnswer, DeploymentLine, SharingLine } from './itprojects.table.ts';

// Demo data only: IT projects of the demo city in several stages, each written through the module's own
// services as the demo users, dated around the demo's "today" (2026-11-22). The demo city runs Shanghai's
// pack, which has no preliminary review, no change threshold and no acceptance (SH 18 only asks for the quota
// with the project); the demo takes those from Jiuquan's project rules by override (JQ-proj 7-17), but not
// the JQ-proj 9 gate (it would hold the demo's older projects, approved before any review) nor the September
// month (so a round can be opened on any day of the demo).

const at = (shanghai: string) => new Date(`${shanghai}+08:00`);
const REASON = '示范市参照《酒泉市政务信息化项目建设管理办法》第七至十七条管理信息化项目（演示）';
const OVERRIDES: [string, unknown][] = [
  ['projects.reviewAsksFitsPlan', true],
  ['projects.reviewAsksOnCloud', true],
  ['projects.reviewAsksDataSharing', true],
  ['projects.dataSharingPlanRequired', true],
  ['projects.urgentPath', true],
  ['projects.investmentOverrunApprovalThreshold', '0.10'],
  ['projects.investmentOverrunInclusive', false],
  ['projects.warrantyYearsMin', 3],
  ['projects.acceptanceBeforeUse', true],
  ['projects.postGoLiveEvaluation', true],
];

const vm = (environment: DeploymentLine['environment'], count: number, vcpu: number, memoryGb: number) => ({
  environment,
  itemCode: 'cloud-vm',
  count,
  specification: { vcpu, memoryGb, systemDiskGb: 40, dataDiskGb: 200 },
});
const PASS = (onCloud: string, sharing: string): ChecklistAnswer[] => [
  { item: 'fits_plan', passed: true, note: '符合示范市“十四五”智慧城市建设规划' },
  { item: 'on_cloud', passed: true, note: onCloud },
  { item: 'data_sharing', passed: true, note: sharing },
];

interface DemoDeclaration {
  user: 'applicant' | 'edu';
  approvalNo: string;
  name: string;
  year: number;
  description: string;
  investment: string;
  funding: string;
  plan: DeploymentLine[];
  sharing: SharingLine[];
  urgentReason?: string;
}

const HEALTH_PLAN = [vm('production', 4, 8, 16), vm('test', 1, 4, 8)];
const EDU_PLAN = [vm('production', 6, 8, 32), vm('development', 1, 4, 8)];

const DEMO: Record<string, DemoDeclaration> = {
  hospital: {
    user: 'applicant',
    approvalNo: '示卫健申〔2026〕12号',
    name: '互联网医院服务平台',
    year: 2027,
    description: '全市公立医院在线问诊、处方流转和医保结算的统一平台，依托政务云部署。',
    investment: '3200000',
    funding: '市级财政资金',
    plan: HEALTH_PLAN,
    sharing: [
      { direction: 'provides', name: '电子处方', description: '向医保局共享，用于在线结算' },
      { direction: 'uses', name: '人口基础信息', description: '从市人口综合库核验患者身份' },
    ],
  },
  vaccine: {
    user: 'applicant',
    approvalNo: '示卫健申〔2026〕15号',
    name: '疫苗接种管理系统升级',
    year: 2027,
    description: '接种点预约、冷链追溯和接种记录查询，扩容至全市社区卫生服务中心。',
    investment: '860000',
    funding: '市级财政资金',
    plan: [vm('production', 2, 4, 8)],
    sharing: [{ direction: 'uses', name: '出生医学证明信息', description: '自动生成儿童接种档案' }],
  },
  education: {
    user: 'edu',
    approvalNo: '示教申〔2026〕8号',
    name: '教育资源公共服务平台',
    year: 2027,
    description: '汇聚全市优质课程资源，面向中小学师生提供在线学习服务。',
    investment: '2450000.50',
    funding: '市级财政资金与省级专项补助',
    plan: EDU_PLAN,
    sharing: [{ direction: 'provides', name: '学籍基础信息', description: '向人社、民政部门共享' }],
  },
  library: {
    user: 'edu',
    approvalNo: '示教申〔2026〕9号',
    name: '校园安全视频联网平台',
    year: 2027,
    description: '中小学校园视频监控接入与智能告警。',
    investment: '1380000',
    funding: '市级财政资金',
    plan: [vm('production', 3, 8, 16)],
    sharing: [{ direction: 'provides', name: '校园告警事件', description: '向公安、应急部门推送' }],
  },
  emergency: {
    user: 'applicant',
    approvalNo: '示卫健申〔2026〕6号',
    name: '突发公共卫生事件应急指挥系统',
    year: 2026,
    description: '传染病疫情监测预警、应急物资调度和指挥调度一体化系统。',
    investment: '1500000',
    funding: '市级财政应急资金',
    plan: [vm('production', 2, 8, 16), vm('test', 1, 4, 8)],
    sharing: [{ direction: 'provides', name: '疫情预警信息', description: '向应急管理局、教育局推送' }],
    urgentReason: '年度计划之外，应对冬春季呼吸道传染病高发急需建设',
  },
};

export async function seedDemoItProjects(trx: Trx, _actor: Actor): Promise<number> {
  const applicant = await demoUser(trx, 'applicant');
  const edu = await demoUser(trx, 'edu');
  const reviewer = await demoUser(trx, 'reviewer');
  const approver = await demoUser(trx, 'approver');
  const cityId = await repo.jurisdictionIdByCode(trx, 'demo-city');
  if (!cityId || (await repo.roundOfYear(trx, cityId, 2027))) return 0;
  for (const [path, value] of OVERRIDES) {
    // Seeding runs outside any request and has no clock: the demo's overrides are set when it is seeded.
    await setOverride(trx, approver.auth, approver.actor, 'demo-city', { path, value, reason: REASON }, new Date());
  }
  const users = { applicant, edu };
  const projectIds: Record<string, string> = {};
  for (const [key, p] of Object.entries(DEMO)) {
    const u = users[p.user];
    const project = await createProject(
      trx,
      u.auth,
      u.actor,
      { approvalNo: p.approvalNo, name: p.name, year: p.year, description: p.description },
      at('2026-06-01T09:00:00'),
    );
    projectIds[key] = project.id;
  }
  // a declared project the unit has not declared yet: the declaration form's first project
  await createProject(
    trx,
    applicant.auth,
    applicant.actor,
    {
      approvalNo: '示卫健申〔2026〕21号',
      name: '基层医疗卫生机构管理信息系统',
      year: 2027,
      description: '社区卫生服务中心和乡镇卫生院的诊疗、公卫和药品管理。',
    },
    at('2026-11-16T09:00:00'),
  );

  const declare = async (key: string, roundId: string | null, now: Date) => {
    const p = DEMO[key] as DemoDeclaration;
    const u = users[p.user];
    const d = await decl.createDeclaration(
      trx,
      u.auth,
      u.actor,
      {
        projectId: projectIds[key] as string,
        roundId,
        urgent: !!p.urgentReason,
        urgentReason: p.urgentReason ?? null,
        feasibilitySummary: p.description,
        investment: p.investment,
        fundingSource: p.funding,
        deploymentPlan: p.plan,
        dataSharingPlan: p.sharing,
      },
      now,
    );
    return d.id;
  };
  const submit = (key: string, id: string, now: Date) => {
    const u = users[(DEMO[key] as DemoDeclaration).user];
    return decl.submitDeclaration(trx, u.auth, u.actor, id, now);
  };
  const review = (id: string, answers: ChecklistAnswer[], now: Date) =>
    decl.reviewDeclaration(trx, reviewer.auth, reviewer.actor, id, answers, now);

  // The urgent project (JQ-proj 8): declared in June, approved, built, failed its first acceptance, accepted.
  const emergency = await declare('emergency', null, at('2026-06-10T10:00:00'));
  await submit('emergency', emergency, at('2026-06-10T15:00:00'));
  await review(emergency, PASS('部署于政务云业务区', '预警信息按需推送相关部门'), at('2026-06-15T10:00:00'));
  await decl.approveDeclaration(trx, approver.auth, approver.actor, emergency, '同意立项', at('2026-06-19T10:00:00'));
  await decl.reviewDesign(
    trx,
    approver.auth,
    approver.actor,
    emergency,
    { passed: true, note: '初步设计和投资概算合理' },
    at('2026-06-30T10:00:00'),
  );
  await delivery.recordAcceptance(
    trx,
    approver.auth,
    approver.actor,
    projectIds.emergency as string,
    {
      result: 'failed',
      acceptedOn: '2026-10-20',
      opinion: '物资调度模块未完成压力测试，限期整改',
      rectificationDue: '2026-11-20',
    },
    at('2026-10-20T16:00:00'),
  );
  await delivery.recordAcceptance(
    trx,
    approver.auth,
    approver.actor,
    projectIds.emergency as string,
    { result: 'passed', acceptedOn: '2026-11-18', opinion: '整改完成，功能和性能满足建设要求，同意验收' },
    at('2026-11-18T16:00:00'),
  );

  // The 2027 round: opened on 1 September, closed on 30 September (the month's last working day).
  const round = await decl.openRound(
    trx,
    approver.auth,
    approver.actor,
    { jurisdiction: 'demo-city', planYear: 2027, investmentCeiling: '6000000' },
    at('2026-09-01T09:30:00'),
  );
  const hospital = await declare('hospital', round.id, at('2026-09-08T10:00:00'));
  await submit('hospital', hospital, at('2026-09-10T10:00:00'));
  const education = await declare('education', round.id, at('2026-09-14T10:00:00'));
  await submit('education', education, at('2026-09-16T10:00:00'));
  const vaccine = await declare('vaccine', round.id, at('2026-09-21T10:00:00'));
  await submit('vaccine', vaccine, at('2026-09-22T10:00:00'));
  await declare('library', round.id, at('2026-09-29T10:00:00')); // a draft never filed
  await review(hospital, PASS('依托政务云开发、部署、运行', '电子处方向医保局共享'), at('2026-09-18T10:00:00'));
  await review(education, PASS('部署于政务云互联网区', '学籍信息按目录共享'), at('2026-09-25T10:00:00'));
  await review(
    vaccine,
    [
      { item: 'fits_plan', passed: true, note: '符合规划' },
      { item: 'on_cloud', passed: true, note: '部署于政务云' },
      { item: 'data_sharing', passed: false, note: '接种记录未纳入共享目录，请补充数据共享方案后重新申报' },
    ],
    at('2026-10-08T10:00:00'),
  );
  await decl.assemblePlan(
    trx,
    approver.auth,
    approver.actor,
    round.id,
    [hospital, education],
    at('2026-10-09T10:00:00'),
  );
  await decl.approveDeclaration(trx, approver.auth, approver.actor, hospital, '同意立项', at('2026-10-15T10:00:00'));
  await decl.reviewDesign(
    trx,
    approver.auth,
    approver.actor,
    hospital,
    { passed: true, note: '初步设计和投资概算通过评审' },
    at('2026-10-28T10:00:00'),
  );
  // JQ-proj 12: +6.25% is recorded; +12.5% on top goes to the authority and waits
  await delivery.requestChange(
    trx,
    applicant.auth,
    applicant.actor,
    projectIds.hospital as string,
    { investment: '3400000', reason: '增加医保移动支付接口' },
    at('2026-11-05T10:00:00'),
  );
  await delivery.requestChange(
    trx,
    applicant.auth,
    applicant.actor,
    projectIds.hospital as string,
    { investment: '3825000', reason: '接入全市医学影像云，增加存储和带宽' },
    at('2026-11-19T10:00:00'),
  );
  return Object.keys(DEMO).length + 1;
}
