import ExcelJS from 'exceljs';
import type { FieldError } from '../../platform/errors.ts';
import { archiveProblem, type CellText, cellText, columnLetter, neutralise } from '../../platform/spreadsheet.ts';
import { SERVER_TYPES, type ServerType } from './requestforms.table.ts';

// The resource request form of Liuzhou's regulation, annex 3 (云资源使用需求表): a title, a line with the
// applicant's and the vendor's contacts, then one table with one virtual machine per row. This file reads
// and writes it; it knows nothing of the database. The rules and the choices made where the annex is
// silent are listed in docs/decisions.md ("Spreadsheets").

export const FORM_TITLE = '云资源使用需求表';
export const SHEET_NAME = FORM_TITLE;
export const INSTRUCTIONS_SHEET = '填写说明';
const APPLICANT_LABEL = '申请单位联系人及手机号码、邮箱：';
const VENDOR_LABEL = '信息系统厂商联系人及手机号码、邮箱：';

/** The most virtual machines one form may list. */
export const MAX_LINES = 5_000;
/** Rows reported at most in one refusal; the detail says how many there were in all. */
export const MAX_REPORTED_ERRORS = 200;
/** Uploads are ZIP archives; what their files may inflate to, together. */
const MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024;

/** One virtual machine: one row of the form. */
export interface FormLine {
  rowNo: number;
  networkZone: string;
  developer: string;
  systemName: string;
  subsystem: string | null;
  serverType: ServerType;
  bastionOwner: string;
  bastionOwnerEmail: string;
  bastionOwnerMobile: string;
  vcpu: number;
  memoryGb: number;
  systemDiskGb: number;
  dataDiskGb: number;
  os: string;
  clustered: boolean;
  clusterGroup: string | null;
  notes: string | null;
}

/** A whole form: its contact line and its rows. */
export interface FormDocument {
  applicantContact: string | null;
  vendorContact: string | null;
  lines: FormLine[];
}

type Kind =
  | { type: 'text'; maxLength: number }
  | { type: 'integer'; min: number; max: number }
  | { type: 'serverType' }
  | { type: 'yesNo' };

interface Column {
  key: keyof FormLine;
  /** the header exactly as the annex prints it */
  header: string;
  en: string;
  /** red in the original: must be filled */
  required: boolean;
  width: number;
  kind: Kind;
}

const text = (maxLength: number): Kind => ({ type: 'text', maxLength });
const integer = (min: number, max: number): Kind => ({ type: 'integer', min, max });

/** The seventeen columns of annex 3, in order. */
export const COLUMNS: readonly Column[] = [
  { key: 'rowNo', header: '序号', en: 'row no.', required: true, width: 6, kind: integer(1, 100_000) },
  { key: 'networkZone', header: '网络分区', en: 'network zone', required: true, width: 12, kind: text(50) },
  { key: 'developer', header: '开发商', en: 'developer', required: true, width: 14, kind: text(100) },
  { key: 'systemName', header: '系统名称', en: 'system', required: true, width: 20, kind: text(200) },
  { key: 'subsystem', header: '子系统名称', en: 'subsystem', required: false, width: 18, kind: text(200) },
  {
    key: 'serverType',
    header: '服务器类型',
    en: 'server type',
    required: true,
    width: 10,
    kind: { type: 'serverType' },
  },
  {
    key: 'bastionOwner',
    header: '堡垒机账号负责人',
    en: 'bastion account owner',
    required: true,
    width: 14,
    kind: text(200),
  },
  {
    key: 'bastionOwnerEmail',
    header: '堡垒机账号负责人邮箱',
    en: 'owner e-mail',
    required: true,
    width: 24,
    kind: text(500),
  },
  {
    key: 'bastionOwnerMobile',
    header: '堡垒机账号负责人手机号码',
    en: 'owner mobile',
    required: true,
    width: 16,
    kind: text(300),
  },
  { key: 'vcpu', header: 'vCPU核', en: 'vCPU', required: true, width: 8, kind: integer(1, 256) },
  { key: 'memoryGb', header: '内存GB', en: 'memory GB', required: true, width: 8, kind: integer(1, 4096) },
  {
    key: 'systemDiskGb',
    header: '系统盘GB',
    en: 'system disk GB',
    required: true,
    width: 10,
    kind: integer(1, 65_536),
  },
  { key: 'dataDiskGb', header: '数据盘GB', en: 'data disk GB', required: false, width: 10, kind: integer(0, 65_536) },
  { key: 'os', header: '操作系统', en: 'operating system', required: true, width: 16, kind: text(100) },
  { key: 'clustered', header: '集群部署', en: 'clustered', required: true, width: 9, kind: { type: 'yesNo' } },
  { key: 'clusterGroup', header: '集群组号', en: 'cluster group', required: false, width: 10, kind: text(50) },
  { key: 'notes', header: '备注', en: 'notes', required: false, width: 24, kind: text(500) },
];

export const HEADERS = COLUMNS.map((c) => c.header);

const SERVER_TYPE_NAMES: Record<ServerType, string> = {
  APP: '应用程序',
  WEB: '政府网站',
  FTP: '文件服务器',
  DAT: '数据库',
  MID: '中间件',
  TST: '测试',
  OTH: '其他',
};

/** The annex's own notes (填写说明), then this platform's rules for the same columns. */
const INSTRUCTIONS = [
  '1．同一用户申请多个系统的，请另填新申请表；',
  '2．红色字段为必填项；',
  '3．请务必一行一台虚拟机，不能合并填写；',
  '4．堡垒机账号负责人，可填写多人，与负责人的邮箱地址、电话对应；',
  `5．类型说明。${SERVER_TYPES.map((t) => `${t}：${SERVER_TYPE_NAMES[t]}`).join('；')}。`,
  '',
  '导入规则 Import rules:',
  '· 表头须与本模板一致（列名、顺序）。The header row must match this template (names and order).',
  '· 每张表只能填写一个系统：各行“系统名称”须相同。One system per form: every row has the same 系统名称.',
  '· 多位负责人用顿号（、）、逗号或分号分隔，邮箱和手机号码按同样顺序一一对应。Several owners: separate with 、 , or ;, one e-mail and one mobile each, in the same order.',
  '· 手机号码为 1 开头的 11 位数字。A mobile number has 11 digits and starts with 1.',
  '· vCPU核 1–256，内存GB 1–4096，系统盘GB 1–65536，数据盘GB 0–65536（留空为 0），均为整数。',
  '· 集群部署填“是”或“否”；为“是”时须填写集群组号，为“否”时集群组号留空。',
  '· 任何一格有误，整张表不导入，并列出每处错误的行号和列名。One bad cell refuses the whole form, listing every error by row and column.',
];

// ---------------------------------------------------------------------------------------------- writing

const RED = 'FFFF0000';
const THIN = { style: 'thin' as const, color: { argb: 'FF808080' } };
const BORDER = { top: THIN, left: THIN, bottom: THIN, right: THIN };
const HEADER_ROW = 3;
/** Rows below the table that get drop-down lists even when the form has fewer lines. */
const VALIDATED_ROWS = 1_000;

interface DataValidationsApi {
  add(address: string, validation: ExcelJS.DataValidation): void;
}

function cellValueOf(column: Column, line: FormLine): ExcelJS.CellValue {
  const value = line[column.key];
  if (value === null) return null;
  if (typeof value === 'boolean') return value ? '是' : '否';
  if (typeof value === 'number') return value;
  // Every text cell goes through the formula neutraliser: a stored "=HYPERLINK(...)" is exported as text.
  return neutralise(value);
}

/** The form as a workbook: the template when it has no lines, an export otherwise. */
export function buildWorkbook(doc: FormDocument): ExcelJS.Workbook {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Yunguan 云管';
  workbook.created = new Date();
  const sheet = workbook.addWorksheet(SHEET_NAME, {
    views: [{ state: 'frozen', xSplit: 0, ySplit: HEADER_ROW }],
    pageSetup: { orientation: 'landscape', paperSize: 9, fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  const last = columnLetter(COLUMNS.length);
  sheet.columns = COLUMNS.map((c) => ({
    width: c.width,
    style: c.kind.type === 'integer' ? { numFmt: '0' } : { numFmt: '@' },
  }));

  sheet.mergeCells(`A1:${last}1`);
  const title = sheet.getCell('A1');
  title.value = FORM_TITLE;
  title.font = { bold: true, size: 16 };
  title.alignment = { horizontal: 'center', vertical: 'middle' };
  sheet.getRow(1).height = 30;

  sheet.mergeCells('A2:C2');
  sheet.getCell('A2').value = APPLICANT_LABEL;
  sheet.mergeCells('D2:H2');
  sheet.getCell('D2').value = doc.applicantContact === null ? null : neutralise(doc.applicantContact);
  sheet.mergeCells('I2:K2');
  sheet.getCell('I2').value = VENDOR_LABEL;
  sheet.mergeCells(`L2:${last}2`);
  sheet.getCell('L2').value = doc.vendorContact === null ? null : neutralise(doc.vendorContact);
  for (const address of ['A2', 'I2']) sheet.getCell(address).alignment = { horizontal: 'right', vertical: 'middle' };
  sheet.getRow(2).height = 22;

  const header = sheet.getRow(HEADER_ROW);
  header.height = 36;
  COLUMNS.forEach((c, i) => {
    const cell = header.getCell(i + 1);
    cell.value = c.header;
    cell.font = { bold: true, color: { argb: c.required ? RED : 'FF000000' } };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF2F2F2' } };
    cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    cell.border = BORDER;
    cell.note = `${c.en}${c.required ? ' (required / 必填)' : ''}`;
  });

  doc.lines.forEach((line, index) => {
    const row = sheet.getRow(HEADER_ROW + 1 + index);
    COLUMNS.forEach((c, i) => {
      const cell = row.getCell(i + 1);
      cell.value = cellValueOf(c, line);
      cell.border = BORDER;
    });
  });

  const first = HEADER_ROW + 1;
  const lastRow = HEADER_ROW + Math.max(VALIDATED_ROWS, doc.lines.length);
  const validations = (sheet as unknown as { dataValidations: DataValidationsApi }).dataValidations;
  const range = (key: keyof FormLine) => {
    const letter = columnLetter(COLUMNS.findIndex((c) => c.key === key) + 1);
    return `${letter}${first}:${letter}${lastRow}`;
  };
  validations.add(range('serverType'), {
    type: 'list',
    allowBlank: true,
    formulae: [`"${SERVER_TYPES.join(',')}"`],
    showErrorMessage: true,
    errorStyle: 'stop',
    errorTitle: '服务器类型',
    error: SERVER_TYPES.map((t) => `${t}：${SERVER_TYPE_NAMES[t]}`).join('；'),
  });
  validations.add(range('clustered'), {
    type: 'list',
    allowBlank: true,
    formulae: ['"是,否"'],
    showErrorMessage: true,
    errorStyle: 'stop',
    errorTitle: '集群部署',
    error: '请填写“是”或“否”',
  });
  // The annex names these two zones; a jurisdiction may have others, so the list only suggests.
  validations.add(range('networkZone'), {
    type: 'list',
    allowBlank: true,
    formulae: ['"公共网络区,互联网区"'],
    showErrorMessage: false,
  });
  for (const c of COLUMNS) {
    if (c.kind.type !== 'integer' || c.key === 'rowNo') continue;
    validations.add(range(c.key), {
      type: 'whole',
      operator: 'between',
      allowBlank: true,
      formulae: [c.kind.min, c.kind.max],
      showErrorMessage: true,
      errorStyle: 'stop',
      errorTitle: c.header,
      error: `请填写 ${c.kind.min} 到 ${c.kind.max} 之间的整数`,
    });
  }

  const notes = workbook.addWorksheet(INSTRUCTIONS_SHEET);
  notes.getColumn(1).width = 120;
  notes.addRow([`${INSTRUCTIONS_SHEET}：`]).font = { bold: true };
  for (const line of INSTRUCTIONS) notes.addRow([line]);
  return workbook;
}

export async function writeForm(doc: FormDocument): Promise<Buffer> {
  return Buffer.from(await buildWorkbook(doc).xlsx.writeBuffer());
}

// ---------------------------------------------------------------------------------------------- reading

export type ParseResult =
  | { ok: true; systemName: string; doc: FormDocument }
  | { ok: false; errors: FieldError[]; total: number };

/** Header text compared leniently: Unicode-normalised (full-width letters), no whitespace, no asterisk, any case. */
const headerKey = (s: string) => s.normalize('NFKC').replace(/\s+/g, '').replace(/^\*+/, '').toUpperCase();

const msg = (zh: string, en: string) => `${zh} / ${en}`;

class Errors {
  readonly list: FieldError[] = [];
  total = 0;
  add(field: string, message: string): void {
    this.total++;
    if (this.list.length < MAX_REPORTED_ERRORS) this.list.push({ field, message });
  }
}

const LOAD_OPTIONS = {
  maxRows: MAX_LINES + 2_000,
  maxCols: 200,
  // Only cell data and merged ranges matter; a crafted data-validation range (A1:XFD1048576) would
  // otherwise be expanded cell by cell.
  ignoreNodes: [
    'dataValidations',
    'conditionalFormatting',
    'extLst',
    'picture',
    'drawing',
    'tableParts',
    'autoFilter',
    'rowBreaks',
    'hyperlinks',
    'pageSetup',
    'headerFooter',
    'printOptions',
    'sheetProtection',
  ],
};

async function load(buffer: Buffer): Promise<{ sheet: ExcelJS.Worksheet } | { error: string }> {
  const problem = archiveProblem(buffer, { maxUncompressedBytes: MAX_UNCOMPRESSED_BYTES, maxEntries: 1_000 });
  if (problem === 'not_zip') return { error: msg('不是 .xlsx 文件', 'not an .xlsx file') };
  if (problem) return { error: msg('文件解压后过大', 'the file is too large once unpacked') };
  const workbook = new ExcelJS.Workbook();
  try {
    // maxRows and maxCols are honoured by exceljs's parser but missing from its types.
    await workbook.xlsx.load(buffer as unknown as ExcelJS.Buffer, LOAD_OPTIONS as Partial<ExcelJS.XlsxReadOptions>);
  } catch (error) {
    if (/max .* count .* exceeded/i.test(String((error as Error).message))) {
      return {
        error: msg(
          `工作表过大：最多 ${LOAD_OPTIONS.maxRows} 行、${LOAD_OPTIONS.maxCols} 列（带格式的空行也算在内）`,
          `the sheet is too large: at most ${LOAD_OPTIONS.maxRows} rows and ${LOAD_OPTIONS.maxCols} columns, formatted empty rows included`,
        ),
      };
    }
    return { error: msg('无法读取文件：不是有效的 .xlsx 文件', 'cannot read the file: not a valid .xlsx workbook') };
  }
  const sheet = workbook.getWorksheet(SHEET_NAME) ?? workbook.worksheets[0];
  if (!sheet) return { error: msg('文件中没有工作表', 'the workbook has no worksheet') };
  return { sheet };
}

function textOf(sheet: ExcelJS.Worksheet, row: number, column: number): CellText {
  return cellText(sheet.getRow(row).getCell(column).value);
}
const plain = (t: CellText) => ('text' in t ? t.text : '');

/** The header row: the first of the top rows with a cell reading 序号. */
function findHeader(sheet: ExcelJS.Worksheet): { row: number; column: number } | null {
  const rows = Math.min(sheet.rowCount, 30);
  const columns = Math.min(sheet.columnCount, 30);
  for (let r = 1; r <= rows; r++) {
    for (let c = 1; c <= columns; c++) {
      if (headerKey(plain(textOf(sheet, r, c))) === headerKey(COLUMNS[0]!.header)) return { row: r, column: c };
    }
  }
  return null;
}

/** The text after a label (申请单位联系人…：): in the label's own cell after the colon, or the next cell. */
function contactAfter(sheet: ExcelJS.Worksheet, headerRow: number, prefix: string, other: string): string | null {
  for (let r = 1; r < headerRow; r++) {
    const columns = Math.max(sheet.columnCount, COLUMNS.length);
    for (let c = 1; c <= columns; c++) {
      const label = plain(textOf(sheet, r, c));
      if (!label.startsWith(prefix)) continue;
      const colon = label.search(/[:：]/);
      const inline = colon >= 0 ? label.slice(colon + 1).trim() : '';
      if (inline) return inline.slice(0, 500);
      for (let next = c + 1; next <= columns; next++) {
        const value = plain(textOf(sheet, r, next));
        if (value === label) continue; // the rest of a merged label
        if (value.startsWith(other) || value.startsWith(prefix)) return null;
        if (value) return value.slice(0, 500);
      }
      return null;
    }
  }
  return null;
}

const OWNER_SEPARATOR = /[、,，;；/\n\r]+/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const splitList = (s: string) =>
  s
    .split(OWNER_SEPARATOR)
    .map((p) => p.trim())
    .filter(Boolean);
const isMobile = (s: string) =>
  /^1\d{10}$/.test(
    s
      .normalize('NFKC')
      .replace(/[\s-]/g, '')
      .replace(/^(\+|00)?86/, ''),
  );

/**
 * Reads an uploaded form. Every cell of every row is checked; the result is the whole form or every
 * error found (up to MAX_REPORTED_ERRORS), each naming the cell: `row 12, 内存GB (K12)`.
 */
export async function parseForm(buffer: Buffer): Promise<ParseResult> {
  const errors = new Errors();
  const loaded = await load(buffer);
  if ('error' in loaded) {
    errors.add('file', loaded.error);
    return { ok: false, errors: errors.list, total: errors.total };
  }
  const { sheet } = loaded;
  const header = findHeader(sheet);
  if (!header) {
    errors.add(
      'header',
      msg('找不到表头：应有一行以“序号”开头', 'no header row: a row starting with 序号 is expected'),
    );
    return { ok: false, errors: errors.list, total: errors.total };
  }
  const at = (column: number, row: number) => `${columnLetter(header.column + column)}${row}`;

  // The header must be the annex's, in its order; a wrong header makes every row meaningless, so stop there.
  const expected = COLUMNS.map((c) => headerKey(c.header));
  COLUMNS.forEach((c, i) => {
    const found = plain(textOf(sheet, header.row, header.column + i));
    const key = headerKey(found);
    if (key === expected[i]) return;
    const field = `header, ${c.header} (${at(i, header.row)})`;
    if (!key) errors.add(field, msg(`缺少列“${c.header}”`, `missing column ${c.header}`));
    else if (expected.includes(key))
      errors.add(
        field,
        msg(
          `列顺序不对：此处应为“${c.header}”，而不是“${found}”`,
          `wrong column order: expected ${c.header}, found ${found}`,
        ),
      );
    else
      errors.add(
        field,
        msg(`表头应为“${c.header}”，而不是“${found}”`, `the header must be ${c.header}, found ${found}`),
      );
  });
  for (let c = header.column + COLUMNS.length; c <= sheet.columnCount; c++) {
    const found = plain(textOf(sheet, header.row, c));
    if (found)
      errors.add(
        `header, ${found} (${columnLetter(c)}${header.row})`,
        msg(`多余的列“${found}”`, `extra column ${found}`),
      );
  }
  if (errors.total > 0) return { ok: false, errors: errors.list, total: errors.total };

  const lines: FormLine[] = [];
  let firstSystem: { name: string; row: number } | null = null;
  const rowNos = new Map<number, number>();
  let rejected = 0;
  for (let r = header.row + 1; r <= sheet.rowCount; r++) {
    const cells = COLUMNS.map((_, i) => textOf(sheet, r, header.column + i));
    const first = plain(cells[0]!);
    if (first.startsWith('填写说明')) break; // the annex prints its notes under the table
    // Rows with nothing but a row number are the annex's pre-numbered blank rows.
    if (cells.every((t, i) => i === 0 || ('text' in t && t.text === ''))) continue;
    if (lines.length + rejected >= MAX_LINES) {
      errors.add(
        `row ${r}`,
        msg(`行数过多：一张表最多 ${MAX_LINES} 台虚拟机`, `too many rows: at most ${MAX_LINES} VMs a form`),
      );
      break;
    }
    const before = errors.total;
    const { values, ok } = parseLine(cells, (i, message) =>
      errors.add(`row ${r}, ${COLUMNS[i]!.header} (${at(i, r)})`, message),
    );
    // Form-wide rules look at each cell that is itself valid, even when others in its row are not.
    if (typeof values.systemName === 'string') {
      if (!firstSystem) firstSystem = { name: values.systemName, row: r };
      else if (values.systemName !== firstSystem.name) {
        errors.add(
          `row ${r}, 系统名称 (${at(3, r)})`,
          msg(
            `与第 ${firstSystem.row} 行的系统名称“${firstSystem.name}”不同：一张表只填写一个系统`,
            `differs from “${firstSystem.name}” in row ${firstSystem.row}: one system per form`,
          ),
        );
      }
    }
    if (typeof values.rowNo === 'number') {
      const seen = rowNos.get(values.rowNo);
      if (seen !== undefined) {
        errors.add(
          `row ${r}, 序号 (${at(0, r)})`,
          msg(`序号 ${values.rowNo} 与第 ${seen} 行重复`, `row no. ${values.rowNo} repeats row ${seen}`),
        );
      } else rowNos.set(values.rowNo, r);
    }
    if (ok && errors.total === before) lines.push(values as FormLine);
    else rejected++;
  }
  if (errors.total === 0 && lines.length === 0 && rejected === 0) {
    errors.add('file', msg('表中没有填写任何虚拟机', 'the form lists no virtual machine'));
  }
  if (errors.total > 0 || !firstSystem) return { ok: false, errors: errors.list, total: errors.total };
  lines.sort((a, b) => a.rowNo - b.rowNo);
  return {
    ok: true,
    systemName: firstSystem.name,
    doc: {
      applicantContact: contactAfter(sheet, header.row, '申请单位联系人', '信息系统厂商联系人'),
      vendorContact: contactAfter(sheet, header.row, '信息系统厂商联系人', '申请单位联系人'),
      lines,
    },
  };
}

type LineValues = Partial<Record<keyof FormLine, string | number | boolean | null>>;

/** One row: the values of its valid cells, and whether all were, after reporting each bad cell through `fail`. */
function parseLine(
  cells: CellText[],
  fail: (column: number, message: string) => void,
): { values: LineValues; ok: boolean } {
  const values: LineValues = {};
  let ok = true;
  const bad = (i: number, message: string) => {
    ok = false;
    fail(i, message);
  };
  COLUMNS.forEach((c, i) => {
    const cell = cells[i]!;
    if (!('text' in cell)) {
      bad(
        i,
        cell.problem === 'error_value'
          ? msg(`单元格是错误值 ${cell.detail}`, `the cell holds the error ${cell.detail}`)
          : msg('公式没有计算结果：请粘贴为数值', 'a formula without a computed value: paste it as a value'),
      );
      return;
    }
    const raw = cell.text;
    if (raw === '') {
      if (c.required) bad(i, msg('必填', 'required'));
      values[c.key] = c.key === 'dataDiskGb' ? 0 : null;
      return;
    }
    const kind = c.kind;
    switch (kind.type) {
      case 'text':
        if (raw.length > kind.maxLength)
          bad(i, msg(`不能超过 ${kind.maxLength} 个字`, `at most ${kind.maxLength} characters`));
        else values[c.key] = raw;
        return;
      case 'integer': {
        const normal = raw.normalize('NFKC').trim();
        const n = /^\+?\d+(\.0+)?$/.test(normal) ? Number.parseInt(normal.replace(/^\+/, ''), 10) : Number.NaN;
        if (!Number.isSafeInteger(n) || n < kind.min || n > kind.max) {
          bad(
            i,
            msg(`必须是 ${kind.min} 到 ${kind.max} 之间的整数`, `must be an integer from ${kind.min} to ${kind.max}`),
          );
        } else values[c.key] = n;
        return;
      }
      case 'serverType': {
        // The code alone, or as the annex's notes write it ("APP：应用程序").
        const code = /^([A-Z]{3})(?:$|[\s:：(（-])/.exec(raw.normalize('NFKC').toUpperCase())?.[1];
        if (code && (SERVER_TYPES as readonly string[]).includes(code)) values[c.key] = code;
        else bad(i, msg(`应为 ${SERVER_TYPES.join('、')} 之一`, `must be one of ${SERVER_TYPES.join(', ')}`));
        return;
      }
      case 'yesNo':
        if (raw === '是' || raw === '否') values[c.key] = raw === '是';
        else bad(i, msg('应为“是”或“否”', 'must be 是 (yes) or 否 (no)'));
        return;
    }
  });
  // Rules across cells, checked whenever the cells involved are themselves valid.
  // The owners, their e-mails and their mobiles correspond one to one (the annex's note 4).
  const owners = typeof values.bastionOwner === 'string' ? splitList(values.bastionOwner) : null;
  const emailColumn = COLUMNS.findIndex((c) => c.key === 'bastionOwnerEmail');
  const mobileColumn = emailColumn + 1;
  if (typeof values.bastionOwnerEmail === 'string') {
    const emails = splitList(values.bastionOwnerEmail);
    const wrong = emails.find((e) => !EMAIL.test(e));
    if (wrong) bad(emailColumn, msg(`“${wrong}”不是有效的邮箱地址`, `“${wrong}” is not a valid e-mail address`));
    else if (owners && emails.length !== owners.length) {
      bad(
        emailColumn,
        msg(
          `负责人 ${owners.length} 位，邮箱 ${emails.length} 个：应一一对应`,
          `${owners.length} owner(s) but ${emails.length} e-mail(s): one each`,
        ),
      );
    }
  }
  if (typeof values.bastionOwnerMobile === 'string') {
    const mobiles = splitList(values.bastionOwnerMobile);
    const wrong = mobiles.find((m) => !isMobile(m));
    if (wrong) {
      bad(
        mobileColumn,
        msg(
          `“${wrong}”不是有效的手机号码（1 开头的 11 位数字）`,
          `“${wrong}” is not a mobile number (11 digits starting with 1)`,
        ),
      );
    } else if (owners && mobiles.length !== owners.length) {
      bad(
        mobileColumn,
        msg(
          `负责人 ${owners.length} 位，手机号码 ${mobiles.length} 个：应一一对应`,
          `${owners.length} owner(s) but ${mobiles.length} mobile(s): one each`,
        ),
      );
    }
  }

  const groupColumn = COLUMNS.findIndex((c) => c.key === 'clusterGroup');
  if (typeof values.clustered === 'boolean' && 'clusterGroup' in values) {
    if (values.clustered && !values.clusterGroup) {
      bad(groupColumn, msg('集群部署为“是”时必填', 'required when 集群部署 is 是 (clustered)'));
    } else if (!values.clustered && values.clusterGroup) {
      bad(groupColumn, msg('集群部署为“否”时应留空', 'must be empty when 集群部署 is 否 (not clustered)'));
    }
  }
  return { values, ok };
}
