import ExcelJS from 'exceljs';
import { neutralise } from '../../platform/spreadsheet.ts';
import { yuan } from './metering.period.ts';
import type { getStatement } from './metering.service.ts';

type Statement = Awaited<ReturnType<typeof getStatement>>;

const HEADERS = [
  '行号 Line',
  '类型 Kind',
  '项目 Project',
  '信息系统 System',
  '资源 Resource',
  '服务商 Provider',
  '目录项 Item',
  '计费维度 Dimension',
  '数量×秒 Quantity·s',
  '单价×数量×秒 Price·s',
  '当月秒数 Month seconds',
  '效能系数 Coefficient',
  '金额(元) Amount',
  '调整月份 Adjusts month',
  '调整行 Adjusts line',
];

function rows(s: Statement): (string | number)[][] {
  return s.lines.map((l) => [
    l.lineNo,
    l.kind,
    l.projectName ?? '',
    l.systemName ?? '',
    l.resourceName,
    l.providerCode,
    l.catalogueItemCode,
    l.dimension,
    l.quantitySeconds,
    l.priceSeconds,
    l.monthSeconds,
    l.coefficient,
    l.amount,
    l.adjustsMonth ?? '',
    l.adjustsLineNo ?? '',
  ]);
}

const STATUS_ZH: Record<Statement['status'], string> = { draft: '草稿', reviewed: '已审核', closed: '已核定' };

const title = (s: Statement) => [
  `结算单 Statement ${s.month}`,
  `${s.organisationName} (${s.organisationCode})`,
  s.outsideCityBudget ? '预算外，自行支付 outside the city budget' : '市级预算 city budget',
  `效能系数 coefficient ${s.coefficient}`,
  `合计 ${s.total} 元`,
  `状态 ${STATUS_ZH[s.status]} ${s.status}`,
];

/** CSV, UTF-8 with BOM (Excel opens it in Chinese); every text cell formula-neutralised and quoted. */
export function statementCsv(s: Statement): Buffer {
  const cell = (v: string | number) => {
    const text = typeof v === 'number' ? String(v) : neutralise(v);
    return /[",\r\n]/.test(text) || typeof v === 'string' ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = [
    title(s).map(cell).join(','),
    HEADERS.map(cell).join(','),
    ...rows(s).map((r) => r.map(cell).join(',')),
  ];
  lines.push(['', '', '', '', '', '', '', '', '', '', '', '合计 Total', s.total, '', ''].map(cell).join(','));
  return Buffer.from(`\ufeff${lines.join('\r\n')}\r\n`, 'utf8');
}

export async function statementXlsx(s: Statement): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet(`结算单 ${s.month}`);
  sheet.addRow(title(s).map(neutralise));
  sheet.addRow(HEADERS);
  sheet.getRow(2).font = { bold: true };
  for (const r of rows(s)) sheet.addRow(r.map((v) => (typeof v === 'string' ? neutralise(v) : v)));
  sheet.addRow(['', '', '', '', '', '', '', '', '', '', '', '合计 Total', s.total]);
  sheet.views = [{ state: 'frozen', ySplit: 2 }];
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const escapeHtml = (t: string) =>
  t.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** A self-contained, printable HTML page of the statement (A4, no scripts). */
export function statementHtml(s: Statement): string {
  const head = HEADERS.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows(s)
    .map((r) => `<tr>${r.map((v) => `<td>${escapeHtml(String(v))}</td>`).join('')}</tr>`)
    .join('\n');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${escapeHtml(`结算单 ${s.month} ${s.organisationName}`)}</title>
<style>@page{size:A4 landscape;margin:12mm}body{font-family:sans-serif;font-size:11px}table{border-collapse:collapse;width:100%}
th,td{border:1px solid #999;padding:2px 4px;text-align:left}td:nth-child(n+9){text-align:right}h1{font-size:16px}</style></head>
<body><h1>${escapeHtml(title(s).join(' · '))}</h1>
<p>用量 usage ${escapeHtml(yuan(s.usageFen))} 元 · 调整 adjustments ${escapeHtml(yuan(s.adjustmentFen))} 元 · 截止 as of ${escapeHtml(s.asOf)}</p>
<table><thead><tr>${head}</tr></thead><tbody>
${body}
</tbody><tfoot><tr><td colspan="12">合计 Total</td><td>${escapeHtml(s.total)}</td><td colspan="2"></td></tr></tfoot></table>
</body></html>`;
}
