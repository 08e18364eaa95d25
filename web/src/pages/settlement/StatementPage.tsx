import { DownloadOutlined, PrinterOutlined } from '@ant-design/icons';
import { Button, Card, Descriptions, Modal, Space, Table, type TableColumnsType, Tag } from 'antd';
import { useMemo, useState } from 'react';
import { useParams } from 'react-router';
import {
  formatCoefficient,
  formatFen,
  type StatementLine,
  statementExportUrl,
  statementPrintUrl,
  useLineExplanation,
  useStatement,
} from '../../api/hooks/settlement';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { DateTime } from '../../components/DateTime';
import { PageHeader } from '../../components/PageHeader';
import { type Language, type MessageKey, useI18n } from '../../i18n';
import { dimensionLabel } from '../projects/labels';
import { STATUS_COLOURS } from './shared';

interface Row {
  key: string;
  label: string;
  fen: bigint;
  line?: StatementLine;
  children?: Row[];
}

/** Project -> information system -> resource -> lines, each level with its subtotal (exact, bigint fen). */
function drillDown(lines: readonly StatementLine[], none: string, language: Language): Row[] {
  const level = (
    items: readonly StatementLine[],
    keys: ((l: StatementLine) => [string, string])[],
    path: string,
  ): Row[] => {
    const [first, ...rest] = keys;
    if (!first) {
      return items.map((l) => ({
        key: `${path}/${l.lineNo}`,
        label: `${l.catalogueItemName} · ${dimensionLabel(l.dimension, language)}${l.kind === 'adjustment' ? ` (${l.adjustsMonth})` : ''}`,
        fen: BigInt(l.amountFen),
        line: l,
      }));
    }
    const groups = new Map<string, { label: string; items: StatementLine[] }>();
    for (const l of items) {
      const [id, label] = first(l);
      const g = groups.get(id) ?? { label, items: [] };
      g.items.push(l);
      groups.set(id, g);
    }
    return [...groups.entries()].map(([id, g]) => {
      const children = level(g.items, rest, `${path}/${id}`);
      return { key: `${path}/${id}`, label: g.label, fen: children.reduce((a, c) => a + c.fen, 0n), children };
    });
  };
  return level(
    lines,
    [
      (l) => [l.projectId ?? '-', l.projectName ?? none],
      (l) => [l.systemId ?? '-', l.systemName ?? none],
      (l) => [l.resourceId, l.resourceName],
    ],
    '',
  );
}

export function StatementPage() {
  const { t, language } = useI18n();
  const { id } = useParams();
  const statement = useStatement(id);
  const [explain, setExplain] = useState<number | undefined>();
  const rows = useMemo(
    () => drillDown(statement.data?.lines ?? [], t('settlement.none'), language),
    [statement.data, t, language],
  );
  // open every level of a statement of ordinary size; a very long one opens at its projects
  const expanded = useMemo(() => {
    const groups: string[] = [];
    const walk = (list: Row[], depth: number) => {
      for (const r of list) {
        if (!r.children) continue;
        groups.push(r.key);
        if (depth > 0) walk(r.children, depth - 1);
      }
    };
    walk(rows, (statement.data?.lines.length ?? 0) <= 200 ? 3 : 0);
    return groups;
  }, [rows, statement.data]);
  if (statement.error) return <ApiErrorAlert error={statement.error} onRetry={() => void statement.refetch()} />;
  const s = statement.data;
  const columns: TableColumnsType<Row> = [
    {
      key: 'label',
      title: t('settlement.drillDown'),
      render: (_, r) =>
        r.line ? (
          <Button type="link" size="small" onClick={() => setExplain(r.line?.lineNo)}>
            {r.label}
          </Button>
        ) : (
          r.label
        ),
    },
    { key: 'provider', title: t('settlement.provider'), render: (_, r) => r.line?.providerName ?? '' },
    {
      key: 'coefficient',
      title: t('settlement.coefficient'),
      render: (_, r) => (r.line ? formatCoefficient(r.line.coefficient) : ''),
    },
    { key: 'amount', title: t('settlement.amount'), align: 'right', render: (_, r) => formatFen(String(r.fen)) },
  ];
  return (
    <>
      <PageHeader
        title={s ? t('settlement.statementTitle', { unit: s.organisationName, month: s.month }) : t('settlement.title')}
        extra={
          s && (
            <Space>
              <Button icon={<DownloadOutlined />} href={statementExportUrl(s.id, 'xlsx')}>
                Excel
              </Button>
              <Button icon={<DownloadOutlined />} href={statementExportUrl(s.id, 'csv')}>
                CSV
              </Button>
              <Button icon={<PrinterOutlined />} href={statementPrintUrl(s.id)} target="_blank">
                {t('settlement.print')}
              </Button>
            </Space>
          )
        }
      />
      <Card loading={statement.isPending} size="small">
        {s && (
          <>
            <Descriptions size="small" column={3} style={{ marginBottom: 16 }}>
              <Descriptions.Item label={t('settlement.status')}>
                <Tag color={STATUS_COLOURS[s.status]}>{t(`settlement.statuses.${s.status}` as MessageKey)}</Tag>
              </Descriptions.Item>
              <Descriptions.Item label={t('settlement.billedTo')}>
                {s.outsideCityBudget ? (
                  <Tag color="purple">{t('settlement.billedToUnits')}</Tag>
                ) : (
                  t('settlement.cityBudget')
                )}
              </Descriptions.Item>
              <Descriptions.Item label={t('settlement.coefficient')}>
                {formatCoefficient(s.coefficient)}
                {s.coefficientSource === 'evaluation'
                  ? `（${t('ev.coefficientFromEvaluation', { band: s.coefficientBand ?? '' })}）`
                  : s.coefficientSource === 'manual'
                    ? `（${t('ev.coefficientOverride', { reason: s.coefficientNote ?? '' })}）`
                    : ''}
              </Descriptions.Item>
              <Descriptions.Item label={t('settlement.usage')}>{formatFen(s.usageFen)}</Descriptions.Item>
              <Descriptions.Item label={t('settlement.adjustments')}>{formatFen(s.adjustmentFen)}</Descriptions.Item>
              <Descriptions.Item label={t('settlement.total')}>{formatFen(s.totalFen)}</Descriptions.Item>
              <Descriptions.Item label={t('settlement.asOf')}>
                <DateTime value={s.asOf} format="YYYY-MM-DD HH:mm" />
              </Descriptions.Item>
            </Descriptions>
            <Table
              rowKey="key"
              size="small"
              columns={columns}
              dataSource={rows}
              pagination={false}
              expandable={{ defaultExpandedRowKeys: expanded }}
            />
          </>
        )}
      </Card>
      {s && <LineModal statementId={s.id} lineNo={explain} onClose={() => setExplain(undefined)} />}
    </>
  );
}

function LineModal({ statementId, lineNo, onClose }: { statementId: string; lineNo?: number; onClose: () => void }) {
  const { t } = useI18n();
  const explanation = useLineExplanation(statementId, lineNo);
  const e = explanation.data;
  return (
    <Modal open={lineNo !== undefined} onCancel={onClose} footer={null} width={760} title={t('settlement.explain')}>
      {explanation.error && <ApiErrorAlert error={explanation.error} />}
      {e && (
        <>
          <p>
            {e.rule} · {t('settlement.monthSeconds')}: {e.monthSeconds} · {t('settlement.coefficient')}:{' '}
            {formatCoefficient(e.line.coefficient)} · {t('settlement.amount')}: {formatFen(e.line.amountFen)}
          </p>
          <Table
            rowKey={(p) => `${p.eventId}/${p.from}`}
            size="small"
            pagination={false}
            dataSource={e.pieces}
            columns={[
              { key: 'event', title: t('settlement.event'), dataIndex: 'eventId' },
              {
                key: 'from',
                title: t('settlement.from'),
                render: (_, p) => <DateTime value={p.from} format="YYYY-MM-DD HH:mm:ss" />,
              },
              {
                key: 'to',
                title: t('settlement.to'),
                render: (_, p) => <DateTime value={p.to} format="YYYY-MM-DD HH:mm:ss" />,
              },
              { key: 'quantity', title: t('settlement.quantity'), dataIndex: 'quantity' },
              { key: 'seconds', title: t('settlement.seconds'), dataIndex: 'seconds' },
              { key: 'price', title: t('settlement.unitPrice'), dataIndex: 'unitPrice' },
            ]}
          />
        </>
      )}
    </Modal>
  );
}
