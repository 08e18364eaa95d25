import ExcelJS from 'exceljs';
import { neutralise } from '../../platform/spreadsheet.ts';
import { formatShanghai } from '../../platform/time/time.ts';
import type { WorkOrderDetail } from './provisioning.work-orders.ts';

// The delivery receipt (交付回执单, JQ annex 3) as a workbook and as a printable page.

type Receipt = WorkOrderDetail['receipts'][number];

const HEADERS = ['序号', '资源名称', '资源标识', 'IP 地址', '实际规格', '交付时间', '备注', '异议'];

const at = (iso: string) => formatShanghai(new Date(iso)).replace('T', ' ').slice(0, 19);
const specText = (s: Record<string, unknown>) =>
  Object.entries(s)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join('; ');

function rows(receipt: Receipt): string[][] {
  return receipt.lines.map((l) => [
    String(l.lineNo),
    l.name,
    l.externalId ?? '',
    l.addresses.join(', '),
    specText(l.specification),
    at(l.deliveredAt),
    l.notes ?? '',
    l.dispute ?? '',
  ]);
}

function heading(w: WorkOrderDetail, receipt: Receipt): [string, string][] {
  return [
    ['工单号 Work order', w.id],
    ['申请单号 Order', w.details.orderNo ?? w.orderId],
    ['使用单位 Unit', w.details.unitName ?? ''],
    ['信息系统 System', w.details.systemName ?? ''],
    ['云服务商 Provider', w.providerName ?? w.providerId],
    ['回执版本 Revision', `${receipt.revision} (${receipt.status})`],
    ['提交 Submitted', `${at(receipt.submittedAt)} ${receipt.submittedBy}`],
    ['确认 Decided', receipt.decidedAt ? `${at(receipt.decidedAt)} ${receipt.decidedBy ?? ''}` : ''],
    ['数据已清除 Data erased', w.action === 'reclaim' ? (receipt.dataErased ? '是' : '否') : '—'],
    ['说明 Notes', receipt.notes ?? ''],
  ];
}

export async function receiptXlsx(w: WorkOrderDetail, receipt: Receipt): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('交付回执单');
  sheet.addRow(['交付回执单']).font = { bold: true, size: 14 };
  for (const [k, v] of heading(w, receipt)) sheet.addRow([k, neutralise(v)]);
  sheet.addRow([]);
  sheet.addRow(HEADERS).font = { bold: true };
  for (const r of rows(receipt)) sheet.addRow(r.map(neutralise));
  sheet.addRow([]);
  sheet.addRow(['使用单位确认（签章）：', '', '', '云服务商（签章）：']);
  sheet.columns.forEach((c, i) => {
    c.width = [8, 24, 22, 20, 40, 20, 24, 24][i] ?? 16;
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** A self-contained page for printing (no script, inline style only). */
export function receiptHtml(w: WorkOrderDetail, receipt: Receipt): string {
  const head = heading(w, receipt)
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`)
    .join('');
  const body = rows(receipt)
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('');
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>交付回执单 ${esc(w.details.orderNo ?? w.id)}</title>
<style>body{font-family:serif;margin:2cm}h1{text-align:center}table{border-collapse:collapse;width:100%;margin:1em 0}
th,td{border:1px solid #000;padding:4px 6px;font-size:10pt;text-align:left;vertical-align:top}.sign{display:flex;justify-content:space-between;margin-top:3em}
@media print{body{margin:1cm}}</style></head><body><h1>交付回执单</h1><table>${head}</table>
<table><thead><tr>${HEADERS.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table>
<div class="sign"><span>使用单位确认（签章）：</span><span>云服务商（签章）：</span></div></body></html>`;
}
