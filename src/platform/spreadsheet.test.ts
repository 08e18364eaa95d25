import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { archiveProblem, attachment, cellText, columnLetter, neutralise, restoreNeutralised } from './spreadsheet.ts';

describe('formula neutralisation', () => {
  it('prefixes text a spreadsheet would take for a formula, and only that', () => {
    expect(neutralise('=HYPERLINK("http://x")')).toBe('\'=HYPERLINK("http://x")');
    for (const s of ['+1', '-', '@SUM(A1)', '\tx', '\rx']) expect(neutralise(s)).toBe(`'${s}`);
    for (const s of ['', 'CentOS 7.0', '张三', "it's", "'quoted"]) expect(neutralise(s)).toBe(s);
  });

  it('restoreNeutralised undoes exactly what neutralise added, apostrophes included', () => {
    for (const s of ['=1+1', "'=1+1", "''-x", '-', "'", "'a", 'plain', '@x']) {
      expect(restoreNeutralised(neutralise(s))).toBe(s);
    }
  });
});

describe('cellText', () => {
  it('reads every kind of exceljs value as text', () => {
    expect(cellText(null)).toEqual({ text: '' });
    expect(cellText(' 16 ')).toEqual({ text: '16' });
    expect(cellText(13800000000)).toEqual({ text: '13800000000' });
    expect(cellText(true)).toEqual({ text: 'TRUE' });
    expect(cellText(new Date('2026-03-01T00:00:00Z'))).toEqual({ text: '2026-03-01' });
    expect(cellText({ richText: [{ text: '公共' }, { text: '网络区' }] })).toEqual({ text: '公共网络区' });
    expect(cellText({ text: 'a@b.cn', hyperlink: 'mailto:a@b.cn' })).toEqual({ text: 'a@b.cn' });
    expect(cellText({ formula: '2*4', result: 8 } as ExcelJS.CellFormulaValue)).toEqual({ text: '8' });
    expect(cellText({ formula: 'A1' } as ExcelJS.CellFormulaValue)).toMatchObject({
      problem: 'formula_without_result',
    });
    expect(cellText({ error: '#N/A' } as ExcelJS.CellErrorValue)).toEqual({ problem: 'error_value', detail: '#N/A' });
    expect(cellText("'=x")).toEqual({ text: '=x' });
  });
});

describe('archiveProblem', () => {
  const limits = { maxUncompressedBytes: 10 * 1024 * 1024, maxEntries: 100 };
  const workbook = async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('a').addRow(['x']);
    return Buffer.from(await wb.xlsx.writeBuffer());
  };

  it('accepts a workbook and refuses what is not a ZIP', async () => {
    expect(archiveProblem(await workbook(), limits)).toBeNull();
    expect(archiveProblem(Buffer.from('<html>not a zip</html>'), limits)).toBe('not_zip');
    expect(archiveProblem(Buffer.alloc(0), limits)).toBe('not_zip');
  });

  it('refuses an archive whose files claim to inflate beyond the limit, or too many files', async () => {
    const bomb = await workbook();
    // Rewrite the first central-directory entry's uncompressed size to 1 GB.
    const eocd = bomb.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    const central = bomb.readUInt32LE(eocd + 16);
    bomb.writeUInt32LE(1024 * 1024 * 1024, central + 24);
    expect(archiveProblem(bomb, limits)).toBe('too_large');
    expect(archiveProblem(await workbook(), { ...limits, maxEntries: 2 })).toBe('too_many_entries');
  });
});

it('columnLetter and attachment', () => {
  expect([1, 11, 17, 26, 27, 52, 703].map(columnLetter)).toEqual(['A', 'K', 'Q', 'Z', 'AA', 'AZ', 'AAA']);
  expect(attachment('form.xlsx', '云资源使用需求表.xlsx')).toBe(
    `attachment; filename="form.xlsx"; filename*=UTF-8''${encodeURIComponent('云资源使用需求表.xlsx')}`,
  );
});
