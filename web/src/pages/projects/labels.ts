import type { Language } from '../../i18n';

/** "vcpu" -> "vCPU"; "item:bastion-host" -> the catalogue item's name when known, else its code. */
export function dimensionLabel(
  dimension: string,
  language: Language,
  itemNames: ReadonlyMap<string, { name: string; nameEn: string }> = new Map(),
): string {
  switch (dimension) {
    case 'vcpu':
      return 'vCPU';
    case 'memory_gb':
      return language === 'en-US' ? 'Memory GB' : '内存 GB';
    case 'storage_gb':
      return language === 'en-US' ? 'Storage GB' : '存储 GB';
    case 'bandwidth_mbps':
      return language === 'en-US' ? 'Bandwidth Mbps' : '带宽 Mbps';
    default: {
      const code = dimension.startsWith('item:') ? dimension.slice(5) : dimension;
      const item = itemNames.get(code);
      return item ? (language === 'en-US' ? item.nameEn : item.name) : code;
    }
  }
}

/** A decimal string is at most 14 digits, 6 after the point (the API's rule). */
export const DECIMAL_PATTERN = /^\d{1,14}(\.\d{1,6})?$/;

/** For display only (gauges): never used for sums the server keeps. */
export const toNumber = (text: string | undefined) => (text ? Number(text) : 0);
