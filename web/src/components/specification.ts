import type { Language } from '../i18n';

/** What the specification fields of catalogue items mean, with their units (zh, en). */
const LABELS: Record<string, [string, string]> = {
  vcpu: ['vCPU (核)', 'vCPU'],
  memoryGb: ['内存 (GB)', 'Memory (GB)'],
  systemDiskGb: ['系统盘 (GB)', 'System disk (GB)'],
  dataDiskGb: ['数据盘 (GB)', 'Data disk (GB)'],
  storageGb: ['存储 (GB)', 'Storage (GB)'],
  bandwidthMbps: ['带宽 (Mbps)', 'Bandwidth (Mbps)'],
  os: ['操作系统', 'Operating system'],
  engine: ['数据库类型', 'Engine'],
  version: ['版本', 'Version'],
  zone: ['网络分区', 'Network zone'],
  networkZone: ['网络分区', 'Network zone'],
  serverType: ['服务器类型', 'Server type'],
  clustered: ['集群部署', 'Clustered'],
  count: ['数量', 'Count'],
};

/** A specification field's label with its unit; an unknown field in words ("diskType" -> "disk type"). */
export function specLabel(key: string, language: Language): string {
  const known = LABELS[key];
  if (known) return language === 'en-US' ? known[1] : known[0];
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_.-]+/g, ' ')
    .toLowerCase();
}

/** A specification as a person reads it: "vCPU (核) 4 · 内存 (GB) 8 · 操作系统 麒麟 V10". */
export function specInWords(spec: Record<string, unknown>, language: Language): string {
  return Object.entries(spec)
    .map(([k, v]) => {
      const value =
        typeof v === 'boolean' ? (v ? (language === 'en-US' ? 'yes' : '是') : language === 'en-US' ? 'no' : '否') : v;
      return `${specLabel(k, language)} ${typeof value === 'object' ? '' : String(value)}`.trim();
    })
    .join(' · ');
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9a-f:]+(%\w+)?$/i;

/** An IPv4 address in four decimal parts (10.1.4.30, not 10.1.4.300) or an IPv6 address (the server checks too). */
export function isIpAddress(text: string): boolean {
  const value = text.trim();
  if (IPV4.test(value)) return true;
  return value.includes(':') && IPV6.test(value) && value.split(':').length <= 8;
}

/** The addresses typed into one field, separated by commas or spaces. */
export const addressesOf = (text: string | undefined): string[] => (text ? text.split(/[,，\s]+/).filter(Boolean) : []);
