import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { Trx } from '../../schema.ts';
import { insertItem, type NewItem } from './catalogue.repository.ts';
import type { SpecAttribute } from './catalogue.table.ts';

const int = (key: string, label: string, labelEn: string, unit: string, min: number, max: number): SpecAttribute => ({
  key,
  label,
  labelEn,
  type: 'integer',
  unit,
  min,
  max,
  required: true,
});
const choice = (key: string, label: string, labelEn: string, options: string[]): SpecAttribute => ({
  key,
  label,
  labelEn,
  type: 'enum',
  options,
  required: true,
});
const price = (dimension: string, unit: string, unitPrice: string) => ({ dimension, unit, unitPrice });

type Seed = Omit<NewItem, 'position' | 'providerId' | 'description'> & { provider: 'a' | 'b'; description?: string };

/**
 * Liuzhou's 14 catalogue items (LZ annex 4, 柳州市政务云的云资源服务目录). The specifications are
 * plausible; the PRICES ARE DEMO PRICES (演示价格), invented for the demo, not any city's tariff.
 */
export const LIUZHOU_ITEMS: Seed[] = [
  {
    code: 'cloud-vm',
    name: '云虚拟机',
    nameEn: 'Cloud virtual machine',
    layer: 'IaaS',
    category: '计算 Compute',
    provider: 'a',
    specification: [
      int('vcpu', 'vCPU', 'vCPU', '核', 1, 128),
      int('memoryGb', '内存', 'Memory', 'GB', 1, 1024),
      int('systemDiskGb', '系统盘', 'System disk', 'GB', 40, 1024),
      int('dataDiskGb', '数据盘', 'Data disk', 'GB', 0, 32768),
      choice('os', '操作系统', 'Operating system', [
        '麒麟 Kylin V10',
        '统信 UOS V20',
        'CentOS 7.9',
        'Windows Server 2019',
      ]),
    ],
    prices: [
      price('vcpu', '元/vCPU·月', '60'),
      price('memory_gb', '元/GB·月', '20'),
      price('storage_gb', '元/GB·月', '0.5'),
    ],
  },
  {
    code: 'load-balancer',
    name: '云负载均衡',
    nameEn: 'Cloud load balancer',
    layer: 'IaaS',
    category: '网络 Network',
    provider: 'a',
    specification: [int('bandwidthMbps', '带宽', 'Bandwidth', 'Mbps', 1, 10000)],
    prices: [price('instance', '元/实例·月', '300'), price('bandwidth_mbps', '元/Mbps·月', '50')],
  },
  {
    code: 'database-server',
    name: '数据库服务器',
    nameEn: 'Database server',
    layer: 'PaaS',
    category: '数据库 Database',
    provider: 'b',
    specification: [
      choice('engine', '数据库类型', 'Engine', ['达梦 DM8', '人大金仓 KingbaseES', 'MySQL 8', 'PostgreSQL 15']),
      int('vcpu', 'vCPU', 'vCPU', '核', 2, 64),
      int('memoryGb', '内存', 'Memory', 'GB', 4, 512),
      int('storageGb', '存储', 'Storage', 'GB', 100, 65536),
    ],
    prices: [
      price('vcpu', '元/vCPU·月', '90'),
      price('memory_gb', '元/GB·月', '30'),
      price('storage_gb', '元/GB·月', '1'),
    ],
  },
  {
    code: 'middleware',
    name: '云中间件',
    nameEn: 'Cloud middleware',
    layer: 'PaaS',
    category: '中间件 Middleware',
    provider: 'b',
    specification: [choice('product', '中间件类型', 'Product', ['东方通 TongWeb', '宝兰德 BES', 'Redis', 'RabbitMQ'])],
    prices: [price('instance', '元/实例·月', '800')],
  },
  {
    code: 'bastion-host',
    name: '堡垒机',
    nameEn: 'Bastion host',
    layer: 'SaaS',
    category: '安全 Security',
    provider: 'a',
    specification: [int('assets', '纳管资产数', 'Managed assets', '台', 1, 1000)],
    prices: [price('asset', '元/资产·月', '30')],
  },
  {
    code: 'vpn',
    name: 'VPN',
    nameEn: 'VPN',
    layer: 'IaaS',
    category: '网络 Network',
    provider: 'a',
    specification: [int('users', '并发用户数', 'Concurrent users', '个', 1, 1000)],
    prices: [price('user', '元/用户·月', '20')],
  },
  {
    code: 'vulnerability-scan',
    name: '漏洞扫描',
    nameEn: 'Vulnerability scanning',
    layer: 'SaaS',
    category: '安全 Security',
    provider: 'a',
    specification: [int('targets', '扫描IP数', 'IP addresses scanned', '个', 1, 1000)],
    prices: [price('ip_scan', '元/IP·次', '50')],
  },
  {
    code: 'cloud-firewall',
    name: '云防火墙',
    nameEn: 'Cloud firewall',
    layer: 'SaaS',
    category: '安全 Security',
    provider: 'a',
    specification: [int('bandwidthMbps', '防护带宽', 'Protected bandwidth', 'Mbps', 10, 10000)],
    prices: [price('instance', '元/实例·月', '500'), price('bandwidth_mbps', '元/Mbps·月', '5')],
  },
  {
    code: 'security-pool',
    name: '云安全资源池',
    nameEn: 'Cloud security pool',
    layer: 'SaaS',
    category: '安全 Security',
    provider: 'a',
    description: '虚拟Web应用防火墙、虚拟网页防篡改、虚拟安全审计服务',
    specification: [
      choice('component', '安全组件', 'Component', [
        '虚拟Web应用防火墙 vWAF',
        '虚拟网页防篡改 Web anti-tamper',
        '虚拟安全审计 Security audit',
      ]),
    ],
    prices: [price('site', '元/站点·月', '600')],
  },
  {
    code: 'backup-dr',
    name: '本地数据备份/同城灾备/异地灾备',
    nameEn: 'Local backup / same-city DR / remote DR',
    layer: 'IaaS',
    category: '存储 Storage',
    provider: 'b',
    specification: [
      choice('mode', '备份方式', 'Mode', ['本地数据备份 Local backup', '同城灾备 Same-city DR', '异地灾备 Remote DR']),
      int('capacityGb', '容量', 'Capacity', 'GB', 100, 1048576),
    ],
    prices: [price('storage_gb', '元/GB·月', '0.3')],
  },
  {
    code: 'cryptography',
    name: '云密码服务',
    nameEn: 'Cloud cryptography service',
    layer: 'SaaS',
    category: '密码 Cryptography',
    provider: 'b',
    specification: [
      choice('service', '密码服务', 'Service', [
        '签名验签 SM2 signing',
        '数据加解密 SM4 encryption',
        '时间戳 Timestamping',
      ]),
    ],
    prices: [price('application', '元/应用·月', '1000')],
  },
  {
    code: 'time-source',
    name: '时钟源服务',
    nameEn: 'Time source service',
    layer: 'IaaS',
    category: '基础服务 Basic services',
    provider: 'a',
    specification: [int('servers', '服务器数', 'Servers', '台', 1, 10000)],
    prices: [price('server', '元/服务器·月', '5')],
  },
  {
    code: 'dns',
    name: '域名解析服务',
    nameEn: 'DNS',
    layer: 'IaaS',
    category: '基础服务 Basic services',
    provider: 'a',
    specification: [int('domains', '域名数', 'Domains', '个', 1, 1000)],
    prices: [price('domain', '元/域名·月', '10')],
  },
  {
    code: 'equipment-hosting',
    name: '设备托管',
    nameEn: 'Equipment hosting',
    layer: 'IaaS',
    category: '托管 Hosting',
    provider: 'b',
    specification: [int('rackUnits', '机位', 'Rack units', 'U', 1, 42)],
    prices: [price('rack_unit', '元/U·月', '150')],
  },
];

export const DEMO_CATALOGUE_EFFECTIVE_FROM = '2026-01-01';

/** Version 1 of the demo city's catalogue, approved and in force from 1 January 2026. Idempotent. */
export async function seedDemoCatalogue(trx: Trx, actor: Actor): Promise<number> {
  const city = await trx.selectFrom('jurisdiction').select('id').where('code', '=', 'demo-city').executeTakeFirst();
  if (!city) return 0;
  const exists = await trx
    .selectFrom('catalogue_version')
    .select('id')
    .where('jurisdiction_id', '=', city.id)
    .executeTakeFirst();
  if (exists) return 0;
  const providers = await trx
    .selectFrom('organisation')
    .select(['id', 'code'])
    .where('code', 'in', ['demo-provider-a', 'demo-provider-b'])
    .execute();
  const providerId = (p: 'a' | 'b') => providers.find((o) => o.code === `demo-provider-${p}`)?.id ?? null;
  const version = await trx
    .insertInto('catalogue_version')
    .values({
      jurisdiction_id: city.id,
      version_no: 1,
      status: 'draft',
      effective_from: DEMO_CATALOGUE_EFFECTIVE_FROM,
      note: '演示数据：柳州市服务目录（附件4）的14项，价格为演示价格 / demo data: Liuzhou’s 14 items, DEMO PRICES',
      created_by: 'demo-seed',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const [i, { provider, ...item }] of LIUZHOU_ITEMS.entries()) {
    await insertItem(trx, version.id, {
      ...item,
      position: i + 1,
      description: item.description ?? null,
      providerId: providerId(provider),
    });
  }
  await trx
    .updateTable('catalogue_version')
    .set({ status: 'approved', approved_at: new Date(), submitted_at: new Date() })
    .where('id', '=', version.id)
    .execute();
  await writeAudit(trx, actor, {
    action: 'catalogue.approved',
    objectType: 'catalogue_version',
    objectId: version.id,
    detail: { source: 'demo-seed', items: LIUZHOU_ITEMS.length, effectiveFrom: DEMO_CATALOGUE_EFFECTIVE_FROM },
  });
  return LIUZHOU_ITEMS.length;
}
