import ExcelJS from 'exceljs';
import { AppError, type FieldError } from '../../platform/errors.ts';
import { archiveProblem, cellText, columnLetter, neutralise, restoreNeutralised } from '../../platform/spreadsheet.ts';
import type { CatalogueItem } from '../catalogue/index.ts';
import { yuan } from '../metering/index.ts';
import { fenOf } from './itprojects.rules.ts';
import type { DeploymentLine, Environment, SharingLine } from './itprojects.table.ts';

// The declaration form (酒泉市信息化及智慧城市建设项目申报表, JQ-proj annex 1) as an Excel workbook, like the
// request form (modules/requestforms): sheet 1 the project's fields (label in A, value in B), sheet 2 the
// cloud deployment plan one row per line, sheet 3 the data-sharing plan. Import checks every cell and
// refuses the whole file on any bad one, naming sheet, row and column; export writes the same layout, so a
// form round-trips. Catalogue items are named by their Chinese name (never a code).

export const FORM_TITLE = '信息化及智慧城市建设项目申报表';
const MAIN = '项目申报表';
const PLAN = '云资源部署方案';
const SHARING = '数据共享方案';

const FIELDS = [
  ['feasibilitySummary', '可行性研究报告摘要'],
  ['investment', '投资概算（元）'],
  ['fundingSource', '资金筹措计划'],
  ['urgent', '计划外急需建设项目（是/否）'],
  ['urgentReason', '急需建设理由'],
] as const;
type FieldKey = (typeof FIELDS)[number][0];

const ENV_ZH: Record<Environment, string> = { production: '生产', test: '测试', development: '开发' };
const SPEC_COLUMNS = [
  ['vcpu', 'vCPU（核）'],
  ['memoryGb', '内存（GB）'],
  ['systemDiskGb', '系统盘（GB）'],
  ['dataDiskGb', '数据盘（GB）'],
  ['storageGb', '存储（GB）'],
  ['bandwidthMbps', '带宽（Mbps）'],
] as const;
const PLAN_HEADERS = [
  '序号',
  '环境',
  '服务名称',
  ...SPEC_COLUMNS.map(([, h]) => h),
  '数量',
  '月费用（元，导出时计算）',
];
const SHARING_HEADERS = ['序号', '方向（提供/使用）', '数据名称', '说明'];

export interface FormContent {
  projectName: string;
  organisationName: string;
  feasibilitySummary: string;
  investment: string;
  fundingSource: string;
  urgent: boolean;
  urgentReason: string | null;
  deploymentPlan: DeploymentLine[];
  dataSharingPlan: SharingLine[];
}

function header(sheet: ExcelJS.Worksheet, headers: string[]) {
  const row = sheet.addRow(headers);
  row.font = { bold: true };
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  sheet.columns.forEach((c) => {
    c.width = 16;
  });
}

/** The form as .xlsx: blank (`content` null) or filled with a declaration. */
export async function writeForm(content: FormContent | null, items: readonly CatalogueItem[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Yunguan 云管';
  const main = workbook.addWorksheet(MAIN);
  main.addRow([FORM_TITLE]).font = { bold: true, size: 14 };
  main.addRow(['项目名称', neutralise(content?.projectName ?? '')]);
  main.addRow(['申报单位', neutralise(content?.organisationName ?? '')]);
  const values: Record<FieldKey, string> = {
    feasibilitySummary: content?.feasibilitySummary ?? '',
    investment: content?.investment ?? '',
    fundingSource: content?.fundingSource ?? '',
    urgent: content ? (content.urgent ? '是' : '否') : '否',
    urgentReason: content?.urgentReason ?? '',
  };
  for (const [key, label] of FIELDS) main.addRow([label, neutralise(values[key])]);
  main.getColumn(1).width = 30;
  main.getColumn(2).width = 60;

  const plan = workbook.addWorksheet(PLAN);
  header(plan, PLAN_HEADERS);
  (content?.deploymentPlan ?? []).forEach((line, i) => {
    const item = items.find((x) => x.code === line.itemCode);
    plan.addRow([
      i + 1,
      ENV_ZH[line.environment],
      neutralise(item?.name ?? line.itemCode),
      ...SPEC_COLUMNS.map(([k]) => (line.specification[k] === undefined ? '' : Number(line.specification[k]))),
      line.count,
      line.monthlyFen ? yuan(line.monthlyFen) : '',
    ]);
  });
  const sharing = workbook.addWorksheet(SHARING);
  header(sharing, SHARING_HEADERS);
  (content?.dataSharingPlan ?? []).forEach((s, i) => {
    sharing.addRow([
      i + 1,
      s.direction === 'provides' ? '提供' : '使用',
      neutralise(s.name),
      neutralise(s.description),
    ]);
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

class Problems {
  readonly list: FieldError[] = [];
  add(sheet: string, row: number, column: number, label: string, message: string) {
    this.list.push({
      field: `${sheet}!${columnLetter(column)}${row}`,
      message: `第 ${row} 行 ${columnLetter(column)} 列（${label}）：${message} / row ${row}, column ${columnLetter(column)} (${label}): ${message}`,
    });
  }
}

function text(sheet: ExcelJS.Worksheet, row: number, column: number, label: string, p: Problems): string {
  const t = cellText(sheet.getRow(row).getCell(column).value);
  if ('problem' in t) {
    p.add(
      sheet.name,
      row,
      column,
      label,
      t.problem === 'error_value' ? '单元格为错误值 an error value' : '公式没有结果 a formula without a result',
    );
    return '';
  }
  return restoreNeutralised(t.text.trim());
}

/** Reads an uploaded form; any bad cell refuses the file with every problem named by sheet, row and column. */
export async function readForm(
  buffer: Buffer,
  items: readonly CatalogueItem[],
): Promise<Omit<FormContent, 'projectName' | 'organisationName'>> {
  const archive = archiveProblem(buffer, { maxUncompressedBytes: 50 * 1024 * 1024, maxEntries: 1_000 });
  if (archive) {
    throw new AppError('validation_failed', `file: not a readable .xlsx (${archive})`, [
      { field: 'file', message: `不是有效的 Excel 文件 / not a readable .xlsx (${archive})` },
    ]);
  }
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
  } catch {
    throw new AppError('validation_failed', 'file: not a readable .xlsx', [
      { field: 'file', message: '不是有效的 Excel 文件 / not a readable .xlsx' },
    ]);
  }
  const p = new Problems();
  const main = workbook.getWorksheet(MAIN);
  const plan = workbook.getWorksheet(PLAN);
  const sharing = workbook.getWorksheet(SHARING);
  if (!main || !plan || !sharing) {
    throw new AppError('validation_failed', `file: the form has the sheets ${MAIN}, ${PLAN}, ${SHARING}`, [
      { field: 'file', message: `缺少工作表 ${MAIN}/${PLAN}/${SHARING} / a sheet is missing` },
    ]);
  }
  const values = {} as Record<FieldKey, string>;
  FIELDS.forEach(([key, label], i) => {
    const row = 4 + i;
    if (text(main, row, 1, '字段', p) !== label) p.add(MAIN, row, 1, label, `应为“${label}” expected this label`);
    values[key] = text(main, row, 2, label, p);
  });
  const required: FieldKey[] = ['feasibilitySummary', 'investment', 'fundingSource'];
  FIELDS.forEach(([key, label], i) => {
    if (required.includes(key) && !values[key]) p.add(MAIN, 4 + i, 2, label, '必填 required');
  });
  if (values.investment && fenOf(values.investment) === null) {
    p.add(MAIN, 5, 2, '投资概算（元）', '应为金额，最多两位小数 an amount in yuan, at most 2 decimals');
  }
  if (!['是', '否', ''].includes(values.urgent)) p.add(MAIN, 7, 2, FIELDS[3][1], '填“是”或“否” yes or no');
  const urgent = values.urgent === '是';

  const deploymentPlan: DeploymentLine[] = [];
  for (let r = 2; r <= plan.rowCount; r++) {
    const cells = PLAN_HEADERS.map((h, c) => (c === PLAN_HEADERS.length - 1 ? '' : text(plan, r, c + 1, h, p)));
    if (cells.every((c) => c === '')) continue;
    const env = (Object.entries(ENV_ZH) as [Environment, string][]).find(([, zh]) => zh === cells[1])?.[0];
    if (!env) p.add(PLAN, r, 2, '环境', '填“生产”“测试”或“开发” production, test or development');
    const item = items.find((i) => i.name === cells[2]);
    if (!item) p.add(PLAN, r, 3, '服务名称', `服务目录中无“${cells[2]}” not in the catalogue in force`);
    const specification: Record<string, number> = {};
    SPEC_COLUMNS.forEach(([key, label], k) => {
      const v = cells[3 + k] as string;
      if (v === '') return;
      if (!/^\d{1,7}$/.test(v)) p.add(PLAN, r, 4 + k, label, '应为非负整数 a whole number');
      else specification[key] = Number(v);
    });
    const countText = cells[3 + SPEC_COLUMNS.length] as string;
    if (!/^[1-9]\d{0,4}$/.test(countText))
      p.add(PLAN, r, 4 + SPEC_COLUMNS.length, '数量', '应为正整数 a positive whole number');
    if (env && item)
      deploymentPlan.push({ environment: env, itemCode: item.code, specification, count: Number(countText) });
  }
  const dataSharingPlan: SharingLine[] = [];
  for (let r = 2; r <= sharing.rowCount; r++) {
    const cells = SHARING_HEADERS.map((h, c) => text(sharing, r, c + 1, h, p));
    if (cells.every((c) => c === '')) continue;
    const direction = cells[1] === '提供' ? 'provides' : cells[1] === '使用' ? 'uses' : null;
    if (!direction) p.add(SHARING, r, 2, SHARING_HEADERS[1] as string, '填“提供”或“使用” provides or uses');
    if (!cells[2]) p.add(SHARING, r, 3, '数据名称', '必填 required');
    if (direction && cells[2]) dataSharingPlan.push({ direction, name: cells[2], description: cells[3] ?? '' });
  }
  if (p.list.length) {
    throw new AppError(
      'validation_failed',
      `申报表有 ${p.list.length} 处错误，未导入任何内容 / the form has ${p.list.length} error(s) and was not imported: ${p.list
        .slice(0, 3)
        .map((e) => e.message)
        .join('; ')}`,
      p.list,
    );
  }
  return {
    feasibilitySummary: values.feasibilitySummary,
    investment: values.investment,
    fundingSource: values.fundingSource,
    urgent,
    urgentReason: values.urgentReason || null,
    deploymentPlan,
    dataSharingPlan,
  };
}
