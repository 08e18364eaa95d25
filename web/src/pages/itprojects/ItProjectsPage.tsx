import { Button, Form, Input, InputNumber, Modal, message, Select, Space, Switch, Table, Tabs, Tag } from 'antd';
import { useState } from 'react';
import {
  type BudgetUnit,
  budgetExportUrl,
  DECLARATION_TEMPLATE_URL,
  type Declaration,
  declarationFormUrl,
  type Round,
  useApproveDeclaration,
  useBudget,
  useDeclarations,
  useDesignReview,
  useOpenRound,
  useReviewDeclaration,
  useRounds,
  useSetBudget,
  useSubmitDeclaration,
} from '../../api/hooks/it-projects';
import { useJurisdictions } from '../../api/hooks/jurisdictions';
import { hasPermission, useSession } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { DateTime } from '../../components/DateTime';
import { PageHeader } from '../../components/PageHeader';
import { type MessageKey, useI18n } from '../../i18n';

// IT projects (issue 19): declaration rounds, declarations through review, plan, approval and design review,
// and the budget view of cloud spending per unit. Names and Chinese labels only, never ids or codes.

const STATUS_COLOURS: Record<Declaration['status'], string> = {
  draft: 'default',
  submitted: 'blue',
  review_passed: 'cyan',
  review_failed: 'red',
  in_plan: 'geekblue',
  not_in_plan: 'orange',
  approved: 'green',
  design_approved: 'green',
};
/** The review items the declaration's pack asks (JQ-proj 7(2): three; NB 17: two). */
const itemsOf = (d: Declaration | null): string[] => (d?.checklist ?? []).map((c) => c.item);
const yuanText = (v: string | null | undefined) => (v == null ? '—' : `¥${v}`);

function RoundsTab() {
  const { t } = useI18n();
  const me = useSession();
  const rounds = useRounds();
  const open = useOpenRound();
  const jurisdictions = useJurisdictions();
  const [form] = Form.useForm<{ jurisdiction: string; planYear: number; investmentCeiling: number }>();
  const [visible, setVisible] = useState(false);
  return (
    <>
      {rounds.error && <ApiErrorAlert error={rounds.error} onRetry={() => rounds.refetch()} />}
      {hasPermission(me, 'project:approve') && (
        <Button type="primary" style={{ marginBottom: 16 }} onClick={() => setVisible(true)}>
          {t('itp.rounds.open')}
        </Button>
      )}
      <Table<Round>
        rowKey="id"
        loading={rounds.isLoading}
        dataSource={rounds.data?.items ?? []}
        columns={[
          {
            key: 'year',
            title: t('itp.rounds.planYear'),
            render: (_, r) => t('itp.rounds.yearOf', { year: r.planYear }),
          },
          { key: 'opened', title: t('itp.rounds.openedOn'), dataIndex: 'openedOn' },
          {
            key: 'deadline',
            title: t('itp.rounds.deadline'),
            render: (_, r) => (
              <>
                {r.deadline} {r.deadlineProvisional && <Tag color="orange">{t('itp.rounds.provisional')}</Tag>}
              </>
            ),
          },
          { key: 'ceiling', title: t('itp.rounds.ceiling'), render: (_, r) => yuanText(r.investmentCeiling) },
          {
            key: 'status',
            title: t('itp.col.status'),
            render: (_, r) => t(`itp.rounds.status.${r.status}` as MessageKey),
          },
        ]}
      />
      <Modal
        open={visible}
        title={t('itp.rounds.open')}
        onCancel={() => setVisible(false)}
        confirmLoading={open.isPending}
        onOk={async () => {
          const v = await form.validateFields();
          try {
            await open.mutateAsync({
              jurisdiction: v.jurisdiction,
              planYear: v.planYear,
              investmentCeiling: String(v.investmentCeiling),
            });
            setVisible(false);
          } catch (e) {
            message.error((e as Error).message);
          }
        }}
      >
        <Form form={form} layout="vertical">
          <Form.Item name="jurisdiction" label={t('itp.rounds.jurisdiction')} rules={[{ required: true }]}>
            <Select options={(jurisdictions.data ?? []).map((j) => ({ value: j.code, label: j.name }))} />
          </Form.Item>
          <Form.Item name="planYear" label={t('itp.rounds.planYear')} rules={[{ required: true }]}>
            <InputNumber min={2000} max={2100} style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="investmentCeiling" label={t('itp.rounds.ceiling')} rules={[{ required: true }]}>
            <InputNumber min={0} precision={2} stringMode style={{ width: '100%' }} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

function ReviewModal({ declaration, onClose }: { declaration: Declaration | null; onClose: () => void }) {
  const { t } = useI18n();
  const review = useReviewDeclaration();
  const [form] = Form.useForm<Record<string, { passed: boolean; note: string }>>();
  return (
    <Modal
      open={!!declaration}
      title={t('itp.review.title', { name: declaration?.projectName ?? '' })}
      onCancel={onClose}
      confirmLoading={review.isPending}
      destroyOnHidden
      onOk={async () => {
        const v = await form.validateFields();
        try {
          await review.mutateAsync({
            id: declaration?.id ?? '',
            answers: itemsOf(declaration).map((item) => ({
              item,
              passed: !!v[item]?.passed,
              note: v[item]?.note ?? '',
            })),
          });
          onClose();
        } catch (e) {
          message.error((e as Error).message);
        }
      }}
    >
      <Form form={form} layout="vertical">
        {itemsOf(declaration).map((item) => (
          <Space key={item} direction="vertical" style={{ width: '100%' }}>
            <Form.Item
              name={[item, 'passed']}
              label={`${t(`itp.check.${item}` as MessageKey)}（${declaration?.checklist?.find((c) => c.item === item)?.article ?? ''}）`}
              valuePropName="checked"
              initialValue
            >
              <Switch checkedChildren={t('itp.review.yes')} unCheckedChildren={t('itp.review.no')} />
            </Form.Item>
            <Form.Item name={[item, 'note']} label={t('itp.review.note')} rules={[{ required: true }]}>
              <Input.TextArea rows={2} />
            </Form.Item>
          </Space>
        ))}
      </Form>
    </Modal>
  );
}

function DeclarationsTab() {
  const { t } = useI18n();
  const me = useSession();
  const list = useDeclarations({});
  const submit = useSubmitDeclaration();
  const approve = useApproveDeclaration();
  const design = useDesignReview();
  const [reviewing, setReviewing] = useState<Declaration | null>(null);
  const act = (p: Promise<unknown>) => p.catch((e: Error) => message.error(e.message));
  return (
    <>
      {list.error && <ApiErrorAlert error={list.error} onRetry={() => list.refetch()} />}
      <Space style={{ marginBottom: 16 }}>
        <a href={DECLARATION_TEMPLATE_URL}>{t('itp.decl.template')}</a>
      </Space>
      <Table<Declaration>
        rowKey="id"
        loading={list.isLoading}
        dataSource={list.data?.items ?? []}
        columns={[
          {
            key: 'project',
            title: t('itp.col.project'),
            render: (_, d) => (
              <>
                {d.projectName} {d.urgent && <Tag color="volcano">{t('itp.decl.urgent')}</Tag>}
              </>
            ),
          },
          { key: 'unit', title: t('itp.col.unit'), dataIndex: 'organisationName' },
          { key: 'investment', title: t('itp.col.investment'), render: (_, d) => yuanText(d.investment) },
          { key: 'cloud', title: t('itp.col.annualCloudCost'), render: (_, d) => yuanText(d.annualCloudCost) },
          {
            key: 'status',
            title: t('itp.col.status'),
            render: (_, d) => <Tag color={STATUS_COLOURS[d.status]}>{t(`itp.status.${d.status}` as MessageKey)}</Tag>,
          },
          {
            key: 'submitted',
            title: t('itp.col.submittedAt'),
            render: (_, d) => (d.submittedAt ? <DateTime value={d.submittedAt} /> : '—'),
          },
          {
            key: 'actions',
            title: t('itp.col.actions'),
            render: (_, d) => (
              <Space wrap>
                <a href={declarationFormUrl(d.id)}>{t('itp.decl.exportForm')}</a>
                {d.status === 'draft' && hasPermission(me, 'project:manage') && (
                  <Button size="small" onClick={() => act(submit.mutateAsync(d.id))}>
                    {t('itp.decl.submit')}
                  </Button>
                )}
                {d.status === 'submitted' && hasPermission(me, 'project:review') && (
                  <Button size="small" onClick={() => setReviewing(d)}>
                    {t('itp.decl.review')}
                  </Button>
                )}
                {(d.status === 'in_plan' || (d.urgent && d.status === 'review_passed')) && (
                  <Button size="small" type="primary" onClick={() => act(approve.mutateAsync(d.id))}>
                    {t('itp.decl.approve')}
                  </Button>
                )}
                {d.status === 'approved' && hasPermission(me, 'project:approve') && (
                  <Button
                    size="small"
                    onClick={() =>
                      act(design.mutateAsync({ id: d.id, passed: true, note: t('itp.decl.designPassed') }))
                    }
                  >
                    {t('itp.decl.design')}
                  </Button>
                )}
              </Space>
            ),
          },
        ]}
      />
      <ReviewModal declaration={reviewing} onClose={() => setReviewing(null)} />
    </>
  );
}

function BudgetTab() {
  const { t } = useI18n();
  const me = useSession();
  const [year, setYear] = useState(new Date().getFullYear());
  const budget = useBudget(year);
  const setBudget = useSetBudget();
  return (
    <>
      {budget.error && <ApiErrorAlert error={budget.error} onRetry={() => budget.refetch()} />}
      <Space style={{ marginBottom: 16 }}>
        {t('itp.budget.year')}
        <InputNumber min={2000} max={2100} value={year} onChange={(v) => v && setYear(v)} />
        <a href={budgetExportUrl(year)}>{t('itp.budget.export')}</a>
      </Space>
      <Table<BudgetUnit>
        rowKey="organisationId"
        loading={budget.isLoading}
        dataSource={budget.data?.units ?? []}
        scroll={{ x: true }}
        columns={[
          {
            key: 'unit',
            title: t('itp.col.unit'),
            render: (_, u) => (
              <>
                {u.organisationName} {u.outsideCityBudget && <Tag color="orange">{t('itp.budget.selfPaid')}</Tag>}
              </>
            ),
          },
          { key: 'planned', title: t('itp.budget.planned'), render: (_, u) => yuanText(u.planned) },
          {
            key: 'budget',
            title: t('itp.budget.budget'),
            render: (_, u) =>
              hasPermission(me, 'budget:set') ? (
                <InputNumber
                  stringMode
                  precision={2}
                  min="0"
                  defaultValue={u.budget ?? undefined}
                  onBlur={(e) =>
                    e.target.value &&
                    setBudget
                      .mutateAsync({ id: u.organisationId, year, budget: e.target.value.replace(/,/g, '') })
                      .catch((err: Error) => message.error(err.message))
                  }
                />
              ) : (
                yuanText(u.budget)
              ),
          },
          ...(budget.data?.units[0]?.months ?? []).map((m, i) => ({
            key: m.month,
            title: t('itp.budget.month', { month: i + 1 }),
            render: (_: unknown, u: BudgetUnit) => yuanText(u.months[i]?.settled),
          })),
          { key: 'actual', title: t('itp.budget.actual'), render: (_, u) => yuanText(u.actual) },
          { key: 'forecast', title: t('itp.budget.forecast'), render: (_, u) => yuanText(u.forecast) },
        ]}
      />
    </>
  );
}

/** IT projects: rounds, declarations and the budget view, each tab by permission. */
export function ItProjectsPage() {
  const { t } = useI18n();
  const me = useSession();
  return (
    <>
      <PageHeader title={t('itp.title')} description={t('itp.description')} />
      <Tabs
        items={[
          { key: 'declarations', label: t('itp.tab.declarations'), children: <DeclarationsTab /> },
          { key: 'rounds', label: t('itp.tab.rounds'), children: <RoundsTab /> },
          ...(hasPermission(me, 'settlement:read')
            ? [{ key: 'budget', label: t('itp.tab.budget'), children: <BudgetTab /> }]
            : []),
        ]}
      />
    </>
  );
}
