import type { Actor } from '../../platform/audit/audit.ts';
import type { Resolver } from '../../platform/http/egress.ts';
import type { Trx } from '../../schema.ts';
import { demoUser } from '../identity/index.ts';
import { egressPolicyOf, setEgressPolicy } from '../notifications/index.ts';
import { setOverride } from '../policy/index.ts';
import { listProjects, listSystems } from '../projects/index.ts';
import * as catalogueRepo from './catalogue.repository.ts';
import {
  createResource,
  type ResourceInput,
  reviewResource,
  setCredential,
  submitResource,
} from './catalogue.service.ts';
import { reportError } from './dataerrors.service.ts';
import { insertTrace } from './gateway.repository.ts';
import { applyForResource, decideApplication, reviewApplication } from './grants.service.ts';
import type { DataField } from './shareddata.table.ts';

// Demo data only: the demo city runs Shanghai's pack, which has no shared data; the demo enables it by override
// (as Ningbo's NB 13-15 provide it), the health commission publishes its catalogue, the education bureau uses
// it. The providing systems are fictional (`*.demo.gov.cn` resolves nowhere): they are published with a
// stand-in resolver, and the call history shown in the traces is illustrative, written as the gateway writes it.

const at = (iso: string) => new Date(iso);
const DEMO_HOST_ADDRESS: Resolver = async () => [{ address: '59.202.58.10', family: 4 }];

const f = (
  name: string,
  meaning: string,
  type: DataField['type'] = 'string',
  sensitivity: DataField['sensitivity'] = 'internal',
): DataField => ({
  name,
  type,
  meaning,
  sensitivity,
});

const PEOPLE_FIELDS = [
  f('personId', '档案编号'),
  f('name', '姓名', 'string', 'sensitive'),
  f('idNumber', '身份证号', 'string', 'sensitive'),
  f('birthDate', '出生日期', 'date'),
  f('bloodType', '血型'),
];

function entry(system: string, over: Partial<ResourceInput> & Pick<ResourceInput, 'name' | 'fields'>): ResourceInput {
  return {
    description: '',
    format: 'json',
    updateSchedule: 'daily',
    sharingType: 'conditional',
    sharingCondition: null,
    notSharedReason: null,
    scope: '全市',
    systemId: system,
    delivery: 'api',
    endpointUrl: null,
    defaultRateLimitPerMinute: null,
    ...over,
  };
}

export async function seedDemoSharedData(trx: Trx, _actor: Actor): Promise<number> {
  // Seeding runs outside any request and has no clock: the demo's overrides are set when it is seeded.
  const seededAt = new Date();
  const health = await demoUser(trx, 'unitadmin');
  if (await catalogueRepo.findResourceByName(trx, health.auth.organisationId, '居民电子健康档案摘要')) return 0;
  const approver = await demoUser(trx, 'approver');
  const reviewer = await demoUser(trx, 'reviewer');
  const sysadmin = await demoUser(trx, 'sysadmin');
  const edu = await demoUser(trx, 'edu');
  const reason = '示范市参照《宁波市政务云计算中心管理办法》第十三至十五条提供共享数据服务';
  await setOverride(
    trx,
    approver.auth,
    approver.actor,
    'demo-city',
    {
      path: 'sharedData.provided',
      value: true,
      reason,
    },
    seededAt,
  );
  await setOverride(
    trx,
    approver.auth,
    approver.actor,
    'demo-city',
    {
      path: 'sharedData.errorCorrectionWorkingDays',
      value: 10,
      reason: '示范市规定：数据提供单位应于收到差错反馈后 10 个工作日内更正',
    },
    seededAt,
  );
  const policy = await egressPolicyOf(trx, sysadmin.auth.jurisdictionId);
  await setEgressPolicy(
    trx,
    sysadmin.auth,
    sysadmin.actor,
    { allowedHosts: [...policy.allowedHosts, '.demo.gov.cn'], allowedNetworks: [...policy.allowedNetworks] },
    at('2026-11-02T01:00:00Z'),
  );

  const systems = (await listSystems(trx, health.auth, {}, { limit: 100, offset: 0 })).items;
  const platform = systems.find((s) => s.name === '全民健康信息平台')?.id as string;
  const entries: ResourceInput[] = [
    entry(platform, {
      name: '居民电子健康档案摘要',
      description: '全市居民电子健康档案中的基本身份信息与血型，供政务服务事项办理时核验',
      fields: PEOPLE_FIELDS,
      sharingCondition: '仅用于政务服务事项办理和资格核验，不得向第三方提供',
      scope: '全市常住人口（2015 年以来建档）',
      endpointUrl: 'https://data.health.demo.gov.cn/api/v1/residents',
    }),
    entry(platform, {
      name: '医疗机构名录',
      description: '全市各级各类医疗机构的名称、等级、地址和联系电话',
      fields: [
        f('orgCode', '机构代码'),
        f('orgName', '机构名称'),
        f('level', '机构等级'),
        f('address', '地址', 'string', 'public'),
        f('phone', '联系电话', 'string', 'public'),
      ],
      sharingType: 'unconditional',
      updateSchedule: 'monthly',
      scope: '全市二级以上医疗机构',
      endpointUrl: 'https://data.health.demo.gov.cn/api/v1/institutions',
      defaultRateLimitPerMinute: 600,
    }),
    entry(platform, {
      name: '婴幼儿预防接种记录',
      description: '0-6 岁儿童的疫苗接种记录，供入学入托查验',
      fields: [
        f('childName', '儿童姓名', 'string', 'sensitive'),
        f('birthDate', '出生日期', 'date'),
        f('vaccine', '疫苗名称'),
        f('doseDate', '接种日期', 'date'),
      ],
      sharingCondition: '仅用于入学入托接种证查验',
      scope: '全市 0-6 岁儿童',
      format: 'csv',
      delivery: 'file',
      updateSchedule: 'weekly',
      endpointUrl: 'https://data.health.demo.gov.cn/files/vaccination.csv',
    }),
    entry(platform, {
      name: '传染病个案信息',
      description: '法定传染病个案报告信息',
      fields: [f('caseId', '个案编号'), f('disease', '病种', 'string', 'sensitive')],
      sharingType: 'not_shared',
      notSharedReason: '《中华人民共和国传染病防治法》第十二条：不得泄露涉及个人隐私的有关信息、资料',
      scope: '全市',
    }),
  ];
  const ids: string[] = [];
  let when = at('2026-11-02T02:00:00Z');
  for (const input of entries) {
    const created = await createResource(trx, health.auth, health.actor, input, when);
    ids.push(created.id);
    if (input.endpointUrl) {
      await setCredential(
        trx,
        health.auth,
        health.actor,
        created.id,
        { headerName: 'Authorization', value: 'Bearer demo-provider-credential' },
        when,
      );
    }
    await submitResource(trx, health.auth, health.actor, created.id, when);
    await reviewResource(
      trx,
      reviewer.auth,
      reviewer.actor,
      created.id,
      { decision: 'publish', comment: '同意发布' },
      at('2026-11-03T03:00:00Z'),
      DEMO_HOST_ADDRESS,
    );
    when = new Date(when.getTime() + 3_600_000);
  }
  // One more entry waits for the ops unit's review.
  const pending = await createResource(
    trx,
    health.auth,
    health.actor,
    entry(platform, {
      name: '出生医学证明信息',
      description: '出生医学证明签发信息，供户籍登记和入学核验',
      fields: [
        f('certificateNo', '证明编号'),
        f('childName', '新生儿姓名', 'string', 'sensitive'),
        f('birthDate', '出生日期', 'date'),
        f('hospital', '接生机构'),
      ],
      sharingCondition: '仅用于户籍登记和入学资格核验',
      scope: '2010 年以来在本市出生的新生儿',
      endpointUrl: 'https://data.health.demo.gov.cn/api/v1/birth-certificates',
    }),
    at('2026-11-20T02:00:00Z'),
  );
  await submitResource(trx, health.auth, health.actor, pending.id, at('2026-11-20T02:30:00Z'));

  const projects = (await listProjects(trx, edu.auth, {}, { limit: 100, offset: 0 }, at('2026-11-05T01:00:00Z'))).items;
  const projectId = projects.find((p) => p.name === '智慧教育招生平台')?.id as string;
  const [residents, institutions, vaccination] = ids as [string, string, string];
  const apply = (resourceId: string, fields: string[], purpose: string, on: string) =>
    applyForResource(
      trx,
      edu.auth,
      edu.actor,
      { resourceId, projectId, purpose, fields, validFrom: '2026-11-05', validTo: '2027-08-31' },
      at(on),
    );
  const inst = await apply(
    institutions,
    ['orgName', 'level', 'address', 'phone'],
    '招生报名系统中的学校卫生室就近医疗机构提示',
    '2026-11-05T01:00:00Z',
  );
  const people = await apply(
    residents,
    PEOPLE_FIELDS.map((x) => x.name),
    '新生入学资格核验（核对儿童身份与出生日期）',
    '2026-11-05T02:00:00Z',
  );
  await decideApplication(
    trx,
    health.auth,
    health.actor,
    people.id,
    {
      decision: 'approve',
      fields: ['name', 'birthDate'],
      rateLimitPerMinute: 120,
      reason: '身份证号、血型与入学核验无关，不予提供',
    },
    at('2026-11-06T02:00:00Z'),
  );
  await reviewApplication(
    trx,
    reviewer.auth,
    reviewer.actor,
    people.id,
    { decision: 'approve', reason: null },
    at('2026-11-09T02:00:00Z'),
  );
  await apply(
    vaccination,
    ['childName', 'birthDate', 'vaccine', 'doseDate'],
    '入学入托预防接种证查验',
    '2026-11-20T03:00:00Z',
  );

  // Illustrative call history (the fictional systems cannot be called): as the gateway records calls.
  const eduOrg = edu.auth.organisationId;
  const base = {
    jurisdiction_id: health.auth.jurisdictionId,
    provider_organisation_id: health.auth.organisationId,
    consumer_organisation_id: eduOrg,
    consumer_jurisdiction_id: edu.auth.jurisdictionId,
    provider_name: '示范市卫生健康委员会',
    consumer_name: '示范市教育局',
    token_id: null,
    token_name: '招生报名系统',
    parameters: [] as string[],
    request_id: null,
  };
  let calls = 0;
  for (let day = 10; day <= 21; day++) {
    const d = String(day).padStart(2, '0');
    await insertTrace(trx, {
      ...base,
      occurred_at: at(`2026-11-${d}T01:${String(10 + day).padStart(2, '0')}:00Z`),
      resource_id: residents,
      resource_name: '居民电子健康档案摘要',
      grant_id: people.id,
      purpose: '新生入学资格核验（核对儿童身份与出生日期）',
      fields: ['name', 'birthDate'],
      parameters: ['personId'],
      record_count: 1,
      outcome: 'ok',
      status_code: 200,
      duration_ms: 38 + (day % 7),
    });
    await insertTrace(trx, {
      ...base,
      occurred_at: at(`2026-11-${d}T06:05:00Z`),
      resource_id: institutions,
      resource_name: '医疗机构名录',
      grant_id: inst.id,
      purpose: '招生报名系统中的学校卫生室就近医疗机构提示',
      fields: ['orgName', 'level', 'address', 'phone'],
      record_count: 46,
      outcome: 'ok',
      status_code: 200,
      duration_ms: 52,
    });
    calls += 2;
  }
  await insertTrace(trx, {
    ...base,
    occurred_at: at('2026-11-21T02:12:00Z'),
    resource_id: residents,
    resource_name: '居民电子健康档案摘要',
    grant_id: people.id,
    purpose: '新生入学资格核验（核对儿童身份与出生日期）',
    fields: ['idNumber'],
    record_count: 0,
    outcome: 'fields_not_granted',
    status_code: 403,
    duration_ms: 4,
  });

  await reportError(
    trx,
    edu.auth,
    edu.actor,
    {
      resourceId: institutions,
      recordReference: '示范市第三人民医院',
      field: 'phone',
      description: '联系电话 0571-8800 1234 已停用，拨打为空号',
    },
    at('2026-11-19T02:00:00Z'),
  );
  return ids.length + 1 + 3 + calls + 1 + 1;
}
