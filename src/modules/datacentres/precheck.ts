import type { AuthContext } from '../../platform/auth/auth.ts';
import type { Trx } from '../../schema.ts';
import { type DataCentrePolicy, dataCentrePolicy } from './datacentres.policy.ts';
import { centresOfJurisdictions } from './datacentres.repository.ts';
import type { Criterion, DataCentreRow, PrecheckItem } from './datacentres.table.ts';
import { inRetention, visibleCentre } from './register.service.ts';

// The pre-check of LZ 13: the criteria the register can answer, each against the jurisdiction's pack value and
// with its article, shown before submission and recorded with it. It informs; the evaluation and the
// authority decide (a room that fails is still refused formally: LZ 15's transition runs from that decision).

export const CRITERION_ARTICLE: Record<Criterion, string> = {
  network: 'LZ 13(1)',
  technology: 'LZ 13(2)',
  scale: 'LZ 13(3)',
  operations: 'LZ 13(4)',
  security: 'LZ 13(5)',
};
export const CRITERION_ZH: Record<Criterion, string> = {
  network: '网络',
  technology: '技术',
  scale: '规模',
  operations: '运维',
  security: '安全',
};

const yes = (b: boolean) => (b ? '是' : '否');
const CLASS_RANK = { A: 3, B: 2, C: 1, none: 0 } as const;

/** The criteria of LZ 13 the register can answer, each against the pack's value; a null pack value checks nothing. */
export function precheck(room: DataCentreRow, p: DataCentrePolicy): PrecheckItem[] {
  const items: PrecheckItem[] = [];
  const add = (
    criterion: Criterion,
    key: string,
    article: string | null,
    label: string,
    required: string,
    actual: string,
    passed: boolean,
  ) =>
    items.push({ criterion, key, article: article ?? CRITERION_ARTICLE[criterion], label, required, actual, passed });
  if (p.extranetIpv6Required.value === true)
    add(
      'network',
      'extranetIpv6',
      p.extranetIpv6Required.article,
      '接入电子政务外网并支持IPv6',
      '是',
      `外网 ${yes(room.extranet_connected)}，IPv6 ${yes(room.ipv6)}`,
      room.extranet_connected && room.ipv6,
    );
  if (p.cloudPlatformConformanceRequired.value === true)
    add(
      'technology',
      'cloudPlatform',
      p.cloudPlatformConformanceRequired.article,
      '云平台符合GB/T 33780-2017并与市级云平台对接',
      '是',
      `符合 ${yes(room.cloud_platform_conformant)}，对接 ${yes(room.city_platform_interface)}`,
      room.cloud_platform_conformant && room.city_platform_interface,
    );
  if (p.classBRequired.value === true)
    add(
      'scale',
      'gb50174Class',
      p.classBRequired.article,
      'GB 50174-2017 等级',
      'B类或以上',
      room.gb50174_class === 'none' ? '未达到' : `${room.gb50174_class}类`,
      CLASS_RANK[room.gb50174_class] >= CLASS_RANK.B,
    );
  if (p.areaSquareMetresMin.value !== null)
    add(
      'scale',
      'area',
      p.areaSquareMetresMin.article,
      '机房面积',
      `不小于 ${p.areaSquareMetresMin.value} 平方米`,
      `${room.area_square_metres} 平方米`,
      // numeric(10,2) as text: compare in hundredths, never as a float
      toHundredths(room.area_square_metres) >= p.areaSquareMetresMin.value * 100,
    );
  if (p.racksMin.value !== null)
    add(
      'scale',
      'racks',
      p.racksMin.article,
      '可用机架数',
      `不少于 ${p.racksMin.value} 个`,
      `${room.racks} 个`,
      room.racks >= p.racksMin.value,
    );
  if (p.operatorsMin.value !== null)
    add(
      'operations',
      'operators',
      p.operatorsMin.article,
      '专职运维人员',
      `不少于 ${p.operatorsMin.value} 人`,
      `${room.full_time_operators} 人`,
      room.full_time_operators >= p.operatorsMin.value,
    );
  if (p.service7x24Required.value === true)
    add(
      'operations',
      'service7x24',
      p.service7x24Required.article,
      '7×24小时运维服务能力',
      '是',
      yes(room.service_7x24),
      room.service_7x24,
    );
  if (p.mlpsLevelMin.value !== null)
    add(
      'security',
      'mlpsLevel',
      p.mlpsLevelMin.article,
      '网络安全等级保护级别',
      `第${p.mlpsLevelMin.value}级，并通过测评`,
      room.mlps_level > 0 ? `第${room.mlps_level}级${room.mlps_test_report ? '，已测评' : '，无测评报告'}` : '未定级',
      room.mlps_level >= p.mlpsLevelMin.value && !!room.mlps_test_report,
    );
  if (p.mlpsCloudExtensionRequired.value === true)
    add(
      'security',
      'mlpsCloudExtension',
      p.mlpsCloudExtensionRequired.article,
      '云计算安全扩展要求',
      '满足',
      room.mlps_cloud_extension ? '满足' : '不满足',
      room.mlps_cloud_extension,
    );
  return items;
}

function toHundredths(text: string): number {
  const [whole, frac = ''] = text.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0').slice(0, 2));
}

export async function precheckOf(trx: Trx, auth: AuthContext, id: string) {
  const room = await visibleCentre(trx, auth, id);
  const policy = await dataCentrePolicy(trx, room.jurisdiction_id);
  const items = precheck(room, policy);
  return { items, failed: items.filter((i) => !i.passed), passed: items.every((i) => i.passed) };
}

/** A unit's rooms kept for now on a day (approved, in retention): what the own-data-centre evaluation reads (LZ 30(2)). */
export interface RetainedCentreFacts {
  organisationId: string;
  rooms: { id: string; name: string; items: number; passed: number; failed: string[] }[];
}

/**
 * Per unit, its rooms in retention on `day` with the LZ 13 pre-check of each as the register stands (the criteria
 * checked and those met): the construction indicator of LZ 30(2). Read through index.ts by modules/evaluation.
 */
export async function retainedCentreFacts(
  trx: Trx,
  jurisdictionId: string,
  day: string,
): Promise<RetainedCentreFacts[]> {
  const rows = (await centresOfJurisdictions(trx, [jurisdictionId])).filter((r) => inRetention(r, day));
  if (rows.length === 0) return [];
  const policy = await dataCentrePolicy(trx, jurisdictionId);
  const byUnit = new Map<string, RetainedCentreFacts>();
  for (const r of rows) {
    const items = precheck(r, policy);
    const facts = byUnit.get(r.organisation_id) ?? { organisationId: r.organisation_id, rooms: [] };
    facts.rooms.push({
      id: r.id,
      name: r.name,
      items: items.length,
      passed: items.filter((i) => i.passed).length,
      failed: items.filter((i) => !i.passed).map((i) => i.label),
    });
    byUnit.set(r.organisation_id, facts);
  }
  return [...byUnit.values()].sort((a, b) => (a.organisationId < b.organisationId ? -1 : 1));
}
