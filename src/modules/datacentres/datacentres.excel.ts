import ExcelJS from 'exceljs';
import { neutralise } from '../../platform/spreadsheet.ts';
import type { ProgressRow } from './migration.service.ts';
import type { DataCentre } from './register.service.ts';

// Excel exports of the register (存量数据中心登记表) and of the migration progress (迁移上云进度): Chinese
// headers and labels, never ids or codes; text neutralised against formula injection.

export const STAGE_ZH: Record<DataCentre['stage'], string> = {
  registered: '已登记',
  applied: '认定中',
  retained: '通过认定（保留期内）',
  transition: '迁移过渡期',
  migrating: '保留期满，迁移中',
  closed: '已撤销',
};
const CONSTRUCTION_ZH = { self_built: '自建', rented: '租用第三方' } as const;
const CLASS_ZH = { A: 'A类', B: 'B类', C: 'C类', none: '未达到' } as const;
const yes = (b: boolean) => (b ? '是' : '否');

const THIN = { style: 'thin' as const, color: { argb: 'FF808080' } };
const BORDER = { top: THIN, left: THIN, bottom: THIN, right: THIN };

type Value = string | number | null;

function sheetOf(workbook: ExcelJS.Workbook, name: string, headers: [string, number][], rows: Value[][]) {
  const sheet = workbook.addWorksheet(name);
  sheet.columns = headers.map(([, width]) => ({ width }));
  const head = sheet.getRow(1);
  headers.forEach(([h], i) => {
    const cell = head.getCell(i + 1);
    cell.value = h;
    cell.font = { bold: true };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF2F2F2' } };
    cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
    cell.border = BORDER;
  });
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  rows.forEach((values, r) => {
    const row = sheet.getRow(r + 2);
    values.forEach((v, c) => {
      const cell = row.getCell(c + 1);
      cell.value = typeof v === 'string' ? neutralise(v) : v;
      cell.border = BORDER;
    });
  });
  return sheet;
}

export async function writeRegister(centres: readonly DataCentre[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Yunguan 云管';
  sheetOf(
    workbook,
    '存量数据中心',
    [
      ['序号', 6],
      ['单位', 22],
      ['机房名称', 22],
      ['建设方式', 10],
      ['地址', 30],
      ['面积（平方米）', 12],
      ['可用机架数', 10],
      ['GB 50174 等级', 12],
      ['接入电子政务外网', 12],
      ['支持IPv6', 10],
      ['云平台符合GB/T 33780', 14],
      ['与市级云平台对接', 12],
      ['专职运维人员', 10],
      ['7×24小时运维', 10],
      ['等保级别', 8],
      ['云计算安全扩展', 12],
      ['测评报告编号', 18],
      ['租用合约到期日', 14],
      ['承载信息系统', 40],
      ['其中涉密系统', 12],
      ['状态', 16],
      ['认定审批日期', 14],
      ['保留期至', 12],
      ['迁移期限', 12],
      ['依据', 10],
    ],
    centres.map((c, i) => [
      i + 1,
      c.organisationName,
      c.name,
      CONSTRUCTION_ZH[c.construction],
      c.address,
      Number(c.areaSquareMetres),
      c.racks,
      CLASS_ZH[c.gb50174Class],
      yes(c.extranetConnected),
      yes(c.ipv6),
      yes(c.cloudPlatformConformant),
      yes(c.cityPlatformInterface),
      c.fullTimeOperators,
      yes(c.service7x24),
      c.mlpsLevel > 0 ? `第${c.mlpsLevel}级` : '未定级',
      yes(c.mlpsCloudExtension),
      c.mlpsTestReport,
      c.leaseEnd,
      c.systems.map((s) => s.systemName).join('、'),
      c.systems.filter((s) => s.classified).length,
      STAGE_ZH[c.stage],
      c.approvedOn,
      c.retentionEnds,
      c.migrationDeadline,
      c.deadlineArticle,
    ]),
  );
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

export async function writeProgress(rooms: readonly ProgressRow[], centres: readonly DataCentre[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Yunguan 云管';
  sheetOf(
    workbook,
    '迁移进度',
    [
      ['序号', 6],
      ['单位', 22],
      ['机房名称', 22],
      ['状态', 16],
      ['迁移期限', 12],
      ['依据', 10],
      ['需迁移系统', 10],
      ['已列入计划', 10],
      ['已完成', 8],
      ['未完成', 8],
      ['预警', 8],
      ['预警说明', 50],
    ],
    rooms.map((r, i) => [
      i + 1,
      r.organisationName,
      r.name,
      STAGE_ZH[r.stage],
      r.migrationDeadline,
      r.deadlineArticle,
      r.progress.systems,
      r.progress.planned,
      r.progress.done,
      r.progress.remaining,
      r.progress.atRisk ? '是' : '否',
      r.progress.risks.join('；'),
    ]),
  );
  const ids = new Set(rooms.map((r) => r.dataCentreId));
  sheetOf(
    workbook,
    '系统明细',
    [
      ['单位', 22],
      ['机房名称', 22],
      ['信息系统', 28],
      ['涉密', 6],
      ['方式', 10],
      ['计划完成日期', 14],
      ['完成日期', 12],
      ['数据处理情况', 30],
      ['关联工单', 20],
    ],
    centres
      .filter((c) => ids.has(c.id))
      .flatMap((c) =>
        c.systems.map((s) => [
          c.organisationName,
          c.name,
          s.systemName,
          yes(s.classified),
          s.plan === 'migrate' ? '迁移上云' : s.plan === 'shut_down' ? '整合关停' : s.classified ? '不迁移' : '未计划',
          s.targetDate,
          s.doneOn,
          s.dataHandling,
          s.orderNumbers.join('、'),
        ]),
      ),
  );
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
