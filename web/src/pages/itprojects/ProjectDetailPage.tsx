import { App, Button, Card, Descriptions, Form, Input, Modal, Radio, Space, Steps, Table, Tag } from 'antd';
import { useState } from 'react';
import { useParams } from 'react-router';
import { useCatalogue } from '../../api/hooks/catalogue';
import {
  type Declaration,
  declarationFormUrl,
  type Lifecycle,
  useApproveDeclaration,
  useDesignReview,
  useLifecycle,
  useSubmitDeclaration,
} from '../../api/hooks/it-projects';
import { hasPermission, useSession } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { DateTime } from '../../components/DateTime';
import { useServerErrors } from '../../components/formErrors';
import { PageHeader } from '../../components/PageHeader';
import { PageLoading } from '../../components/PageLoading';
import { ServerErrorAlert } from '../../components/ServerErrorAlert';
import { specInWords } from '../../components/specification';
import { type MessageKey, useI18n } from '../../i18n';
import { fenText, STATUS_COLOURS, yuanText } from './labels';
import { AcceptanceCard, ChangesCard } from './ProjectDelivery';
import { ReviewModal } from './ReviewModal';

// One IT project from declaration to acceptance (JQ-proj 7-17): where it stands, its declaration as filed
// (the form's fields, the priced deployment plan, the data-sharing plan, the review's answers), and the step
// the signed-in role takes next: the unit submits, the reviewers review, the authority approves and reviews
// the design, then changes and acceptance.

type Line = Declaration['deploymentPlan'][number];
type Sharing = Declaration['dataSharingPlan'][number];
type Answer = Declaration['reviewChecklist'][number];

/** The stage the project has reached, as an index into the steps. */
function stageOf(l: Lifecycle): { current: number; failed: boolean } {
  const s = l.declaration.status;
  if (l.accepted) return { current: 6, failed: false };
  const order: Record<Declaration['status'], number> = {
    draft: 0,
    submitted: 1,
    review_failed: 1,
    review_passed: 2,
    not_in_plan: 2,
    in_plan: 3,
    approved: 4,
    design_approved: 5,
  };
  return { current: order[s], failed: s === 'review_failed' || s === 'not_in_plan' || !!l.rectificationDue };
}

function DesignModal({ declaration, onClose }: { declaration: Declaration | null; onClose: () => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<{ passed: boolean; note: string }>();
  const server = useServerErrors(form);
  const design = useDesignReview();
  return (
    <Modal
      open={!!declaration}
      title={t('itp.design.title')}
      onCancel={onClose}
      confirmLoading={design.isPending}
      destroyOnHidden
      onOk={async () => {
        const v = await form.validateFields();
        server.clear();
        design.mutate(
          { id: declaration?.id ?? '', ...v },
          {
            onSuccess: () => {
              form.resetFields();
              onClose();
            },
            onError: server.onError,
          },
        );
      }}
    >
      <ServerErrorAlert server={server} />
      <Form form={form} layout="vertical" name="it-design" initialValues={{ passed: true }}>
        <Form.Item label={t('itp.design.result')} name="passed" rules={[{ required: true }]}>
          <Radio.Group
            options={[
              { value: true, label: t('itp.design.passed') },
              { value: false, label: t('itp.design.returned') },
            ]}
          />
        </Form.Item>
        <Form.Item label={t('itp.design.note')} name="note" rules={[{ required: true, max: 2000 }]}>
          <Input.TextArea rows={3} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function Actions({ d }: { d: Declaration }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const me = useSession();
  const submit = useSubmitDeclaration();
  const approve = useApproveDeclaration();
  const [reviewing, setReviewing] = useState<Declaration | null>(null);
  const [designing, setDesigning] = useState<Declaration | null>(null);
  const failed = (e: Error) => void message.error(e.message);
  const approvable = d.status === 'in_plan' || (d.urgent && d.status === 'review_passed');
  return (
    <Space wrap>
      <Button href={declarationFormUrl(d.id)}>{t('itp.decl.exportForm')}</Button>
      {d.status === 'draft' && hasPermission(me, 'project:manage') && (
        <Button type="primary" loading={submit.isPending} onClick={() => submit.mutateAsync(d.id).catch(failed)}>
          {t('itp.decl.submit')}
        </Button>
      )}
      {d.status === 'submitted' && hasPermission(me, 'project:review') && (
        <Button type="primary" onClick={() => setReviewing(d)}>
          {t('itp.decl.review')}
        </Button>
      )}
      {approvable && (hasPermission(me, 'project:approve') || hasPermission(me, 'quota:set')) && (
        <Button type="primary" loading={approve.isPending} onClick={() => approve.mutateAsync(d.id).catch(failed)}>
          {t('itp.decl.approve')}
        </Button>
      )}
      {d.status === 'approved' && hasPermission(me, 'project:approve') && (
        <Button type="primary" onClick={() => setDesigning(d)}>
          {t('itp.design.title')}
        </Button>
      )}
      <ReviewModal declaration={reviewing} onClose={() => setReviewing(null)} />
      <DesignModal declaration={designing} onClose={() => setDesigning(null)} />
    </Space>
  );
}

function DeclarationCard({ d }: { d: Declaration }) {
  const { t, language } = useI18n();
  const catalogue = useCatalogue(undefined);
  const itemName = (code: string) => {
    const item = catalogue.data?.items.find((i) => i.code === code);
    return item ? (language === 'en-US' ? item.nameEn : item.name) : t('itp.form.itemOutside');
  };
  return (
    <Card title={t('itp.detail.declaration')} style={{ marginBottom: 16 }}>
      <Descriptions bordered size="small" column={{ xs: 1, md: 2 }} style={{ marginBottom: 16 }}>
        <Descriptions.Item label={t('itp.col.unit')}>{d.organisationName}</Descriptions.Item>
        <Descriptions.Item label={t('itp.form.round')}>
          {d.urgent ? (
            <Tag color="volcano">{t('itp.decl.urgent')}</Tag>
          ) : (
            t('itp.rounds.yearOf', { year: d.planYear ?? '' })
          )}
        </Descriptions.Item>
        {d.urgent && (
          <Descriptions.Item label={t('itp.form.urgentReason')} span={2}>
            {d.urgentReason}
          </Descriptions.Item>
        )}
        <Descriptions.Item label={t('itp.form.feasibility')} span={2}>
          {d.feasibilitySummary}
        </Descriptions.Item>
        <Descriptions.Item label={t('itp.form.investment')}>{yuanText(d.investment)}</Descriptions.Item>
        <Descriptions.Item label={t('itp.form.funding')}>{d.fundingSource}</Descriptions.Item>
        <Descriptions.Item label={t('itp.col.annualCloudCost')}>{yuanText(d.annualCloudCost)}</Descriptions.Item>
        <Descriptions.Item label={t('itp.col.submittedAt')}>
          <DateTime value={d.submittedAt} />
        </Descriptions.Item>
        <Descriptions.Item label={t('itp.detail.approvedAt')}>
          <DateTime value={d.approvedAt} />
        </Descriptions.Item>
        <Descriptions.Item label={t('itp.detail.designNote')}>{d.designReviewNote ?? '—'}</Descriptions.Item>
      </Descriptions>
      <Table<Line>
        rowKey={(_, i) => String(i)}
        size="small"
        pagination={false}
        title={() => t('itp.form.section.plan')}
        dataSource={d.deploymentPlan}
        columns={[
          {
            key: 'env',
            title: t('itp.form.environment'),
            render: (_, l) => t(`itp.env.${l.environment}` as MessageKey),
          },
          { key: 'item', title: t('itp.form.item'), render: (_, l) => itemName(l.itemCode) },
          { key: 'spec', title: t('itp.detail.spec'), render: (_, l) => specInWords(l.specification, language) },
          { key: 'count', title: t('itp.form.count'), dataIndex: 'count' },
          { key: 'monthly', title: t('itp.detail.monthly'), render: (_, l) => fenText(l.monthlyFen) },
        ]}
        style={{ marginBottom: 16 }}
      />
      <Table<Sharing>
        rowKey={(_, i) => String(i)}
        size="small"
        pagination={false}
        title={() => t('itp.form.section.sharing')}
        dataSource={d.dataSharingPlan}
        columns={[
          {
            key: 'direction',
            title: t('itp.form.direction'),
            render: (_, s) => t(`itp.sharing.${s.direction}` as MessageKey),
          },
          { key: 'name', title: t('itp.form.dataName'), dataIndex: 'name' },
          { key: 'description', title: t('itp.form.dataDescription'), dataIndex: 'description' },
        ]}
        style={{ marginBottom: 16 }}
      />
      {d.reviewChecklist.length > 0 && (
        <Table<Answer>
          rowKey="item"
          size="small"
          pagination={false}
          title={() => t('itp.detail.review', { at: d.reviewedAt?.slice(0, 10) ?? '' })}
          dataSource={d.reviewChecklist}
          columns={[
            { key: 'item', title: t('itp.detail.item'), render: (_, a) => t(`itp.check.${a.item}` as MessageKey) },
            {
              key: 'passed',
              title: t('itp.detail.answer'),
              render: (_, a) => (
                <Tag color={a.passed ? 'green' : 'red'}>{a.passed ? t('itp.review.yes') : t('itp.review.no')}</Tag>
              ),
            },
            { key: 'note', title: t('itp.review.note'), dataIndex: 'note' },
          ]}
        />
      )}
    </Card>
  );
}

export function ProjectDetailPage() {
  const { t } = useI18n();
  const { id } = useParams();
  const lifecycle = useLifecycle(id);
  if (lifecycle.error) return <ApiErrorAlert error={lifecycle.error} onRetry={() => lifecycle.refetch()} />;
  const l = lifecycle.data;
  if (!l) return <PageLoading />;
  const d = l.declaration;
  const stage = stageOf(l);
  const steps = [
    'itp.step.declared',
    'itp.step.review',
    d.urgent ? 'itp.step.urgent' : 'itp.step.plan',
    'itp.step.approval',
    'itp.step.design',
    'itp.step.acceptance',
  ] as const;
  return (
    <>
      <PageHeader
        title={
          <>
            {d.projectName}{' '}
            <Tag color={STATUS_COLOURS[d.status]}>
              {l.accepted ? t('itp.acc.passed') : t(`itp.status.${d.status}` as MessageKey)}
            </Tag>
          </>
        }
        description={t('itp.detail.description', { unit: d.organisationName })}
        extra={<Actions d={d} />}
      />
      <Card style={{ marginBottom: 16 }}>
        <Steps
          size="small"
          current={stage.current}
          status={stage.failed ? 'error' : stage.current >= steps.length ? 'finish' : 'process'}
          items={steps.map((key) => ({ title: t(key) }))}
        />
      </Card>
      <DeclarationCard d={d} />
      {d.projectStatus === 'approved' && <ChangesCard lifecycle={l} />}
      {(d.status === 'design_approved' || l.acceptances.length > 0) && <AcceptanceCard lifecycle={l} />}
    </>
  );
}
