import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { renderReportPdf } from '../../platform/pdf.ts';
import { formatShanghai } from '../../platform/time/time.ts';
import type { Trx } from '../../schema.ts';
import { getReport, type ReportFigures } from './reports.service.ts';

// The printable operations report (TZ 12): the archived figures of a report as an A4 PDF with the Chinese font
// embedded. Rendered from the archive on request (the figures are what the SM3 of the workbook vouches for).

const n = (v: number | string | null | undefined) => (v === null || v === undefined ? '—' : String(v));
const local = (iso: string) => formatShanghai(new Date(iso)).slice(0, 16).replace('T', ' ');

export function reportPdfContent(f: ReportFigures) {
  const scope = f.provider ? f.provider.name : '全市';
  return {
    title: `${scope}政务云运维${f.period === 'week' ? '周' : '月'}报`,
    facts: [
      `报告期：${f.from} 至 ${f.to}（不含）`,
      `期末在用资源数：${f.inventory.total}；监测资源数：${f.utilisation.city.resources}；CPU 平均使用率：${n(f.utilisation.city.cpuAvg)}%`,
      `工单 ${f.tickets.opened} 件，按时响应 ${f.tickets.met} 件，响应超时 ${f.tickets.breached} 件，平均响应 ${n(f.tickets.averageResponseSeconds)} 秒，平均满意度 ${n(f.tickets.averageSatisfaction)}`,
      ...(f.settlement ? [`${f.settlement.month} 结算金额：${f.settlement.total} 元`] : []),
      `已实施维护窗口：${f.maintenance.agreed} 个`,
    ],
    sections: [
      {
        heading: '资源',
        columns: ['单位', '服务目录项', '数量'],
        rows: f.inventory.rows.map((r) => [r.unitName ?? '', r.item, String(r.count)]),
      },
      {
        heading: '使用率',
        columns: ['单位', '资源数', 'CPU 平均%', 'CPU P95%', '内存平均%', '未关闭发现'],
        rows: f.utilisation.units.map((u) => [
          u.organisationName,
          n(u.resources),
          n(u.cpuAvg),
          n(u.cpuP95),
          n(u.memoryAvg),
          n(u.findings),
        ]),
      },
      {
        heading: '可用性',
        columns: ['云服务商', '故障时长（分钟）', '可用率%'],
        rows: f.availability.providers.map((p) => [
          p.name ?? '',
          String(Math.round(p.downtimeSeconds / 60)),
          String(p.availabilityPercent),
        ]),
      },
      ...(f.availability.measured
        ? [
            {
              heading: '可用性（心跳监测，已扣除计划维护）',
              columns: ['范围', '名称', '中断时长（分钟）', '计划维护（小时）', '可用率%'],
              rows: [
                ...f.availability.measured.providers.map((g) => ['云服务商', g] as const),
                ...f.availability.measured.systems.map((g) => ['信息系统', g] as const),
              ].map(([kind, g]) => [
                kind,
                g.name,
                String(Math.round(g.downSeconds / 60)),
                String(Math.round(g.plannedSeconds / 360) / 10),
                n(g.availabilityPercent),
              ]),
            },
          ]
        : []),
      {
        heading: '维护',
        columns: ['编号', '事项', '云服务商', '开始', '结束'],
        rows: f.maintenance.windows.map((w) => [w.number, w.title, w.provider, local(w.startsAt), local(w.endsAt)]),
      },
      ...(f.changes
        ? [
            {
              heading: '变更交付',
              columns: ['订单号', '类型', '事项', '单位', '完成时间'],
              rows: [
                ...f.changes.orders.map((o) => [
                  o.number,
                  o.type === 'change' ? '变更' : '扩容',
                  o.title,
                  o.unitName,
                  local(o.closedAt),
                ]),
                ['合计', '', '', '', String(f.changes.total)],
              ],
            },
          ]
        : []),
      ...(f.idle
        ? [
            {
              heading: '闲置资源（CPU平均使用率最低）',
              columns: ['资源', '单位', 'vCPU', 'CPU平均%', 'CPU峰值%'],
              rows: f.idle.top.map((r) => [
                r.resourceName,
                r.organisationName ?? '',
                r.vcpu === null ? '—' : String(r.vcpu),
                n(r.cpuAvg),
                n(r.cpuMax),
              ]),
            },
          ]
        : []),
      ...(f.rightSizing
        ? [
            {
              heading: `调整建议（分析资源 ${f.rightSizing.summary.resources}，降配 ${f.rightSizing.summary.downsize}，扩容 ${f.rightSizing.summary.expand}）`,
              columns: ['资源', '单位', 'vCPU', '建议vCPU', 'CPU P95%'],
              rows: f.rightSizing.suggestions.map((x) => [
                x.resourceName,
                x.organisationName ?? '',
                x.vcpu === null ? '—' : String(x.vcpu),
                x.suggestedVcpu === null ? '—' : String(x.suggestedVcpu),
                n(x.cpuP95),
              ]),
            },
          ]
        : []),
      ...(f.settlement
        ? [
            {
              heading: '结算',
              columns: ['单位', '金额（元）'],
              rows: [...f.settlement.units.map((u) => [u.unitName, u.total]), ['合计', f.settlement.total]],
            },
          ]
        : []),
    ],
  };
}

/** The PDF of an archived report the caller may see; audited like the workbook's download. */
export async function reportPdf(trx: Trx, auth: AuthContext, actor: Actor, id: string) {
  const r = await getReport(trx, auth, id);
  const body = await renderReportPdf({ ...reportPdfContent(r.figures), createdAt: new Date(r.generatedAt) });
  await writeAudit(trx, actor, {
    action: 'operations.report_pdf_downloaded',
    objectType: 'operations_report',
    objectId: id,
    detail: { contentHash: r.contentHash },
  });
  return { body, name: `operations-${r.period}-${r.from}.pdf` };
}
