import ExcelJS from 'exceljs';
import { neutralise } from '../../platform/spreadsheet.ts';
import type { Resource } from './inventory.service.ts';

// The inventory list as a spreadsheet or CSV. Every text cell is neutralised against formulas
// (platform/spreadsheet.ts), in CSV too: a CSV opened in a spreadsheet is read the same way.

const COLUMNS: { header: string; value: (r: Resource) => string | number | null }[] = [
  { header: '资源名称 Name', value: (r) => r.name },
  { header: '资源标识 External id', value: (r) => r.externalId },
  { header: '使用单位 Unit', value: (r) => r.unitName ?? r.organisationId },
  { header: '服务商 Provider', value: (r) => r.providerName ?? r.providerId },
  { header: '目录项 Item', value: (r) => r.catalogueItemCode },
  { header: '分区 Zone', value: (r) => r.zone },
  { header: '状态 State', value: (r) => r.state },
  { header: '用途 Purpose', value: (r) => r.purpose },
  { header: 'IP 地址 Addresses', value: (r) => r.addresses.join(', ') },
  { header: '规格 Specification', value: (r) => JSON.stringify(r.specification) },
  { header: '计费数量 Quantities', value: (r) => JSON.stringify(r.quantities) },
  { header: '到期日 Expires on', value: (r) => r.expiresOn },
  { header: '交付时间 Delivered at', value: (r) => r.deliveredAt },
  { header: '信息系统 System', value: (r) => r.systemId },
  { header: '项目 Project', value: (r) => r.projectId },
  { header: '资源 ID', value: (r) => r.id },
];

const cell = (v: string | number | null) => (typeof v === 'string' ? neutralise(v) : (v ?? ''));

export async function inventoryXlsx(items: Resource[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('资源清单');
  sheet.addRow(COLUMNS.map((c) => c.header)).font = { bold: true };
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  for (const r of items) sheet.addRow(COLUMNS.map((c) => cell(c.value(r))));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const csvField = (v: string | number | null) => {
  const s = String(cell(v));
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** UTF-8 with a byte-order mark, so that spreadsheet programs read the Chinese correctly. */
export function inventoryCsv(items: Resource[]): Buffer {
  const lines = [COLUMNS.map((c) => csvField(c.header)).join(',')];
  for (const r of items) lines.push(COLUMNS.map((c) => csvField(c.value(r))).join(','));
  return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
}
