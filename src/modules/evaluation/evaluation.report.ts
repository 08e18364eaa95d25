import { type PdfSection, renderReportPdf } from '../../platform/pdf.ts';
import { formatShanghai } from '../../platform/time/time.ts';
import type { Outcomes } from './evaluation.outcomes.ts';
import type { Card } from './evaluation.scoring.ts';

// The printable evaluation report (issue 17): the published cards the caller may see, ranked, with every
// indicator's score, then next year's allocation advice and the providers' fee adjustments, as an A4 PDF with
// the Chinese font embedded (platform/pdf.ts, as the operations reports are).

type Shown = Pick<Card, 'subject' | 'name' | 'total' | 'band' | 'coefficient' | 'rank' | 'ofCount' | 'indicators'>;

const KINDS = [
  ['using_unit', '使用单位'],
  ['provider', '云服务商'],
  ['data_centre', '暂时保留自建数据中心的单位'],
] as const;
const ACTION_ZH = { raise: '可申请增加', keep: '维持', cut: '建议核减' } as const;
const DIMENSION_ZH: Record<string, string> = {
  vcpu: 'vCPU（核）',
  memory_gb: '内存（GB）',
  storage_gb: '存储（GB）',
  bandwidth_mbps: '带宽（Mbps）',
};
const quotaText = (q: Record<string, string> | null) =>
  q
    ? Object.entries(q)
        .map(([d, v]) => `${DIMENSION_ZH[d] ?? `服务目录项 ${d.replace(/^item:/, '')}`} ${v}`)
        .join('，')
    : '—';

export function evaluationReportContent(e: {
  period: string;
  revision: number;
  publishedAt: string | null;
  contentHash: string;
  cards: Shown[];
  outcomes: Outcomes | null;
}) {
  const sections: PdfSection[] = [];
  for (const [subject, title] of KINDS) {
    const cards = e.cards.filter((c) => c.subject === subject);
    if (cards.length === 0) continue;
    const indicators = cards[0]?.indicators ?? [];
    sections.push({
      heading: `${title}评分（共 ${cards[0]?.ofCount ?? cards.length} 家）`,
      columns: [
        '排名',
        title,
        ...indicators.map((i) => `${i.zh}（权重 ${i.weight}）`),
        '总分',
        ...(subject === 'using_unit' ? ['等级 / 系数'] : []),
      ],
      rows: cards.map((c) => [
        String(c.rank),
        c.name,
        ...c.indicators.map((i) => i.score ?? '未录入'),
        c.total,
        ...(subject === 'using_unit' ? [c.band ? `${c.band} ${c.coefficient ?? ''}` : '—'] : []),
      ]),
    });
  }
  const allocation = e.outcomes?.allocation;
  if (allocation) {
    sections.push({
      heading: `下一年度云资源分配建议（${allocation.article ?? '本市规定'}）`,
      columns: ['单位', '总分', '建议', '项目', '现有配额', '建议配额'],
      rows: allocation.units.flatMap((u) =>
        (u.projects.length ? u.projects : [null]).map((p) => [
          u.name,
          u.total,
          ACTION_ZH[u.action],
          p ? p.name : '（无已批准项目）',
          quotaText(p?.quota ?? null),
          quotaText(p?.suggested ?? null),
        ]),
      ),
    });
  }
  const fee = e.outcomes?.providerFee;
  if (fee) {
    sections.push({
      heading: `云服务商服务费调整（${fee.article ?? '本市规定'}；计费月份：${fee.months.join('、') || '无已核定月份'}）`,
      columns: ['云服务商', '总分', '档次', '调整比例', '已核定服务费（元）', '调整金额（元）'],
      rows: fee.providers.map((p) => [p.name, p.total, p.band, p.adjustment, p.billed, p.adjustmentYuan]),
    });
  }
  return {
    title: `${e.period} 年度政务云效能评估结果`,
    facts: [
      `发布时间：${e.publishedAt ? formatShanghai(new Date(e.publishedAt)).slice(0, 16).replace('T', ' ') : '未发布'}（第 ${e.revision} 版）`,
      `内容摘要（SM3）：${e.contentHash}`,
    ],
    sections,
  };
}

export async function evaluationReportPdf(
  e: Parameters<typeof evaluationReportContent>[0],
  createdAt: Date,
): Promise<Buffer> {
  return renderReportPdf({ ...evaluationReportContent(e), createdAt });
}
