import { Card, Table, Tabs, Typography } from 'antd';
import { type MeasuredAvailability, useMeasuredAvailability } from '../../api/hooks/operations';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { useI18n } from '../../i18n';

type Group = MeasuredAvailability['systems'][number];
type Resource = MeasuredAvailability['resources'][number];

const hours = (seconds: number) => Math.round(seconds / 360) / 10;
const percent = (p: number | null) => (p === null ? '—' : `${p.toFixed(4)}%`);

/** Availability measured by the agents' heartbeat over calendar days [from, to), agreed maintenance taken out. */
export function MeasuredAvailabilityCard({ from, to, last }: { from: string; to: string; last: string }) {
  const { t } = useI18n();
  const a = useMeasuredAvailability(from, to);
  const common = [
    {
      key: 'measured',
      title: t('ops.measured.measured'),
      render: (_: unknown, r: Group | Resource) => t('ops.measured.hours', { hours: hours(r.measuredSeconds) }),
    },
    {
      key: 'down',
      title: t('ops.measured.down'),
      render: (_: unknown, r: Group | Resource) =>
        t('ops.incidents.minutes', { minutes: Math.round(r.downSeconds / 60) }),
    },
    {
      key: 'planned',
      title: t('ops.measured.planned'),
      render: (_: unknown, r: Group | Resource) => t('ops.measured.hours', { hours: hours(r.plannedSeconds) }),
    },
    {
      key: 'availability',
      title: t('ops.incidents.availability'),
      render: (_: unknown, r: Group | Resource) => percent(r.availabilityPercent),
    },
  ];
  // the placeholder's default colour (25 % black) is under 4.5:1
  const empty = { emptyText: <Typography.Text type="secondary">{t('ops.measured.none')}</Typography.Text> };
  return (
    <Card title={t('ops.measured.title', { from, to: last })} style={{ marginTop: 16 }}>
      <Typography.Paragraph type="secondary">{t('ops.measured.description')}</Typography.Paragraph>
      {a.error ? <ApiErrorAlert error={a.error} compact /> : null}
      <Tabs
        items={[
          {
            key: 'providers',
            label: t('ops.col.provider'),
            children: (
              <Table<Group>
                size="small"
                rowKey="id"
                loading={a.isLoading}
                pagination={false}
                dataSource={a.data?.providers ?? []}
                locale={empty}
                columns={[{ key: 'name', title: t('ops.col.provider'), dataIndex: 'name' }, ...common]}
              />
            ),
          },
          {
            key: 'systems',
            label: t('ops.measured.systems'),
            children: (
              <Table<Group>
                size="small"
                rowKey="id"
                loading={a.isLoading}
                pagination={false}
                dataSource={a.data?.systems ?? []}
                locale={empty}
                columns={[{ key: 'name', title: t('ops.measured.system'), dataIndex: 'name' }, ...common]}
              />
            ),
          },
          {
            key: 'resources',
            label: t('ops.measured.resources'),
            children: (
              <Table<Resource>
                size="small"
                rowKey={(r) => r.resource.id}
                loading={a.isLoading}
                pagination={{ pageSize: 20, hideOnSinglePage: true }}
                dataSource={a.data?.resources ?? []}
                locale={empty}
                columns={[
                  { key: 'name', title: t('ops.measured.resource'), render: (_, r) => r.resource.name },
                  { key: 'unit', title: t('ops.col.unit'), render: (_, r) => r.unit.name },
                  {
                    key: 'system',
                    title: t('ops.measured.system'),
                    render: (_, r) => r.system?.name ?? t('ops.measured.noSystem'),
                  },
                  ...common,
                  { key: 'silent', title: t('ops.measured.silent'), dataIndex: 'silentHours' },
                ]}
              />
            ),
          },
        ]}
      />
    </Card>
  );
}
