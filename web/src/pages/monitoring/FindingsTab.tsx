import { App, Button, Card, Drawer, Form, Input, InputNumber, Modal, Segmented, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import {
  type MonitoringFinding,
  useMonitoringFindings,
  useProposeRectification,
  useRunDetection,
} from '../../api/hooks/monitoring';
import { useCan } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { DateTime } from '../../components/DateTime';
import { type MessageKey, useI18n } from '../../i18n';
import { Evidence } from './Evidence';
import { EVIDENCE_DRAWER_STYLES, failureText, RULE_COLOR } from './shared';

const STATUSES = ['open', 'in_rectification', 'escalated', 'resolved'] as const;
type Status = (typeof STATUSES)[number];
const RULES = ['all', 'low_utilisation', 'zombie', 'silent_agent'] as const;
type RuleFilter = (typeof RULES)[number];

/** Findings by status; everyone who reads monitoring sees the evidence, ops runs detection and proposes warnings. */
export function FindingsTab() {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const canManage = useCan('monitoring:manage');
  const [status, setStatus] = useState<Status>('open');
  const [rule, setRule] = useState<RuleFilter>('all');
  const [page, setPage] = useState({ limit: 50, offset: 0 });
  const findings = useMonitoringFindings({ status, ...(rule === 'all' ? {} : { rule }), ...page });
  const run = useRunDetection();
  const [shown, setShown] = useState<MonitoringFinding | null>(null);
  const [warning, setWarning] = useState<MonitoringFinding | null>(null);
  return (
    <Card>
      <Space style={{ marginBottom: 16 }} wrap>
        <Segmented
          value={status}
          onChange={(v) => {
            setStatus(v as Status);
            setPage((p) => ({ ...p, offset: 0 }));
          }}
          options={STATUSES.map((s) => ({ value: s, label: t(`monitoring.status.${s}` as MessageKey) }))}
        />
        <Segmented
          aria-label={t('monitoring.rule')}
          value={rule}
          onChange={(v) => {
            setRule(v as RuleFilter);
            setPage((p) => ({ ...p, offset: 0 }));
          }}
          options={RULES.map((r) => ({
            value: r,
            label: r === 'all' ? t('monitoring.all') : t(`monitoring.rules.${r}` as MessageKey),
          }))}
        />
        {canManage ? (
          <Button
            loading={run.isPending}
            onClick={() =>
              run.mutate(undefined, {
                onSuccess: () => message.success(t('monitoring.detected')),
                onError: (err) => message.error(failureText(err, language)),
              })
            }
          >
            {t('monitoring.runDetection')}
          </Button>
        ) : null}
      </Space>
      {findings.error ? <ApiErrorAlert error={findings.error} onRetry={() => findings.refetch()} /> : null}
      <Table<MonitoringFinding>
        rowKey="id"
        size="middle"
        loading={findings.isFetching}
        dataSource={findings.data?.items ?? []}
        pagination={{
          current: page.offset / page.limit + 1,
          pageSize: page.limit,
          total: findings.data?.total ?? 0,
          onChange: (current, size) => setPage({ limit: size, offset: (current - 1) * size }),
        }}
        columns={[
          {
            key: 'rule',
            title: t('monitoring.rule'),
            render: (_, f) => <Tag color={RULE_COLOR[f.rule]}>{t(`monitoring.rules.${f.rule}` as MessageKey)}</Tag>,
          },
          { key: 'resource', title: t('monitoring.resource'), render: (_, f) => f.resourceName ?? f.resourceId },
          { key: 'unit', title: t('monitoring.unit'), render: (_, f) => f.organisationName ?? '—' },
          {
            key: 'first',
            title: t('monitoring.firstDetected'),
            render: (_, f) => <DateTime value={f.firstDetectedAt} />,
          },
          { key: 'last', title: t('monitoring.lastDetected'), render: (_, f) => <DateTime value={f.lastDetectedAt} /> },
          {
            key: 'actions',
            title: t('monitoring.actions'),
            render: (_, f) => (
              <Space>
                <Button size="small" onClick={() => setShown(f)}>
                  {t('monitoring.evidence')}
                </Button>
                {canManage && f.status === 'open' ? (
                  <Button size="small" type="primary" onClick={() => setWarning(f)}>
                    {t('monitoring.proposeWarning')}
                  </Button>
                ) : null}
              </Space>
            ),
          },
        ]}
      />
      <Drawer
        open={shown !== null}
        size={760}
        title={t('monitoring.evidence')}
        onClose={() => setShown(null)}
        styles={EVIDENCE_DRAWER_STYLES}
      >
        {shown ? <Evidence finding={shown} /> : null}
      </Drawer>
      {warning ? <ProposeWarning finding={warning} onClose={() => setWarning(null)} /> : null}
    </Card>
  );
}

/** Ops proposes a warning for a finding; the authority approves it before the unit is warned (SH 25). */
function ProposeWarning({ finding, onClose }: { finding: MonitoringFinding; onClose: () => void }) {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const propose = useProposeRectification();
  const [form] = Form.useForm<{ reason: string; workingDays?: number | null }>();
  return (
    <Modal
      open
      title={t('monitoring.proposeWarning')}
      okButtonProps={{ loading: propose.isPending }}
      onCancel={onClose}
      onOk={() => form.submit()}
    >
      <Form
        form={form}
        layout="vertical"
        onFinish={(v) =>
          propose.mutate(
            { findingId: finding.id, reason: v.reason, workingDays: v.workingDays ?? undefined },
            {
              onSuccess: () => {
                message.success(t('monitoring.proposed'));
                onClose();
              },
              onError: (err) => message.error(failureText(err, language)),
            },
          )
        }
      >
        <Form.Item label={t('monitoring.resource')}>{finding.resourceName ?? finding.resourceId}</Form.Item>
        <Form.Item name="reason" label={t('monitoring.reason')} rules={[{ required: true, whitespace: true }]}>
          <Input.TextArea rows={3} maxLength={2000} />
        </Form.Item>
        <Form.Item name="workingDays" label={t('monitoring.workingDays')} extra={t('monitoring.workingDaysHint')}>
          <InputNumber min={1} max={60} precision={0} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
