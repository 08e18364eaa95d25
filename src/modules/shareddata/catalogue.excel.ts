import ExcelJS from 'exceljs';
import type { FieldError } from '../../platform/errors.ts';
import { archiveProblem, type CellText, cellText, columnLetter, neutralise } from '../../platform/spreadsheet.ts';
import { formatShanghai } from '../../platform/time/time.ts';
import type { ResourceInput, ResourceVersion } from './catalogue.service.ts';
import type {
  DataField,
  DataFormat,
  Delivery,
  FieldType,
  Sensitivity,
  SharingType,
  UpdateSchedule,
} from './shareddata.table.ts';

// The shared-data catalogue as these catalogues circulate between departments: one workbook, the entries on
// sheet 共享数据目录 (one row per data resource) and their fields on sheet 信息项 (one row per field, naming its
// resource). Reading checks every cell and refuses the whole file on any error, naming sheet, row and column;
// writing neutralises every text cell (platform/spreadsheet.ts). No database here.

export const RESOURCE_SHEET = '共享数据目录';
export const FIELD_SHEET = '信息项';
const NOTES_SHEET = '填写说明';
const MAX_RESOURCES = 1_000;
const MAX_FIELD_ROWS = 20_000;
const MAX_REPORTED = 200;

export const LABELS = {
  format: { json: 'JSON', csv: 'CSV' } as Record<DataFormat, string>,
  updateSchedule: {
    realtime: '实时',
    daily: '每日',
    weekly: '每周',
    monthly: '每月',
    quarterly: '每季度',
    yearly: '每年',
    irregular: '不定期',
  } as Record<UpdateSchedule, string>,
  sharingType: { unconditional: '无条件共享', conditional: '有条件共享', not_shared: '不予共享' } as Record<
    SharingType,
    string
  >,
  delivery: { api: '接口', file: '文件' } as Record<Delivery, string>,
  fieldType: {
    string: '字符串',
    integer: '整数',
    decimal: '小数',
    date: '日期',
    datetime: '日期时间',
    boolean: '布尔',
  } as Record<FieldType, string>,
  sensitivity: { public: '公开', internal: '内部', sensitive: '敏感' } as Record<Sensitivity, string>,
};

type Kind =
  | { type: 'text'; max: number; required: boolean }
  | { type: 'choice'; labels: Record<string, string>; required: boolean }
  | { type: 'integer'; min: number; max: number; required: boolean }
  | { type: 'info' };

interface Column {
  header: string;
  width: number;
  kind: Kind;
}

const text = (max: number, required = true): Kind => ({ type: 'text', max, required });
const choice = (labels: Record<string, string>, required = true): Kind => ({ type: 'choice', labels, required });

/** Sheet 共享数据目录: the importable columns, then three the export adds and the import ignores. */
export const RESOURCE_COLUMNS: readonly Column[] = [
  { header: '序号', width: 6, kind: { type: 'integer', min: 1, max: 100_000, required: false } },
  { header: '资源名称', width: 24, kind: text(200) },
  { header: '资源摘要', width: 36, kind: text(2000) },
  { header: '信息系统', width: 20, kind: text(200) },
  { header: '数据格式', width: 10, kind: choice(LABELS.format) },
  { header: '更新周期', width: 10, kind: choice(LABELS.updateSchedule) },
  { header: '共享类型', width: 12, kind: choice(LABELS.sharingType) },
  { header: '共享条件', width: 24, kind: text(1000, false) },
  { header: '不予共享理由', width: 24, kind: text(1000, false) },
  { header: '数据范围', width: 24, kind: text(500) },
  { header: '提供方式', width: 10, kind: choice(LABELS.delivery) },
  { header: '服务地址', width: 36, kind: text(2000, false) },
  { header: '调用频率上限（次/分钟）', width: 14, kind: { type: 'integer', min: 1, max: 100_000, required: false } },
  { header: '提供单位', width: 20, kind: { type: 'info' } },
  { header: '版本', width: 6, kind: { type: 'info' } },
  { header: '发布时间', width: 18, kind: { type: 'info' } },
];

export const FIELD_COLUMNS: readonly Column[] = [
  { header: '资源名称', width: 24, kind: text(200) },
  { header: '信息项名称', width: 20, kind: text(64) },
  { header: '含义', width: 30, kind: text(200) },
  { header: '数据类型', width: 10, kind: choice(LABELS.fieldType) },
  { header: '敏感级别', width: 10, kind: choice(LABELS.sensitivity) },
];

const NOTES = [
  '1．一行一个数据资源（共享数据目录），其信息项逐行填写在“信息项”表中，以“资源名称”对应。',
  '2．资源名称在本单位内不得重复；与本单位已登记的数据资源同名时，导入为该资源的新版本草稿。',
  '3．信息系统须为本单位已登记的信息系统名称。',
  `4．数据格式：${Object.values(LABELS.format).join('、')}；更新周期：${Object.values(LABELS.updateSchedule).join('、')}。`,
  `5．共享类型：${Object.values(LABELS.sharingType).join('、')}。有条件共享须填写共享条件；不予共享须填写理由和依据。`,
  `6．提供方式：${Object.values(LABELS.delivery).join('、')}；除不予共享外须填写服务地址（http 或 https，不含用户名和密码），由运管单位审核后启用。`,
  `7．信息项的数据类型：${Object.values(LABELS.fieldType).join('、')}；敏感级别：${Object.values(LABELS.sensitivity).join('、')}。`,
  '8．“提供单位”“版本”“发布时间”三列为导出信息，导入时不读取。',
  '9．任何一格有误，整个文件不导入，并列出每处错误所在的表、行号和列名。One bad cell refuses the whole file.',
];

// ----------------------------------------------------------------------------------------------- writing

const THIN = { style: 'thin' as const, color: { argb: 'FF808080' } };
const BORDER = { top: THIN, left: THIN, bottom: THIN, right: THIN };

function header(sheet: ExcelJS.Worksheet, columns: readonly Column[]) {
  sheet.columns = columns.map((c) => ({ width: c.width }));
  const row = sheet.getRow(1);
  columns.forEach((c, i) => {
    const cell = row.getCell(i + 1);
    cell.value = c.header;
    const required = c.kind.type !== 'info' && c.kind.required;
    cell.font = { bold: true, color: { argb: required ? 'FFFF0000' : 'FF000000' } };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF2F2F2' } };
    cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    cell.border = BORDER;
  });
  row.height = 30;
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  const validations = (sheet as unknown as { dataValidations: { add(a: string, v: ExcelJS.DataValidation): void } })
    .dataValidations;
  columns.forEach((c, i) => {
    if (c.kind.type !== 'choice') return;
    const letter = columnLetter(i + 1);
    validations.add(`${letter}2:${letter}1000`, {
      type: 'list',
      allowBlank: true,
      formulae: [`"${Object.values(c.kind.labels).join(',')}"`],
      showErrorMessage: true,
      errorStyle: 'stop',
      errorTitle: c.header,
      error: `请选择：${Object.values(c.kind.labels).join('、')}`,
    });
  });
}

const cellOf = (v: string | number | null) => (typeof v === 'string' ? neutralise(v) : v);

/** The catalogue workbook: the template when `versions` is empty. `withEndpoints` false leaves 服务地址 blank. */
export async function writeCatalogue(versions: readonly ResourceVersion[], withEndpoints: boolean): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Yunguan 云管';
  const resources = workbook.addWorksheet(RESOURCE_SHEET);
  header(resources, RESOURCE_COLUMNS);
  versions.forEach((v, i) => {
    const row = resources.getRow(i + 2);
    const values: (string | number | null)[] = [
      i + 1,
      v.name,
      v.description,
      v.systemName,
      LABELS.format[v.format],
      LABELS.updateSchedule[v.updateSchedule],
      LABELS.sharingType[v.sharingType],
      v.sharingCondition,
      v.notSharedReason,
      v.scope,
      LABELS.delivery[v.delivery],
      withEndpoints ? v.endpointUrl : null,
      v.defaultRateLimitPerMinute,
      v.providerName,
      v.version,
      v.publishedAt ? formatShanghai(new Date(v.publishedAt)) : null,
    ];
    values.forEach((value, c) => {
      const cell = row.getCell(c + 1);
      cell.value = cellOf(value);
      cell.border = BORDER;
    });
  });
  const fields = workbook.addWorksheet(FIELD_SHEET);
  header(fields, FIELD_COLUMNS);
  let r = 2;
  for (const v of versions) {
    for (const f of v.fields) {
      const row = fields.getRow(r++);
      [v.name, f.name, f.meaning, LABELS.fieldType[f.type], LABELS.sensitivity[f.sensitivity]].forEach((value, c) => {
        const cell = row.getCell(c + 1);
        cell.value = cellOf(value);
        cell.border = BORDER;
      });
    }
  }
  const notes = workbook.addWorksheet(NOTES_SHEET);
  notes.getColumn(1).width = 120;
  notes.addRow([`${NOTES_SHEET}：`]).font = { bold: true };
  for (const line of NOTES) notes.addRow([line]);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

// ----------------------------------------------------------------------------------------------- reading

/** An entry read from the file; `systemName` still to be matched to one of the unit's systems. */
export type ImportedEntry = Omit<ResourceInput, 'systemId'> & { systemName: string; row: number };

export type ImportResult = { ok: true; entries: ImportedEntry[] } | { ok: false; errors: FieldError[]; total: number };

const msg = (zh: string, en: string) => `${zh} / ${en}`;
const key = (s: string) => s.normalize('NFKC').replace(/\s+/g, '').replace(/^\*+/, '');

class Errors {
  readonly list: FieldError[] = [];
  total = 0;
  add(field: string, message: string) {
    this.total++;
    if (this.list.length < MAX_REPORTED) this.list.push({ field, message });
  }
}

/** Where a cell is, as people read it: `共享数据目录 第 5 行，共享类型（G5）`. */
export const cellName = (sheet: string, row: number, column: number, header: string) =>
  `${sheet} 第 ${row} 行，${header}（${columnLetter(column)}${row}）`;

function readCell(
  sheet: ExcelJS.Worksheet,
  sheetName: string,
  row: number,
  index: number,
  column: Column,
  errors: Errors,
): string | number | null | undefined {
  const where = cellName(sheetName, row, index + 1, column.header);
  const t: CellText = cellText(sheet.getRow(row).getCell(index + 1).value);
  if (!('text' in t)) {
    errors.add(where, msg('单元格是公式或错误值：请粘贴为数值', 'a formula or error value: paste it as a value'));
    return undefined;
  }
  const raw = t.text;
  const kind = column.kind;
  if (kind.type === 'info') return null;
  if (raw === '') {
    if (kind.required) errors.add(where, msg('必填', 'required'));
    return kind.required ? undefined : null;
  }
  if (kind.type === 'text') {
    if (raw.length > kind.max) {
      errors.add(where, msg(`不能超过 ${kind.max} 个字`, `at most ${kind.max} characters`));
      return undefined;
    }
    return raw;
  }
  if (kind.type === 'integer') {
    const n = /^\d+(\.0+)?$/.test(raw) ? Number.parseInt(raw, 10) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < kind.min || n > kind.max) {
      errors.add(
        where,
        msg(`应为 ${kind.min} 到 ${kind.max} 之间的整数`, `an integer from ${kind.min} to ${kind.max}`),
      );
      return undefined;
    }
    return n;
  }
  const found = Object.entries(kind.labels).find(([code, label]) => key(label) === key(raw) || code === raw);
  if (!found) {
    const allowed = Object.values(kind.labels).join('、');
    errors.add(where, msg(`应为以下之一：${allowed}`, `must be one of ${Object.values(kind.labels).join(', ')}`));
    return undefined;
  }
  return found[0];
}

function checkHeader(sheet: ExcelJS.Worksheet, name: string, columns: readonly Column[], errors: Errors) {
  columns.forEach((c, i) => {
    if (c.kind.type === 'info') return;
    const found = cellText(sheet.getRow(1).getCell(i + 1).value);
    const text = 'text' in found ? found.text : '';
    if (key(text) !== key(c.header)) {
      errors.add(
        `${name} 表头，${c.header}（${columnLetter(i + 1)}1）`,
        msg(`表头应为“${c.header}”，而不是“${text}”`, `the header must be ${c.header}, found ${text || 'nothing'}`),
      );
    }
  });
}

const isEmptyRow = (sheet: ExcelJS.Worksheet, row: number, width: number) => {
  for (let c = 1; c <= width; c++) {
    const t = cellText(sheet.getRow(row).getCell(c).value);
    if (!('text' in t) || t.text !== '') return false;
  }
  return true;
};

/** Reads an uploaded catalogue workbook: every entry with its fields, or every error found. */
export async function readCatalogue(buffer: Buffer): Promise<ImportResult> {
  const errors = new Errors();
  const fail = (zh: string, en: string): ImportResult => {
    errors.add('file', msg(zh, en));
    return { ok: false, errors: errors.list, total: errors.total };
  };
  const problem = archiveProblem(buffer, { maxUncompressedBytes: 50 * 1024 * 1024, maxEntries: 500 });
  if (problem === 'not_zip') return fail('不是 .xlsx 文件', 'not an .xlsx file');
  if (problem) return fail('文件解压后过大', 'the file is too large once unpacked');
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(
      buffer as unknown as ExcelJS.Buffer,
      {
        maxRows: MAX_FIELD_ROWS + 100,
        maxCols: 100,
        ignoreNodes: ['dataValidations', 'conditionalFormatting', 'extLst', 'picture', 'drawing', 'hyperlinks'],
      } as Partial<ExcelJS.XlsxReadOptions>,
    );
  } catch {
    return fail('无法读取文件：不是有效的 .xlsx 文件，或行数过多', 'cannot read the workbook, or it has too many rows');
  }
  const resources = workbook.getWorksheet(RESOURCE_SHEET);
  const fields = workbook.getWorksheet(FIELD_SHEET);
  if (!resources || !fields) {
    return fail(
      `工作簿须包含“${RESOURCE_SHEET}”和“${FIELD_SHEET}”两张表`,
      `the workbook needs the sheets ${RESOURCE_SHEET} and ${FIELD_SHEET}`,
    );
  }
  checkHeader(resources, RESOURCE_SHEET, RESOURCE_COLUMNS, errors);
  checkHeader(fields, FIELD_SHEET, FIELD_COLUMNS, errors);
  if (errors.total > 0) return { ok: false, errors: errors.list, total: errors.total };

  const entries = new Map<string, ImportedEntry>();
  const importable = RESOURCE_COLUMNS.filter((c) => c.kind.type !== 'info').length;
  for (let r = 2; r <= resources.rowCount; r++) {
    if (isEmptyRow(resources, r, importable)) continue;
    if (entries.size >= MAX_RESOURCES) {
      errors.add(
        `${RESOURCE_SHEET} 第 ${r} 行`,
        msg(`最多 ${MAX_RESOURCES} 个数据资源`, `at most ${MAX_RESOURCES} resources`),
      );
      break;
    }
    const v = RESOURCE_COLUMNS.map((c, i) => readCell(resources, RESOURCE_SHEET, r, i, c, errors));
    const name = v[1];
    if (typeof name !== 'string') continue;
    if (entries.has(name)) {
      errors.add(
        cellName(RESOURCE_SHEET, r, 2, '资源名称'),
        msg(`与第 ${entries.get(name)?.row} 行重名`, `repeats row ${entries.get(name)?.row}`),
      );
      continue;
    }
    if (v.some((x) => x === undefined)) {
      entries.set(name, { row: r } as ImportedEntry); // remembered for duplicate and field checks only
      continue;
    }
    entries.set(name, {
      row: r,
      name,
      description: v[2] as string,
      systemName: v[3] as string,
      format: v[4] as DataFormat,
      updateSchedule: v[5] as UpdateSchedule,
      sharingType: v[6] as SharingType,
      sharingCondition: (v[7] as string | null) ?? null,
      notSharedReason: (v[8] as string | null) ?? null,
      scope: v[9] as string,
      delivery: v[10] as Delivery,
      endpointUrl: (v[11] as string | null) ?? null,
      defaultRateLimitPerMinute: (v[12] as number | null) ?? null,
      fields: [],
    });
  }
  for (let r = 2; r <= fields.rowCount; r++) {
    if (isEmptyRow(fields, r, FIELD_COLUMNS.length)) continue;
    const v = FIELD_COLUMNS.map((c, i) => readCell(fields, FIELD_SHEET, r, i, c, errors));
    const owner = typeof v[0] === 'string' ? entries.get(v[0]) : undefined;
    if (typeof v[0] === 'string' && !owner) {
      errors.add(
        cellName(FIELD_SHEET, r, 1, '资源名称'),
        msg(`“${RESOURCE_SHEET}”中没有名为“${v[0]}”的资源`, `no resource named ${v[0]} on sheet ${RESOURCE_SHEET}`),
      );
      continue;
    }
    if (!owner?.fields || v.some((x) => x === undefined)) continue;
    const name = v[1] as string;
    if (/,/.test(name) || name !== name.trim()) {
      errors.add(cellName(FIELD_SHEET, r, 2, '信息项名称'), msg('不得包含逗号或首尾空格', 'no commas or outer spaces'));
      continue;
    }
    owner.fields.push({
      name,
      meaning: v[2] as string,
      type: v[3] as FieldType,
      sensitivity: v[4] as Sensitivity,
    } satisfies DataField);
  }
  const complete: ImportedEntry[] = [];
  for (const entry of entries.values()) {
    if (!entry.fields) continue;
    if (entry.fields.length === 0) {
      errors.add(
        cellName(RESOURCE_SHEET, entry.row, 2, '资源名称'),
        msg(`“${FIELD_SHEET}”中没有该资源的信息项`, `no fields for it on sheet ${FIELD_SHEET}`),
      );
      continue;
    }
    complete.push(entry);
  }
  if (errors.total === 0 && entries.size === 0)
    return fail('文件中没有任何数据资源', 'the file lists no data resource');
  if (errors.total > 0) return { ok: false, errors: errors.list, total: errors.total };
  return { ok: true, entries: complete };
}

/** The column of sheet 共享数据目录 an entry field is read from (for naming cross-cell errors). */
export const RESOURCE_FIELD_COLUMN: Record<string, number> = {
  name: 2,
  description: 3,
  systemId: 4,
  sharingCondition: 8,
  notSharedReason: 9,
  endpointUrl: 12,
};
