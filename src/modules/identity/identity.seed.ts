import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { Trx } from '../../schema.ts';
import { hashPassword } from './password.ts';
import type { Role } from './roles.ts';

/** Demo only: every demo account has this password (listed in the README); production has no demo users. */
export const DEMO_PASSWORD = 'Yunguan@Demo2026';

type OrgSeed = { code: string; name: string; nameEn: string; type: string; jurisdiction: string; parent?: string };

export const DEMO_ORGANISATIONS: OrgSeed[] = [
  {
    code: 'demo-authority',
    name: '示范市大数据管理局',
    nameEn: 'Demo City Big Data Bureau',
    type: 'competent_authority',
    jurisdiction: 'demo-city',
  },
  {
    code: 'demo-econ-it',
    name: '示范市经济和信息化委员会',
    nameEn: 'Demo City Economy and IT Commission',
    type: 'economy_it_authority',
    jurisdiction: 'demo-city',
  },
  {
    code: 'demo-finance',
    name: '示范市财政局',
    nameEn: 'Demo City Finance Bureau',
    type: 'finance',
    jurisdiction: 'demo-city',
  },
  {
    code: 'demo-ops',
    name: '示范市大数据中心',
    nameEn: 'Demo City Big Data Centre (cloud operations)',
    type: 'cloud_operations_unit',
    jurisdiction: 'demo-city',
  },
  {
    code: 'demo-provider-a',
    name: '示范政务云服务商甲',
    nameEn: 'Demo Cloud Provider A',
    type: 'cloud_service_provider',
    jurisdiction: 'demo-city',
  },
  {
    code: 'demo-provider-b',
    name: '示范政务云服务商乙',
    nameEn: 'Demo Cloud Provider B',
    type: 'cloud_service_provider',
    jurisdiction: 'demo-city',
  },
  {
    code: 'demo-cac',
    name: '示范市委网信办',
    nameEn: 'Demo City Cyberspace Affairs Office',
    type: 'security_supervisor',
    jurisdiction: 'demo-city',
  },
  {
    code: 'demo-health',
    name: '示范市卫生健康委员会',
    nameEn: 'Demo City Health Commission',
    type: 'using_unit',
    jurisdiction: 'demo-city',
  },
  {
    code: 'demo-health-cdc',
    name: '示范市疾病预防控制中心',
    nameEn: 'Demo City CDC',
    type: 'using_unit',
    jurisdiction: 'demo-city',
    parent: 'demo-health',
  },
  {
    code: 'demo-education',
    name: '示范市教育局',
    nameEn: 'Demo City Education Bureau',
    type: 'using_unit',
    jurisdiction: 'demo-city',
  },
  {
    code: 'demo-east-ops',
    name: '东城区大数据中心',
    nameEn: 'East District Big Data Centre',
    type: 'cloud_operations_unit',
    jurisdiction: 'demo-east',
  },
  {
    code: 'demo-east-civil',
    name: '东城区民政局',
    nameEn: 'East District Civil Affairs Bureau',
    type: 'using_unit',
    jurisdiction: 'demo-east',
  },
  {
    code: 'demo-west-civil',
    name: '西城区民政局',
    nameEn: 'West District Civil Affairs Bureau',
    type: 'using_unit',
    jurisdiction: 'demo-west',
  },
];

export const DEMO_USERS: { username: string; displayName: string; roles: [org: string, role: Role][] }[] = [
  {
    username: 'applicant',
    displayName: '张晓明（卫健委申请人）',
    roles: [
      ['demo-health', 'unit_applicant'],
      ['demo-health-cdc', 'unit_applicant'],
    ],
  },
  { username: 'unitadmin', displayName: '李静（卫健委管理员）', roles: [['demo-health', 'unit_admin']] },
  { username: 'edu', displayName: '王磊（教育局申请人）', roles: [['demo-education', 'unit_applicant']] },
  { username: 'reviewer', displayName: '赵敏（运管审核员）', roles: [['demo-ops', 'ops_reviewer']] },
  { username: 'provider', displayName: '孙浩（服务商甲操作员）', roles: [['demo-provider-a', 'provider_operator']] },
  { username: 'provideradmin', displayName: '周洁（服务商甲管理员）', roles: [['demo-provider-a', 'provider_admin']] },
  { username: 'approver', displayName: '吴刚（大数据局审批人）', roles: [['demo-authority', 'authority_approver']] },
  { username: 'econ', displayName: '郑芳（经信委审批人）', roles: [['demo-econ-it', 'economy_it_approver']] },
  { username: 'finance', displayName: '冯涛（财政局经办人）', roles: [['demo-finance', 'finance_officer']] },
  { username: 'auditor', displayName: '陈丽（网信办审计员）', roles: [['demo-cac', 'auditor']] },
  { username: 'eastreviewer', displayName: '褚强（东城区运管审核员）', roles: [['demo-east-ops', 'ops_reviewer']] },
  { username: 'eastunit', displayName: '卫红（东城区民政局申请人）', roles: [['demo-east-civil', 'unit_applicant']] },
  { username: 'evaluator', displayName: '钱芳（运管评估员）', roles: [['demo-ops', 'ops_evaluator']] },
  { username: 'sysadmin', displayName: '蒋伟（系统管理员）', roles: [['demo-ops', 'system_admin']] },
  { username: 'secadmin', displayName: '沈燕（安全管理员）', roles: [['demo-ops', 'security_admin']] },
  { username: 'auditadmin', displayName: '韩冰（审计管理员）', roles: [['demo-ops', 'audit_admin']] },
];

/** Demo organisations and one account per role. Idempotent: existing codes and user names are kept. */
export async function seedDemoIdentity(trx: Trx, actor: Actor): Promise<number> {
  const jurisdictions = new Map(
    (await trx.selectFrom('jurisdiction').select(['id', 'code']).execute()).map((j) => [j.code, j.id] as const),
  );
  const orgIds = new Map<string, string>();
  let created = 0;
  for (const o of DEMO_ORGANISATIONS) {
    const jurisdictionId = jurisdictions.get(o.jurisdiction);
    if (!jurisdictionId) throw new Error(`demo jurisdiction ${o.jurisdiction} is missing`);
    const inserted = await trx
      .insertInto('organisation')
      .values({
        code: o.code,
        name: o.name,
        name_en: o.nameEn,
        type: o.type as never,
        jurisdiction_id: jurisdictionId,
        parent_id: o.parent ? (orgIds.get(o.parent) ?? null) : null,
      })
      .onConflict((oc) => oc.column('code').doNothing())
      .returning('id')
      .executeTakeFirst();
    const id =
      inserted?.id ??
      (await trx.selectFrom('organisation').select('id').where('code', '=', o.code).executeTakeFirstOrThrow()).id;
    orgIds.set(o.code, id);
    if (inserted) {
      created++;
      await writeAudit(trx, actor, {
        action: 'organisation.created',
        objectType: 'organisation',
        objectId: id,
        detail: { code: o.code, source: 'demo-seed' },
      });
    }
  }
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  for (const u of DEMO_USERS) {
    const inserted = await trx
      .insertInto('user_account')
      .values({
        username: u.username,
        display_name: u.displayName,
        password_hash: passwordHash,
        password_changed_at: new Date(),
        is_demo: true,
      })
      .onConflict((oc) => oc.column('username').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) continue;
    created++;
    for (const [org, role] of u.roles) {
      await trx
        .insertInto('role_assignment')
        .values({ user_id: inserted.id, organisation_id: orgIds.get(org) as string, role, granted_by: 'demo-seed' })
        .execute();
    }
    await writeAudit(trx, actor, {
      action: 'user.created',
      objectType: 'user',
      objectId: inserted.id,
      detail: { username: u.username, roles: u.roles, source: 'demo-seed' },
    });
  }
  return created;
}
