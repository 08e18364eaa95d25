import { Button, Card, DatePicker, Form, Input, InputNumber, Modal, Radio, Space, Table, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { Link } from 'react-router';
import { type Lifecycle, useDecideChange, useRecordAcceptance, useRequestChange } from '../../api/hooks/it-projects';
import { useCan } from '../../app/session';
import { DateTime } from '../../components/DateTime';
import { useServerErrors } from '../../components/formErrors';
import { ServerErrorAlert } from '../../components/ServerErrorAlert';
import { useI18n } from '../../i18n';
import { yuanText } from './labels';

// During and after construction (JQ-proj 12, 14-17): the unit's investment changes and the authority's
// decision above the threshold; the authority's acceptance (failed: rectification deadline, then a
// re-acceptance; passed: warranty and the post-go-live evaluation).

type Change = Lifecycle['changes'][number];
type Acceptance = Lifecycle['acceptances'][number];

const CHANGE_COLOURS: Record<Change['status'], string> = {
  recorded: 'default',
  pending_authority: 'orange',
  approved: 'green',
  rejected: 'red',
};

function ChangeModal({ lifecycle, onClose }: { lifecycle: Lifecycle | null; onClose: () => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<{ investment: string; reason: string }>();
  const server = useServerErrors(form);
  const request = useRequestChange();
  // the form instance outlives the dialog: a next change starts empty
  const done = () => {
    form.resetFields();
    onClose();
  };
  return (
    <Modal
      open={!!lifecycle}
      title={t('itp.change.request')}
      okText={t('itp.change.submit')}
      onCancel={onClose}
      confirmLoading={request.isPending}
      destroyOnHidden
      onOk={async () => {
        const v = await form.validateFields();
        server.clear();
        request.mutate(
          { projectId: lifecycle?.declaration.projectId ?? '', investment: String(v.investment), reason: v.reason },
          { onSuccess: () => done(), onError: server.onError },
        );
      }}
    >
      <ServerErrorAlert server={server} />
      <Typography.Paragraph type="secondary">
        {t('itp.change.hint', { current: yuanText(lifecycle?.declaration.investment) })}
      </Typography.Paragraph>
      <Form form={form} layout="vertical" name="it-change">
        <Form.Item label={t('itp.change.newInvestment')} name="investment" rules={[{ required: true }]}>
          <InputNumber min="0" precision={2} stringMode style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item label={t('itp.change.reason')} name="reason" rules={[{ required: true, max: 2000 }]}>
          <Input.TextArea rows={3} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function DecisionModal({ change, onClose }: { change: Change | null; onClose: () => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<{ approve: boolean; comment: string }>();
  const server = useServerErrors(form);
  const decide = useDecideChange();
  const done = () => {
    form.resetFields();
    onClose();
  };
  return (
    <Modal
      open={!!change}
      title={t('itp.change.decide')}
      onCancel={onClose}
      confirmLoading={decide.isPending}
      destroyOnHidden
      onOk={async () => {
        const v = await form.validateFields();
        server.clear();
        decide.mutate({ id: change?.id ?? '', ...v }, { onSuccess: () => done(), onError: server.onError });
      }}
    >
      <ServerErrorAlert server={server} />
      <Typography.Paragraph>
        {t('itp.change.summary', {
          before: yuanText(change?.before),
          after: yuanText(change?.after),
          percent: change?.changePercent ?? '',
        })}
      </Typography.Paragraph>
      <Form form={form} layout="vertical" name="it-change-decision" initialValues={{ approve: true }}>
        <Form.Item label={t('itp.change.decision')} name="approve" rules={[{ required: true }]}>
          <Radio.Group
            options={[
              { value: true, label: t('itp.change.approve') },
              { value: false, label: t('itp.change.reject') },
            ]}
          />
        </Form.Item>
        <Form.Item label={t('itp.change.comment')} name="comment" rules={[{ required: true, max: 2000 }]}>
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function ChangesCard({ lifecycle }: { lifecycle: Lifecycle }) {
  const { t } = useI18n();
  const canRequest = useCan('project:manage');
  const canDecide = useCan('project:approve');
  const [requesting, setRequesting] = useState(false);
  const [deciding, setDeciding] = useState<Change | null>(null);
  const approved = lifecycle.declaration.projectStatus === 'approved';
  const pending = lifecycle.changes.some((c) => c.status === 'pending_authority');
  return (
    <Card
      title={t('itp.change.title')}
      style={{ marginBottom: 16 }}
      extra={
        canRequest &&
        approved &&
        !pending && <Button onClick={() => setRequesting(true)}>{t('itp.change.request')}</Button>
      }
    >
      <Table<Change>
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={lifecycle.changes}
        locale={{ emptyText: <Typography.Text>{t('itp.change.none')}</Typography.Text> }}
        columns={[
          { key: 'at', title: t('itp.change.requestedAt'), render: (_, c) => <DateTime value={c.requestedAt} /> },
          { key: 'before', title: t('itp.change.before'), render: (_, c) => yuanText(c.before) },
          { key: 'after', title: t('itp.change.after'), render: (_, c) => yuanText(c.after) },
          { key: 'percent', title: t('itp.change.percent'), render: (_, c) => `${c.changePercent}%` },
          { key: 'reason', title: t('itp.change.reason'), dataIndex: 'reason' },
          {
            key: 'status',
            title: t('itp.col.status'),
            render: (_, c) => <Tag color={CHANGE_COLOURS[c.status]}>{t(`itp.change.status.${c.status}`)}</Tag>,
          },
          {
            key: 'decision',
            title: t('itp.change.comment'),
            render: (_, c) =>
              c.status === 'pending_authority' && canDecide ? (
                <Button size="small" type="primary" onClick={() => setDeciding(c)}>
                  {t('itp.change.decide')}
                </Button>
              ) : (
                (c.decisionComment ?? '—')
              ),
          },
        ]}
      />
      <ChangeModal lifecycle={requesting ? lifecycle : null} onClose={() => setRequesting(false)} />
      <DecisionModal change={deciding} onClose={() => setDeciding(null)} />
    </Card>
  );
}

interface AcceptanceValues {
  result: 'passed' | 'failed';
  acceptedOn: Dayjs;
  opinion: string;
  rectificationDue?: Dayjs;
  warrantyYears?: number;
}

function AcceptanceModal({ lifecycle, onClose }: { lifecycle: Lifecycle | null; onClose: () => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<AcceptanceValues>();
  const server = useServerErrors(form);
  const record = useRecordAcceptance();
  // the form instance outlives the dialog: a re-acceptance starts from "passed", not from the failed one
  const done = () => {
    form.resetFields();
    onClose();
  };
  const result = Form.useWatch('result', form);
  return (
    <Modal
      open={!!lifecycle}
      title={t('itp.acc.record')}
      onCancel={onClose}
      confirmLoading={record.isPending}
      destroyOnHidden
      onOk={async () => {
        const v = await form.validateFields();
        server.clear();
        record.mutate(
          {
            projectId: lifecycle?.declaration.projectId ?? '',
            result: v.result,
            acceptedOn: v.acceptedOn.format('YYYY-MM-DD'),
            opinion: v.opinion,
            rectificationDue: v.result === 'failed' ? (v.rectificationDue?.format('YYYY-MM-DD') ?? null) : null,
            warrantyYears: v.result === 'passed' ? (v.warrantyYears ?? null) : null,
          },
          { onSuccess: () => done(), onError: server.onError },
        );
      }}
    >
      <ServerErrorAlert server={server} />
      <Form
        form={form}
        layout="vertical"
        name="it-acceptance"
        initialValues={{ result: 'passed', acceptedOn: dayjs(), warrantyYears: 3 }}
      >
        <Form.Item label={t('itp.acc.result')} name="result" rules={[{ required: true }]}>
          <Radio.Group
            options={[
              { value: 'passed', label: t('itp.acc.passed') },
              { value: 'failed', label: t('itp.acc.failed') },
            ]}
          />
        </Form.Item>
        <Form.Item label={t('itp.acc.date')} name="acceptedOn" rules={[{ required: true }]}>
          <DatePicker style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item label={t('itp.acc.opinion')} name="opinion" rules={[{ required: true, max: 5000 }]}>
          <Input.TextArea rows={3} />
        </Form.Item>
        {result === 'failed' ? (
          <Form.Item label={t('itp.acc.rectificationDue')} name="rectificationDue" rules={[{ required: true }]}>
            <DatePicker style={{ width: '100%' }} />
          </Form.Item>
        ) : (
          <Form.Item label={t('itp.acc.warrantyYears')} name="warrantyYears" rules={[{ required: true }]}>
            <InputNumber min={1} max={50} precision={0} style={{ width: '100%' }} />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}

export function AcceptanceCard({ lifecycle }: { lifecycle: Lifecycle }) {
  const { t } = useI18n();
  const canRecord = useCan('project:approve');
  const [recording, setRecording] = useState(false);
  const ready = lifecycle.declaration.status === 'design_approved' && !lifecycle.accepted;
  return (
    <Card
      title={t('itp.acc.title')}
      style={{ marginBottom: 16 }}
      extra={
        canRecord &&
        ready && (
          <Button type="primary" onClick={() => setRecording(true)}>
            {lifecycle.acceptances.length ? t('itp.acc.again') : t('itp.acc.record')}
          </Button>
        )
      }
    >
      {lifecycle.rectificationDue && (
        <Typography.Paragraph type="danger">
          {t('itp.acc.rectifyBy', { day: lifecycle.rectificationDue })}
        </Typography.Paragraph>
      )}
      {lifecycle.accepted && (
        <Space direction="vertical" style={{ marginBottom: 12 }}>
          <Typography.Text>{t('itp.acc.warrantyUntil', { day: lifecycle.warrantyUntil ?? '—' })}</Typography.Text>
          {lifecycle.evaluationDue && (
            <Typography.Text>
              {lifecycle.evaluation ? (
                <Link to="/evaluation">
                  {t('itp.acc.evaluated', {
                    period: lifecycle.evaluation.period,
                    total: lifecycle.evaluation.total,
                  })}
                </Link>
              ) : (
                t('itp.acc.evaluationDue', { day: lifecycle.evaluationDue })
              )}
            </Typography.Text>
          )}
        </Space>
      )}
      <Table<Acceptance>
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={lifecycle.acceptances}
        locale={{ emptyText: <Typography.Text>{t('itp.acc.none')}</Typography.Text> }}
        columns={[
          { key: 'attempt', title: t('itp.acc.attempt'), render: (_, a) => t('itp.acc.attemptNo', { n: a.attempt }) },
          { key: 'day', title: t('itp.acc.date'), dataIndex: 'acceptedOn' },
          {
            key: 'result',
            title: t('itp.acc.result'),
            render: (_, a) => <Tag color={a.result === 'passed' ? 'green' : 'red'}>{t(`itp.acc.${a.result}`)}</Tag>,
          },
          { key: 'opinion', title: t('itp.acc.opinion'), dataIndex: 'opinion' },
          {
            key: 'next',
            title: t('itp.acc.then'),
            render: (_, a) =>
              a.result === 'failed'
                ? t('itp.acc.rectifyBy', { day: a.rectificationDue ?? '—' })
                : t('itp.acc.warrantyUntil', { day: a.warrantyUntil ?? '—' }),
          },
        ]}
      />
      <AcceptanceModal lifecycle={recording ? lifecycle : null} onClose={() => setRecording(false)} />
    </Card>
  );
}
