import { Space, Table, Tabs, Tag, Typography } from 'antd';
import { catalogueVersionNo, type DistrictSummary, policyVersionDay, useDistricts } from '../../api/hooks/federation';
import { formatFen } from '../../api/hooks/settlement';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { DateTime } from '../../components/DateTime';
import { PageHeader } from '../../components/PageHeader';
import { type MessageKey, useI18n } from '../../i18n';
import { CityLinkPanel } from './CityLinkPanel';
import { DistrictLinksPanel } from './DistrictLinksPanel';

const STATE_COLOURS: Record<string, string> = { pending: 'gold', active: 'green', revoked: 'default' };

/** Federation (issue 22): the whole city, the city's links to its districts, this installation's link to its city. */
export function FederationPage() {
  const { t } = useI18n();
  return (
    <>
      <PageHeader title={t('fed.title')} description={t('fed.description')} />
      <Tabs
        items={[
          { key: 'overview', label: t('fed.tab.overview'), children: <CityOverview /> },
          { key: 'links', label: t('fed.tab.links'), children: <DistrictLinksPanel /> },
          { key: 'city', label: t('fed.tab.city'), children: <CityLinkPanel /> },
        ]}
      />
    </>
  );
}

/** The whole city (SH 13): each district installation's reported figures and how fresh they are. */
function CityOverview() {
  const { t } = useI18n();
  const districts = useDistricts();
  return (
    <>
      {districts.error && <ApiErrorAlert error={districts.error} onRetry={() => districts.refetch()} />}
      <Table<DistrictSummary>
        rowKey="id"
        loading={districts.isLoading}
        dataSource={districts.data ?? []}
        pagination={false}
        expandable={{
          rowExpandable: (d) => d.refusals.length > 0 || d.silences.length > 0,
          expandedRowRender: (d) => (
            <Space direction="vertical">
              {d.silences.length > 0 && <Typography.Text strong>{t('fed.silences')}</Typography.Text>}
              {d.silences.map((x) => (
                <Typography.Text key={x.silentSince}>
                  {t('fed.silentSince')} <DateTime value={x.silentSince} format="YYYY-MM-DD HH:mm" />
                  {'，'}
                  {x.resumedAt ? (
                    <>
                      {t('fed.resumedAt')} <DateTime value={x.resumedAt} format="YYYY-MM-DD HH:mm" />
                    </>
                  ) : (
                    t('fed.stillSilent')
                  )}
                </Typography.Text>
              ))}
              {d.refusals.length > 0 && <Typography.Text strong>{t('fed.refusals')}</Typography.Text>}
              {d.refusals.map((r) => (
                <Typography.Text key={`${r.receivedAt}-${r.code}`}>
                  <DateTime value={r.receivedAt} format="YYYY-MM-DD HH:mm:ss" />{' '}
                  {r.seq !== null && t('fed.batch', { n: r.seq })} {t(`fed.refusal.${r.code}` as MessageKey)}
                </Typography.Text>
              ))}
            </Space>
          ),
        }}
        columns={[
          { key: 'name', title: t('fed.col.district'), dataIndex: 'name' },
          {
            key: 'state',
            title: t('fed.col.state'),
            render: (_, d) => (
              <Space size={4}>
                <Tag color={STATE_COLOURS[d.state]}>{t(`fed.state.${d.state}` as MessageKey)}</Tag>
                {d.silentSince && <Tag color="red">{t('fed.silent')}</Tag>}
              </Space>
            ),
          },
          {
            key: 'resources',
            title: t('fed.col.resources'),
            align: 'right',
            render: (_, d) => `${d.liveResources.toLocaleString()} / ${d.resources.toLocaleString()}`,
          },
          {
            key: 'rollups',
            title: t('fed.col.rollups'),
            align: 'right',
            render: (_, d) => d.rollups.toLocaleString(),
          },
          {
            key: 'cpu',
            title: t('fed.col.cpu'),
            align: 'right',
            render: (_, d) => (d.cpuAverage === null ? '—' : `${Number(d.cpuAverage).toFixed(1)}%`),
          },
          {
            key: 'spending',
            title: t('fed.col.spending'),
            align: 'right',
            render: (_, d) => formatFen(d.settledFen),
          },
          { key: 'findings', title: t('fed.col.findings'), align: 'right', dataIndex: 'openFindings' },
          {
            key: 'overdue',
            title: t('fed.col.overdue'),
            align: 'right',
            render: (_, d) => `${d.overdueSteps} / ${d.openSteps}`,
          },
          {
            key: 'freshness',
            title: t('fed.col.freshness'),
            render: (_, d) =>
              d.lastAppliedAt ? <DateTime value={d.lastAppliedAt} format="YYYY-MM-DD HH:mm:ss" /> : t('fed.never'),
          },
          {
            key: 'lag',
            title: t('fed.col.lag'),
            align: 'right',
            render: (_, d) => (d.lagMs === null ? '—' : t('fed.seconds', { n: (d.lagMs / 1000).toFixed(1) })),
          },
          {
            key: 'catalogue',
            title: t('fed.col.catalogue'),
            render: (_, d) => {
              const n = catalogueVersionNo(d.catalogueVersion);
              return n === null ? '—' : t('fed.catalogueNo', { n });
            },
          },
          {
            key: 'policy',
            title: t('fed.col.policy'),
            render: (_, d) => {
              const day = d.policy ? policyVersionDay(d.policy.version) : null;
              return day === null ? '—' : t('fed.policyOf', { day });
            },
          },
        ]}
      />
    </>
  );
}
