import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { Trx } from '../../schema.ts';

type SystemSeed = {
  name: string;
  subsystems: string[];
  developer: string;
  networkZone: string;
  mlpsLevel: number;
  classified?: boolean;
  filed: boolean;
  letter: boolean;
  status: 'planned' | 'on_cloud' | 'legacy_data_centre' | 'retired';
  notes?: string;
};

type ProjectSeed = {
  approvalNo: string;
  name: string;
  year: number;
  systems: string[];
  base: Record<string, string>;
  windows?: { validFrom: string; validTo: string; quantities: Record<string, string> }[];
};

/** Demo data only: a few systems per unit (one refused the cloud) and one approved project with its quota. */
const DEMO: Record<string, { systems: SystemSeed[]; projects: ProjectSeed[] }> = {
  'demo-health': {
    systems: [
      {
        name: '全民健康信息平台',
        subsystems: ['电子健康档案', '预约挂号'],
        developer: '东软集团',
        networkZone: '公共网络区',
        mlpsLevel: 3,
        filed: true,
        letter: true,
        status: 'on_cloud',
      },
      {
        name: '卫生监督执法系统',
        subsystems: ['移动执法'],
        developer: '万达信息',
        networkZone: '公共网络区',
        mlpsLevel: 2,
        filed: false,
        letter: false,
        status: 'planned',
      },
      {
        name: '传染病直报核心库',
        subsystems: [],
        developer: '中国电子',
        networkZone: '专网',
        mlpsLevel: 4,
        filed: true,
        letter: true,
        status: 'legacy_data_centre',
        notes: '等保四级，不得上政务云 (SH 2, 7)',
      },
    ],
    projects: [
      {
        approvalNo: '示经信投〔2026〕12号',
        name: '全民健康信息平台二期',
        year: 2026,
        systems: ['全民健康信息平台', '卫生监督执法系统'],
        base: { vcpu: '256', memory_gb: '1024', storage_gb: '20000', bandwidth_mbps: '200', 'item:bastion-host': '1' },
        windows: [{ validFrom: '2026-10-01', validTo: '2026-12-31', quantities: { vcpu: '320', memory_gb: '1280' } }],
      },
    ],
  },
  'demo-education': {
    systems: [
      {
        name: '中小学招生报名系统',
        subsystems: ['报名', '录取查询'],
        developer: '科大讯飞',
        networkZone: '互联网区',
        mlpsLevel: 3,
        filed: true,
        letter: true,
        status: 'on_cloud',
      },
      {
        name: '考试命题管理系统',
        subsystems: [],
        developer: '教育考试院自建',
        networkZone: '涉密内网',
        mlpsLevel: 3,
        classified: true,
        filed: true,
        letter: false,
        status: 'legacy_data_centre',
        notes: '涉密系统，不得上政务云 (SH 2, 7)',
      },
    ],
    projects: [
      {
        approvalNo: '示经信投〔2026〕27号',
        name: '智慧教育招生平台',
        year: 2026,
        systems: ['中小学招生报名系统'],
        base: { vcpu: '64', memory_gb: '256', storage_gb: '4000', bandwidth_mbps: '100' },
        // Enrolment season: more capacity in June-August (SH 18's periodic quota).
        windows: [
          { validFrom: '2027-06-01', validTo: '2027-08-31', quantities: { vcpu: '128', bandwidth_mbps: '300' } },
        ],
      },
    ],
  },
};

export async function seedDemoProjects(trx: Trx, actor: Actor): Promise<number> {
  let created = 0;
  for (const [code, data] of Object.entries(DEMO)) {
    const org = await trx
      .selectFrom('organisation')
      .select(['id', 'jurisdiction_id'])
      .where('code', '=', code)
      .executeTakeFirst();
    if (!org) continue;
    const ids = new Map<string, string>();
    for (const s of data.systems) {
      const existing = await trx
        .selectFrom('information_system')
        .select('id')
        .where('organisation_id', '=', org.id)
        .where('name', '=', s.name)
        .executeTakeFirst();
      if (existing) {
        ids.set(s.name, existing.id);
        continue;
      }
      const row = await trx
        .insertInto('information_system')
        .values({
          organisation_id: org.id,
          jurisdiction_id: org.jurisdiction_id,
          name: s.name,
          subsystems: JSON.stringify(s.subsystems),
          developer: s.developer,
          network_zone: s.networkZone,
          mlps_level: s.mlpsLevel,
          classified: s.classified ?? false,
          filing_status: s.filed ? 'filed' : 'not_filed',
          filing_number: s.filed ? `${s.mlpsLevel}1010000-2026${String(created + 1).padStart(4, '0')}` : null,
          commitment_letter_on_file: s.letter,
          commitment_letter_file: s.letter ? `${s.name}-安全承诺书.pdf` : null,
          commitment_letter_date: s.letter ? '2026-03-15' : null,
          status: s.status,
          notes: s.notes ?? null,
          created_by: 'demo-seed',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      ids.set(s.name, row.id);
      created++;
      await writeAudit(trx, actor, {
        action: 'information_system.created',
        objectType: 'information_system',
        objectId: row.id,
        detail: { name: s.name, mlpsLevel: s.mlpsLevel, source: 'demo-seed' },
      });
    }
    for (const p of data.projects) {
      const existing = await trx
        .selectFrom('project')
        .select('id')
        .where('jurisdiction_id', '=', org.jurisdiction_id)
        .where('approval_no', '=', p.approvalNo)
        .executeTakeFirst();
      if (existing) continue;
      const row = await trx
        .insertInto('project')
        .values({
          organisation_id: org.id,
          jurisdiction_id: org.jurisdiction_id,
          approval_no: p.approvalNo,
          name: p.name,
          year: p.year,
          status: 'approved',
          description: null,
          created_by: 'demo-seed',
          // approved after its preliminary review (JQ-proj 9, NB 17), so it stays usable under those packs
          review_passed_at: new Date('2026-08-20T02:00:00Z'),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      created++;
      const tenant = { project_id: row.id, organisation_id: org.id, jurisdiction_id: org.jurisdiction_id };
      await trx
        .insertInto('project_system')
        .values(p.systems.map((name) => ({ ...tenant, system_id: ids.get(name) as string })))
        .execute();
      const quota = [
        ...Object.entries(p.base).map(([dimension, quantity]) => ({
          dimension,
          quantity,
          valid_from: null,
          valid_to: null,
        })),
        ...(p.windows ?? []).flatMap((w) =>
          Object.entries(w.quantities).map(([dimension, quantity]) => ({
            dimension,
            quantity,
            valid_from: w.validFrom,
            valid_to: w.validTo,
          })),
        ),
      ];
      await trx
        .insertInto('project_quota')
        .values(quota.map((q) => ({ ...tenant, ...q, set_by: 'demo-seed', set_at: new Date('2026-03-01T02:00:00Z') })))
        .execute();
      await writeAudit(trx, actor, {
        action: 'project.created',
        objectType: 'project',
        objectId: row.id,
        detail: {
          approvalNo: p.approvalNo,
          name: p.name,
          quota: p.base,
          windows: p.windows ?? [],
          source: 'demo-seed',
        },
      });
    }
  }
  return created;
}
