import { DownloadOutlined } from '@ant-design/icons';
import { Button, Card, Col, Progress, Row, Statistic, Table, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { type MigrationProgress, PROGRESS_EXPORT_URL, useMigrationProgress } from '../../api/hooks/data-centres';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { CitedText } from '../../components/Citation';
import { PageHeader } from '../../components/PageHeader';
import { useI18n } from '../../i18n';
import { StageTag } from './shared';

type Row_ = MigrationProgress['rooms'][number];

/** Migration to the city cloud (LZ 16): per room and in total; rooms whose plan will miss their deadline flagged. */
export function MigrationPage() {
  const { t } = useI18n();
  const progress = useMigrationProgress();
  const total = progress.data?.total;
  const percent = total && total.systems > 0 ? Math.round((total.done * 100) / total.systems) : 0;
  return (
    <>
      <PageHeader
        title={t('dc.migration.title')}
        description={t('dc.migration.description')}
        extra={
          <Button icon={<DownloadOutlined />} href={PROGRESS_EXPORT_URL}>
            {t('dc.export')}
          </Button>
        }
      />
      {progress.error ? <ApiErrorAlert error={progress.error} onRetry={() => progress.refetch()} /> : null}
      {total ? (
        <Card style={{ marginBottom: 16 }}>
          <Row gutter={16} align="middle">
            <Col span={4}>
              <Progress type="circle" percent={percent} size={96} aria-label={t('dc.migration.percent')} />
            </Col>
            <Col span={4}>
              <Statistic title={t('dc.migration.rooms')} value={total.rooms} />
            </Col>
            <Col span={4}>
              <Statistic title={t('dc.migration.systems')} value={total.systems} />
            </Col>
            <Col span={4}>
              <Statistic title={t('dc.migration.done')} value={total.done} />
            </Col>
            <Col span={4}>
              <Statistic title={t('dc.migration.remaining')} value={total.remaining} />
            </Col>
            <Col span={4}>
              <Statistic
                title={t('dc.overview.atRisk')}
                value={total.atRisk}
                valueStyle={total.atRisk ? { color: '#cf1322' } : undefined}
              />
            </Col>
          </Row>
        </Card>
      ) : null}
      <Card>
        <Table<Row_>
          rowKey="dataCentreId"
          loading={progress.isFetching}
          dataSource={progress.data?.rooms ?? []}
          pagination={{ pageSize: 50 }}
          columns={[
            {
              key: 'name',
              title: t('dc.col.name'),
              render: (_, r) => <Link to={`/data-centres/${r.dataCentreId}`}>{r.name}</Link>,
            },
            { key: 'unit', title: t('dc.col.unit'), dataIndex: 'organisationName' },
            { key: 'stage', title: t('dc.col.stage'), render: (_, r) => <StageTag stage={r.stage} /> },
            {
              key: 'deadline',
              title: t('dc.col.deadline'),
              render: (_, r) =>
                r.migrationDeadline ? <CitedText text={`${r.migrationDeadline}（${r.deadlineArticle ?? ''}）`} /> : '—',
            },
            {
              key: 'progress',
              title: t('dc.migration.progress'),
              render: (_, r) => (
                <Progress
                  percent={r.progress.systems ? Math.round((r.progress.done * 100) / r.progress.systems) : 100}
                  size="small"
                  format={() => `${r.progress.done}/${r.progress.systems}`}
                  aria-label={`${t('dc.migration.progress')} ${r.progress.done}/${r.progress.systems}`}
                />
              ),
            },
            { key: 'planned', title: t('dc.migration.planned'), render: (_, r) => r.progress.planned, align: 'right' },
            {
              key: 'risk',
              title: t('dc.atRisk'),
              render: (_, r) =>
                r.progress.atRisk ? (
                  <>
                    <Tag color="error">{t('dc.atRisk')}</Tag>
                    <Typography.Text type="secondary">{r.progress.risks.join('；')}</Typography.Text>
                  </>
                ) : null,
            },
          ]}
        />
      </Card>
    </>
  );
}
