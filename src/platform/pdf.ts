import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import { AppError } from './errors.ts';

// Printable reports as PDF with a Chinese font embedded (pdfkit subsets the glyphs used, so a report stays small).
// The font is Debian's fonts-noto-cjk (Noto Sans CJK SC); a machine without it cannot print Chinese, so the PDF is
// refused with 503 pdf_font_unavailable naming the package, and the Excel workbook stays available.

const FONT_CANDIDATES = [
  { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', family: 'NotoSansCJKsc-Regular' },
  { path: '/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc', family: 'NotoSansCJKsc-Regular' },
  { path: '/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc', family: 'NotoSansCJKsc-Regular' },
];

export const PDF_MEDIA_TYPE = 'application/pdf';

export function cjkFont(): { path: string; family: string } {
  const found = FONT_CANDIDATES.find((f) => existsSync(f.path));
  if (!found)
    throw new AppError(
      'pdf_font_unavailable',
      `no Chinese font for the PDF: install fonts-noto-cjk (${FONT_CANDIDATES[0]?.path}); the Excel workbook is available`,
    );
  return found;
}

/** A table row: cells as text. */
export type PdfRow = readonly string[];

export interface PdfSection {
  heading: string;
  columns: PdfRow;
  rows: readonly PdfRow[];
}

/** A simple A4 report: title, lines of facts, then one table per section; returns the file's bytes. */
export async function renderReportPdf(input: {
  title: string;
  facts: readonly string[];
  sections: readonly PdfSection[];
  /** fixed metadata dates, so the same figures give the same bytes */
  createdAt: Date;
}): Promise<Buffer> {
  const font = cjkFont();
  const doc = new PDFDocument({
    size: 'A4',
    margin: 48,
    info: { Title: input.title, Creator: 'Yunguan', CreationDate: input.createdAt, ModDate: input.createdAt },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('cjk', font.path, font.family);
  doc.font('cjk').fontSize(16).text(input.title, { align: 'center' });
  doc.moveDown();
  doc.fontSize(10);
  for (const f of input.facts) doc.text(f);
  const width = doc.page.width - 96;
  for (const s of input.sections) {
    doc.moveDown().fontSize(12).text(s.heading).fontSize(9);
    const cell = width / Math.max(1, s.columns.length);
    const line = (row: PdfRow) => {
      if (doc.y > doc.page.height - 72) doc.addPage();
      const y = doc.y;
      let h = 0;
      row.forEach((text, i) => {
        const height = doc.heightOfString(text, { width: cell - 4 });
        doc.text(text, 48 + i * cell, y, { width: cell - 4 });
        h = Math.max(h, height);
      });
      doc.x = 48;
      doc.y = y + h + 4;
    };
    line(s.columns);
    for (const r of s.rows) line(r);
    if (s.rows.length === 0) doc.text('（无）');
  }
  doc.end();
  return done;
}
