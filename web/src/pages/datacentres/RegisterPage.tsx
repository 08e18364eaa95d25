import { DownloadOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Card, Col, Input, Row, Select, Space, Statistic, Table, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import {
  type DataCentre,
  type Overview,
  REGISTER_EXPORT_URL,
  type Stage,
  useDataCentres,
  useOverview,
} from '../../api/hooks/data-centres';
import { useCan, useSession } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { Chart } from '../../components/Chart';
import type { ChartOption } from '../../components/echarts';
import { PageHeader } from '../../components/PageHeader';
import { type MessageKey, useI18n } from '../../i18n';
import { CentreFormModal } from './CentreFormModal';
import { StageTag } from './shared';

const STAGES: Stage[] = ['registered', 'applied', 'retained', 'transition', 'migrating', 'closed'];

/** The city's picture for the ops unit and the authority (LZ 14(1)): rooms, racks, systems still off the cloud. */
function OverviewCards({ data }: { data: Overview }) {
  const { t } = useI18n();
  const option = useMemo<ChartOption>(
    () => ({
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { top: 0 },
      xAxis: { type: 'category', data: data.byStage.map((s) => t(`dc.stage.${s.stage}` as MessageKey)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { type: 'bar', name: t('dc.overview.rooms'), data: data.byStage.map((s) => s.rooms), barMaxWidth: 40 },
        { type: 'bar', name: t('dc.overview.racks'), data: data.byStage.map((s) => s.racks), barMaxWidth: 40 },
        {
          type: 'bar',
          name: t('dc.overview.offCloud'),
          data: data.byStage.map((s) => s.systemsOffCloud),
          barMaxWidth: 40,
        },
      ],
    }),
    [data, t],
  );
  const summary = data.byStage.map((s) => `${t(`dc.stage.${s.stage}` as MessageKey)} ${s.rooms}`).join('，');
  return (
    <Card style={{ marginBottom: 16 }} title={t('dc.overview.title')}>
      <Row gutter={16} style={{ marginBottom: 16 }}>
        <Col span={4}>
          <Statistic title={t('dc.overview.rooms')} value={data.rooms} />
        </Col>
        <Col span={4}>
          <Statistic title={t('dc.overview.racks')} value={data.racks} />
        </Col>
        <Col span={4}>
          <Statistic title={t('dc.overview.offCloud')} value={data.systemsOffCloud} />
        </Col>
        <Col span={4}>
          <Statistic title={t('dc.overview.classified')} value={data.classifiedSystems} />
        </Col>
        <Col span={4}>
          <Statistic title={t('dc.overview.rented')} value={data.rented} />
        </Col>
        <Col span={4}>
          <Statistic
            title={t('dc.overview.atRisk')}
            value={data.atRisk}
            valueStyle={data.atRisk ? { color: '#cf1322' } : undefined}
          />
        </Col>
      </Row>
      <Row gutter={16}>
        <Col span={14}>
          <Chart option={option} height={260} ariaLabel={t('dc.overview.chartAria', { summary })} />
        </Col>
        <Col span={10}>
          <Table
            size="small"
            rowKey="organisationId"
            pagination={{ pageSize: 6 }}
            dataSource={data.byUnit}
            columns={[
              { key: 'u', title: t('dc.col.unit'), dataIndex: 'organisationName' },
              { key: 'r', title: t('dc.overview.rooms'), dataIndex: 'rooms', align: 'right' },
              { key: 'k', title: t('dc.overview.racks'), dataIndex: 'racks', align: 'right' },
              { key: 's', title: t('dc.overview.offCloud'), dataIndex: 'systemsOffCloud', align: 'right' },
            ]}
          />
        </Col>
      </Row>
    </Card>
  );
}

/** The register of departments' data centres (LZ 12): a unit's own rooms, or the whole city's. */
export function RegisterPage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const session = useSession();
  const canRegister = useCan('datacentre:register');
  const cityWide = !canRegister;
  const [stage, setStage] = useState<Stage | undefined>();
  const [q, setQ] = useState('');
  const [page, setPage] = useState({ limit: 50, offset: 0 });
  const [creating, setCreating] = useState(false);
  const list = useDataCentres({ ...(stage ? { stage } : {}), ...(q ? { q } : {}), ...page });
  const overview = useOverview(cityWide);
  return (
    <>
      <PageHeader
        title={t('dc.register.title')}
        description={t('dc.register.description')}
        extra={
          <Space>
            <Button icon={<DownloadOutlined />} href={REGISTER_EXPORT_URL}>
              {t('dc.export')}
            </Button>
            {canRegister ? (
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
                {t('dc.register.new')}
              </Button>
            ) : null}
          </Space>
        }
      />
      {cityWide && overview.data ? <OverviewCards data={overview.data} /> : null}
      <Card>
        <Space wrap style={{ marginBottom: 16 }}>
          <Input.Search
            aria-label={t('dc.search')}
            allowClear
            placeholder={t('dc.search')}
            onSearch={(v) => setQ(v.trim())}
            style={{ width: 280 }}
          />
          <Select
            aria-label={t('dc.allStages')}
            allowClear
            placeholder={t('dc.allStages')}
            style={{ width: 200 }}
            value={stage}
            onChange={(v) => setStage(v)}
            options={STAGES.map((s) => ({ value: s, label: t(`dc.stage.${s}` as MessageKey) }))}
          />
          {!cityWide ? <Typography.Text type="secondary">{session.organisation.name}</Typography.Text> : null}
        </Space>
        {list.error ? <ApiErrorAlert error={list.error} onRetry={() => list.refetch()} /> : null}
        <Table<DataCentre>
          rowKey="id"
          loading={list.isFetching}
          dataSource={list.data?.items ?? []}
          onRow={(r) => ({ onClick: () => navigate(`/data-centres/${r.id}`), style: { cursor: 'pointer' } })}
          pagination={{
            current: page.offset / page.limit + 1,
            pageSize: page.limit,
            total: list.data?.total ?? 0,
            onChange: (current, size) => setPage({ limit: size, offset: (current - 1) * size }),
          }}
          columns={[
            {
              key: 'name',
              title: t('dc.col.name'),
              render: (_, r) => <Link to={`/data-centres/${r.id}`}>{r.name}</Link>,
            },
            { key: 'unit', title: t('dc.col.unit'), dataIndex: 'organisationName' },
            {
              key: 'construction',
              title: t('dc.col.construction'),
              render: (_, r) => t(`dc.construction.${r.construction}` as MessageKey),
            },
            { key: 'racks', title: t('dc.col.racks'), dataIndex: 'racks', align: 'right' },
            { key: 'systems', title: t('dc.col.systemsCount'), render: (_, r) => r.systems.length, align: 'right' },
            { key: 'stage', title: t('dc.col.stage'), render: (_, r) => <StageTag stage={r.stage} /> },
            {
              key: 'deadline',
              title: t('dc.col.deadline'),
              render: (_, r) =>
                r.migrationDeadline ? (
                  <Space size={4}>
                    {r.migrationDeadline}
                    {r.progress.atRisk ? <Tag color="error">{t('dc.atRisk')}</Tag> : null}
                  </Space>
                ) : (
                  <Typography.Text type="secondary">{t('dc.noDeadline')}</Typography.Text>
                ),
            },
          ]}
        />
      </Card>
      <CentreFormModal
        open={creating}
        onClose={(saved) => {
          setCreating(false);
          if (saved) navigate(`/data-centres/${saved.id}`);
        }}
      />
    </>
  );
}
