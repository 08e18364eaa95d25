import { UploadOutlined } from '@ant-design/icons';
import {
  Alert,
  Button,
  Card,
  DatePicker,
  Descriptions,
  Form,
  Input,
  List,
  Modal,
  Radio,
  Space,
  Table,
  Tag,
  Typography,
  Upload,
} from 'antd';
import type dayjs from 'dayjs';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import {
  type Application,
  attachmentUrl,
  CRITERIA,
  fileToUpload,
  useApplication,
  useApplicationAction,
  useApplications,
  useUpload,
} from '../../api/hooks/data-centres';
import { useCan } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { CitedText } from '../../components/Citation';
import { DateTime } from '../../components/DateTime';
import { PageHeader } from '../../components/PageHeader';
import { PageLoading } from '../../components/PageLoading';
import { type MessageKey, useI18n } from '../../i18n';
import { failureText } from '../shareddata/shared';
import { ApplicationStatusTag } from './shared';

type Step = Application['evaluation'];

function Deadline({ step }: { step: Step }) {
  const { t } = useI18n();
  if (step.workingDays === null)
    return (
      <Typography.Text type="secondary">
        <CitedText text={t('dc.step.noDeadline', { article: step.article ?? '' })} />
      </Typography.Text>
    );
  if (!step.dueDay) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <Space size={4}>
      <CitedText text={t('dc.step.due', { day: step.dueDay, days: step.workingDays, article: step.article ?? '' })} />
      {step.provisional ? <Tag>{t('dc.step.provisional')}</Tag> : null}
      {step.overdue ? <Tag color="error">{t('dc.step.overdue')}</Tag> : null}
      {step.escalatedAt ? <Tag color="volcano">{t('dc.step.escalated')}</Tag> : null}
    </Space>
  );
}

/** Certification applications: the unit's own, or the whole city's for the ops unit and the authority. */
export function ApplicationsPage() {
  const { t } = useI18n();
  const [page, setPage] = useState({ limit: 50, offset: 0 });
  const list = useApplications(page);
  return (
    <>
      <PageHeader title={t('dc.applications.title')} description={t('dc.applications.description')} />
      <Card>
        {list.error ? <ApiErrorAlert error={list.error} onRetry={() => list.refetch()} /> : null}
        <Table<Application>
          rowKey="id"
          loading={list.isFetching}
          dataSource={list.data?.items ?? []}
          pagination={{
            current: page.offset / page.limit + 1,
            pageSize: page.limit,
            total: list.data?.total ?? 0,
            onChange: (current, size) => setPage({ limit: size, offset: (current - 1) * size }),
          }}
          columns={[
            {
              key: 'room',
              title: t('dc.col.name'),
              render: (_, a) => <Link to={`/data-centres/applications/${a.id}`}>{a.dataCentreName}</Link>,
            },
            { key: 'unit', title: t('dc.col.unit'), dataIndex: 'organisationName' },
            { key: 'path', title: t('dc.apply.path'), render: (_, a) => t(`dc.path.${a.path}` as MessageKey) },
            { key: 'status', title: t('dc.col.stage'), render: (_, a) => <ApplicationStatusTag status={a.status} /> },
            {
              key: 'submitted',
              title: t('dc.submittedAt'),
              render: (_, a) => (a.submittedAt ? <DateTime value={a.submittedAt} format="YYYY-MM-DD" /> : '—'),
            },
            {
              key: 'due',
              title: t('dc.step.current'),
              render: (_, a) =>
                a.status === 'submitted' ? (
                  <Deadline step={a.evaluation} />
                ) : a.status === 'evaluated' ? (
                  <Deadline step={a.approval} />
                ) : null,
            },
          ]}
        />
      </Card>
    </>
  );
}

function EvaluateModal({ app, open, onClose }: { app: Application; open: boolean; onClose: () => void }) {
  const { t, language } = useI18n();
  const act = useApplicationAction();
  const upload = useUpload();
  const [form] = Form.useForm();
  return (
    <Modal
      open={open}
      title={t('dc.evaluate.title')}
      confirmLoading={act.isPending}
      onCancel={onClose}
      destroyOnHidden
      onOk={async () => {
        const v = await form.validateFields();
        await act.mutateAsync({
          id: app.id,
          action: 'evaluate',
          siteSurveyOn: v.siteSurveyOn ? (v.siteSurveyOn as dayjs.Dayjs).format('YYYY-MM-DD') : null,
          recommendation: v.recommendation,
          opinion: v.opinion,
        });
        onClose();
      }}
    >
      {act.error ? <Alert type="error" showIcon message={failureText(act.error, language)} /> : null}
      <Form form={form} name="dc-evaluation" layout="vertical" initialValues={{ recommendation: 'approve' }}>
        <Form.Item
          name="siteSurveyOn"
          label={t('dc.evaluate.survey')}
          rules={[{ required: app.path === 'standard', message: t('dc.required') }]}
        >
          <DatePicker />
        </Form.Item>
        <Upload
          showUploadList={false}
          beforeUpload={async (file) => {
            await upload.mutateAsync({
              target: 'application',
              id: app.id,
              body: await fileToUpload(file, 'site_survey'),
            });
            return false;
          }}
        >
          <Button icon={<UploadOutlined />} loading={upload.isPending} style={{ marginBottom: 16 }}>
            {t('dc.evaluate.surveyRecord')}
          </Button>
        </Upload>
        <Form.Item name="recommendation" label={t('dc.evaluate.recommendation')}>
          <Radio.Group>
            <Radio value="approve">{t('dc.recommend.approve')}</Radio>
            <Radio value="refuse">{t('dc.recommend.refuse')}</Radio>
          </Radio.Group>
        </Form.Item>
        <Form.Item
          name="opinion"
          label={t('dc.evaluate.opinion')}
          rules={[{ required: true, message: t('dc.required') }]}
        >
          <Input.TextArea rows={4} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function DecideModal({ app, open, onClose }: { app: Application; open: boolean; onClose: () => void }) {
  const { t, language } = useI18n();
  const act = useApplicationAction();
  const [form] = Form.useForm();
  const decision = Form.useWatch('decision', form);
  return (
    <Modal
      open={open}
      title={t('dc.decide.title')}
      confirmLoading={act.isPending}
      onCancel={onClose}
      destroyOnHidden
      onOk={async () => {
        const v = await form.validateFields();
        await act.mutateAsync({ id: app.id, action: 'decide', decision: v.decision, reason: v.reason || null });
        onClose();
      }}
    >
      {act.error ? <Alert type="error" showIcon message={failureText(act.error, language)} /> : null}
      <Typography.Paragraph type="secondary">{t('dc.decide.hint')}</Typography.Paragraph>
      <Form
        form={form}
        name="dc-decision"
        layout="vertical"
        initialValues={{ decision: app.recommendation ?? 'approve' }}
      >
        <Form.Item name="decision" label={t('dc.decide.decision')}>
          <Radio.Group>
            <Radio value="approve">{t('dc.recommend.approve')}</Radio>
            <Radio value="refuse">{t('dc.recommend.refuse')}</Radio>
          </Radio.Group>
        </Form.Item>
        <Form.Item
          name="reason"
          label={t('dc.decide.reason')}
          rules={[{ required: decision === 'refuse', message: t('dc.required') }]}
        >
          <Input.TextArea rows={3} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** One application: answers and evidence per criterion, the pre-check, each step's deadline, the decision. */
export function ApplicationPage() {
  const { id } = useParams();
  const { t, language } = useI18n();
  const canRegister = useCan('datacentre:register');
  const canEvaluate = useCan('datacentre:evaluate');
  const canApprove = useCan('datacentre:approve');
  const query = useApplication(id);
  const act = useApplicationAction();
  const upload = useUpload();
  const [evaluating, setEvaluating] = useState(false);
  const [deciding, setDeciding] = useState(false);
  if (query.error) return <ApiErrorAlert error={query.error} onRetry={() => query.refetch()} />;
  if (!query.data) return <PageLoading />;
  const a = query.data;
  const draft = a.status === 'draft';
  return (
    <>
      <PageHeader
        title={t('dc.application.title', { name: a.dataCentreName })}
        description={`${a.organisationName} · ${t(`dc.path.${a.path}` as MessageKey)}`}
        extra={
          <Space>
            <ApplicationStatusTag status={a.status} />
            {canRegister && draft ? (
              <Button type="primary" loading={act.isPending} onClick={() => act.mutate({ id: a.id, action: 'submit' })}>
                {t('dc.submit')}
              </Button>
            ) : null}
            {canRegister && (draft || a.status === 'submitted') ? (
              <Button onClick={() => act.mutate({ id: a.id, action: 'withdraw' })}>{t('dc.withdraw')}</Button>
            ) : null}
            {canEvaluate && a.status === 'submitted' ? (
              <Button type="primary" onClick={() => setEvaluating(true)}>
                {t('dc.evaluate.button')}
              </Button>
            ) : null}
            {canApprove && a.status === 'evaluated' ? (
              <Button type="primary" onClick={() => setDeciding(true)}>
                {t('dc.decide.button')}
              </Button>
            ) : null}
          </Space>
        }
      />
      {act.error ? (
        <Alert type="error" showIcon style={{ marginBottom: 16 }} message={failureText(act.error, language)} />
      ) : null}
      <Card title={t('dc.application.steps')} style={{ marginBottom: 16 }}>
        <Descriptions column={1} size="small">
          <Descriptions.Item label={t('dc.submittedAt')}>
            {a.submittedAt ? <DateTime value={a.submittedAt} /> : '—'}
          </Descriptions.Item>
          <Descriptions.Item label={t('dc.step.evaluation')}>
            <Space>
              <Deadline step={a.evaluation} />
              {a.evaluation.doneAt ? <DateTime value={a.evaluation.doneAt} /> : null}
            </Space>
          </Descriptions.Item>
          {a.evaluationOpinion ? (
            <Descriptions.Item label={t('dc.evaluate.opinion')}>
              {a.recommendation ? `${t(`dc.recommend.${a.recommendation}` as MessageKey)}：` : ''}
              {a.evaluationOpinion}
              {a.siteSurveyOn ? `（${t('dc.evaluate.survey')} ${a.siteSurveyOn}）` : ''}
            </Descriptions.Item>
          ) : null}
          <Descriptions.Item label={t('dc.step.approval')}>
            <Space>
              <Deadline step={a.approval} />
              {a.approval.doneAt ? <DateTime value={a.approval.doneAt} /> : null}
            </Space>
          </Descriptions.Item>
          {a.decisionReason ? (
            <Descriptions.Item label={t('dc.decide.reason')}>{a.decisionReason}</Descriptions.Item>
          ) : null}
          {a.sensitiveReason ? (
            <Descriptions.Item label={t('dc.apply.sensitiveReason')}>{a.sensitiveReason}</Descriptions.Item>
          ) : null}
        </Descriptions>
      </Card>
      <Card title={t('dc.application.criteria')} style={{ marginBottom: 16 }}>
        <List
          dataSource={[...CRITERIA]}
          renderItem={(c) => {
            const files = a.attachments.filter((f) => f.purpose === c);
            const failed = (a.precheck ?? []).filter((p) => p.criterion === c && !p.passed);
            return (
              <List.Item>
                <div style={{ width: '100%' }}>
                  <Typography.Text strong>{t(`dc.criterion.${c}` as MessageKey)}</Typography.Text>
                  <Typography.Paragraph style={{ margin: '4px 0' }}>{a.answers[c] || '—'}</Typography.Paragraph>
                  {failed.map((p) => (
                    <Tag key={p.key} color="error">
                      <CitedText
                        text={t('dc.precheck.failedItem', {
                          label: p.label,
                          actual: p.actual,
                          article: p.article ?? '',
                        })}
                      />
                    </Tag>
                  ))}
                  <Space wrap>
                    {files.map((f) => (
                      <a key={f.id} href={attachmentUrl(f.id)}>
                        {f.fileName}
                      </a>
                    ))}
                    {canRegister && draft ? (
                      <Upload
                        showUploadList={false}
                        beforeUpload={async (file) => {
                          await upload.mutateAsync({
                            target: 'application',
                            id: a.id,
                            body: await fileToUpload(file, c),
                          });
                          return false;
                        }}
                      >
                        <Button size="small" icon={<UploadOutlined />} loading={upload.isPending}>
                          {t('dc.application.upload')}
                        </Button>
                      </Upload>
                    ) : null}
                  </Space>
                </div>
              </List.Item>
            );
          }}
        />
        {upload.error ? <Alert type="error" showIcon message={failureText(upload.error, language)} /> : null}
      </Card>
      <Link to={`/data-centres/${a.dataCentreId}`}>{t('dc.application.room')}</Link>
      <EvaluateModal app={a} open={evaluating} onClose={() => setEvaluating(false)} />
      <DecideModal app={a} open={deciding} onClose={() => setDeciding(false)} />
    </>
  );
}
