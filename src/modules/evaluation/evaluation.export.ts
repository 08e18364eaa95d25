import ExcelJS from 'exceljs';
import { neutralise } from '../../platform/spreadsheet.ts';
import type { Card } from './evaluation.scoring.ts';

// The published results as an Excel workbook: one sheet per evaluated kind, ranked, every indicator's score.

const THIN = { style: 'thin' as const, color: { argb: 'FF808080' } };
const BORDER = { top: THIN, left: THIN, bottom: THIN, right: THIN };

interface Exported {
  period: string;
  publishedAt: string | null;
  contentHash: string;
  cards: Pick<Card, 'subject' | 'name' | 'total' | 'band' | 'coefficient' | 'rank' | 'ofCount' | 'indicators'>[];
}

export async function writeResults(e: Exported): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Yunguan 云管';
  for (const [subject, title] of [
    ['using_unit', '使用单位'],
    ['provider', '云服务商'],
    ['data_centre', '自建数据中心'],
  ] as const) {
    const cards = e.cards.filter((c) => c.subject === subject);
    if (subject === 'data_centre' && cards.length === 0) continue;
    const sheet = workbook.addWorksheet(`${title}效能评估结果`);
    const indicators = cards[0]?.indicators ?? [];
    const headers: [string, number][] = [
      ['排名', 6],
      [title, 28],
      ...indicators.map((i) => [`${i.zh}（权重${i.weight}）`, 18] as [string, number]),
      ['总分', 10],
      ...(subject === 'using_unit'
        ? ([
            ['等级', 10],
            ['效能系数', 10],
          ] as [string, number][])
        : []),
    ];
    sheet.getCell(1, 1).value = `${e.period} 年度政务云效能评估结果（${title}）`;
    sheet.getCell(1, 1).font = { bold: true, size: 14 };
    sheet.getCell(2, 1).value = `发布时间：${e.publishedAt ?? '未发布'}；内容摘要：${e.contentHash.slice(0, 16)}`;
    sheet.columns = headers.map(([, width]) => ({ width }));
    headers.forEach(([h], i) => {
      const cell = sheet.getRow(3).getCell(i + 1);
      cell.value = h;
      cell.font = { bold: true };
      cell.border = BORDER;
      cell.alignment = { horizontal: 'center', wrapText: true };
    });
    cards.forEach((c, r) => {
      const values: (string | number | null)[] = [
        c.rank,
        neutralise(c.name),
        ...c.indicators.map((i) => i.score),
        c.total,
        ...(subject === 'using_unit' ? [c.band, c.coefficient] : []),
      ];
      values.forEach((v, k) => {
        const cell = sheet.getRow(r + 4).getCell(k + 1);
        cell.value = v;
        cell.border = BORDER;
      });
    });
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
