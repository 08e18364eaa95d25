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

/**
 * A cell: text (user or catalogue text, formula-neutralised on export) or an exact decimal string written
 * as a number, with its Excel number format. Amounts may be negative (an adjustment): they are numbers,
 * never text a spreadsheet could take for a formula, so they need no neutralisation.
 */
type Cell = string | { decimal: string; numFmt?: string };

const AMOUNT = '0.00';
const num = (decimal: string | number, numFmt?: string): Cell => ({ decimal: String(decimal), numFmt });

function rows(s: Statement): Cell[][] {
  return s.lines.map((l) => [
    num(l.lineNo, '0'),
    l.kind,
    l.projectName ?? '',
    l.systemName ?? '',
    l.resourceName,
    l.providerCode,
    l.catalogueItemCode,
    l.dimension,
    num(l.quantitySeconds),
    num(l.priceSeconds),
    num(l.monthSeconds, '0'),
    num(l.coefficient, '0.0000'),
    num(l.amount, AMOUNT),
    l.adjustsMonth ?? '',
    l.adjustsLineNo === null ? '' : num(l.adjustsLineNo, '0'),
  ]);
}

const totalRow = (s: Statement): Cell[] => [
  '',
  '',
  '',
  '',
  '',
  '',
  '',
  '',
  '',
  '',
  '',
  '合计 Total',
  num(s.total, AMOUNT),
];

const STATUS_ZH: Record<Statement['status'], string> = { draft: '草稿', reviewed: '已审核', closed: '已核定' };

const title = (s: Statement) => [
  `结算单 Statement ${s.month}`,
  `${s.organisationName} (${s.organisationCode})`,
  s.outsideCityBudget ? '预算外，自行支付 outside the city budget' : '市级预算 city budget',
  `效能系数 coefficient ${s.coefficient}`,
  `合计 ${s.total} 元`,
  `状态 ${STATUS_ZH[s.status]} ${s.status}`,
];

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** Text as written, neutralised unless it is a plain decimal number (a number is never a formula). */
const safeText = (text: string) => (DECIMAL.test(text) ? text : neutralise(text));

/** A decimal string without redundant zeros or sign: '0120.500' -> '120.5', '-0.00' -> '0'. */
function canonical(decimal: string): string {
  const negative = decimal.startsWith('-');
  const [int = '0', frac = ''] = decimal.replace(/^-/, '').split('.');
  const digits = int.replace(/^0+(?=\d)/, '');
  const fraction = frac.replace(/0+$/, '');
  const body = fraction ? `${digits}.${fraction}` : digits;
  return negative && body !== '0' ? `-${body}` : body;
}

/** The decimal as a JS number when the number holds it exactly (every amount does), else null (kept as text). */
function exactNumber(decimal: string): number | null {
  if (!DECIMAL.test(decimal)) return null;
  const n = Number(decimal);
  return Number.isFinite(n) && String(n) === canonical(decimal) ? n : null;
}

/**
 * CSV, UTF-8 with BOM (Excel opens it in Chinese): text cells quoted and formula-neutralised, numbers
 * (amounts, also negative ones) written plain, unquoted, exactly as the decimal strings of the API.
 */
export function statementCsv(s: Statement): Buffer {
  const cell = (v: Cell) => {
    if (typeof v !== 'string') return v.decimal;
    return `"${safeText(v).replace(/"/g, '""')}"`;
  };
  const lines = [
    title(s).map(cell).join(','),
    HEADERS.map(cell).join(','),
    ...rows(s).map((r) => r.map(cell).join(',')),
    [...totalRow(s), '', ''].map(cell).join(','),
  ];
  return Buffer.from(`\ufeff${lines.join('\r\n')}\r\n`, 'utf8');
}

/** Excel: text cells are strings (neutralised), amounts numbers with the format 0.00; never a formula. */
export async function statementXlsx(s: Statement): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet(`结算单 ${s.month}`);
  const add = (cells: Cell[]) => {
    const row = sheet.addRow(
      cells.map((v) => (typeof v === 'string' ? safeText(v) : (exactNumber(v.decimal) ?? v.decimal))),
    );
    cells.forEach((v, i) => {
      if (typeof v !== 'string' && v.numFmt && exactNumber(v.decimal) !== null) row.getCell(i + 1).numFmt = v.numFmt;
    });
    return row;
  };
  add(title(s));
  add(HEADERS).font = { bold: true };
  for (const r of rows(s)) add(r);
  add(totalRow(s));
  sheet.views = [{ state: 'frozen', ySplit: 2 }];
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const escapeHtml = (t: string) =>
  t.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** A self-contained, printable HTML page of the statement (A4, no scripts). */
export function statementHtml(s: Statement): string {
  const head = HEADERS.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows(s)
    .map((r) => `<tr>${r.map((v) => `<td>${escapeHtml(typeof v === 'string' ? v : v.decimal)}</td>`).join('')}</tr>`)
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
