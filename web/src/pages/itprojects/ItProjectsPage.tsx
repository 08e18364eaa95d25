import { Button, Checkbox, Form, InputNumber, Modal, message, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import {
  type BudgetUnit,
  budgetExportUrl,
  DECLARATION_TEMPLATE_URL,
  type Declaration,
  declarationFormUrl,
  type Round,
  useApproveDeclaration,
  useAssemblePlan,
  useBudget,
  useDeclarations,
  useDesignReview,
  useOpenRound,
  useProjectBudget,
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
import { STATUS_COLOURS, yuanText } from './labels';
import { ReviewModal } from './ReviewModal';

// IT projects (issue 19): declaration rounds, declarations through review, plan, approval and design review,
// and the budget view of cloud spending per unit. Names and Chinese labels only, never ids or codes.

/** The annual plan (JQ-proj 7(3)): passed declarations of the round, within its investment ceiling. */
function PlanModal({ round, onClose }: { round: Round | null; onClose: () => void }) {
  const { t } = useI18n();
  const passed = useDeclarations({ roundId: round?.id, status: 'review_passed' });
  const assemble = useAssemblePlan();
  const [chosen, setChosen] = useState<string[]>([]);
  const items = round ? (passed.data?.items ?? []) : [];
  const total = items
    .filter((d) => chosen.includes(d.id))
    .reduce((sum, d) => sum + Math.round(Number(d.investment) * 100), 0);
  return (
    <Modal
      open={!!round}
      title={t('itp.plan.title', { year: round?.planYear ?? '' })}
      okText={t('itp.plan.confirm')}
      onCancel={onClose}
      confirmLoading={assemble.isPending}
      destroyOnHidden
      onOk={async () => {
        try {
          await assemble.mutateAsync({ id: round?.id ?? '', declarationIds: chosen });
          setChosen([]);
          onClose();
        } catch (e) {
          message.error((e as Error).message);
        }
      }}
    >
      <Typography.Paragraph type="secondary">
        {t('itp.plan.hint', { ceiling: yuanText(round?.investmentCeiling), total: yuanText((total / 100).toFixed(2)) })}
      </Typography.Paragraph>
      <Checkbox.Group
        style={{ display: 'flex', flexDirection: 'column', gap: 8 }}
        value={chosen}
        onChange={(v) => setChosen(v as string[])}
        options={items.map((d) => ({
          value: d.id,
          label: `${d.projectName}（${d.organisationName}，${yuanText(d.investment)}）`,
        }))}
      />
      {items.length === 0 && <Typography.Text>{t('itp.plan.none')}</Typography.Text>}
    </Modal>
  );
}

function RoundsTab() {
  const { t } = useI18n();
  const me = useSession();
  const rounds = useRounds();
  const open = useOpenRound();
  const jurisdictions = useJurisdictions();
  const [form] = Form.useForm<{ jurisdiction: string; planYear: number; investmentCeiling: number }>();
  const [visible, setVisible] = useState(false);
  const [planning, setPlanning] = useState<Round | null>(null);
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
          {
            key: 'actions',
            title: t('itp.col.actions'),
            render: (_, r) =>
              r.status !== 'planned' &&
              hasPermission(me, 'project:approve') && (
                <Button size="small" onClick={() => setPlanning(r)}>
                  {t('itp.plan.set')}
                </Button>
              ),
          },
        ]}
      />
      <PlanModal round={planning} onClose={() => setPlanning(null)} />
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

function DeclarationsTab() {
  const { t } = useI18n();
  const navigate = useNavigate();
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
        {hasPermission(me, 'project:manage') && (
          <Button type="primary" onClick={() => navigate('/it-projects/declare')}>
            {t('itp.form.new')}
          </Button>
        )}
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
                <Link to={`/it-projects/projects/${d.projectId}`}>{d.projectName}</Link>{' '}
                {d.urgent && <Tag color="volcano">{t('itp.decl.urgent')}</Tag>}
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

/** The same per project (SH 18): what the economy & IT authority weighs when setting a project's quota. */
function ProjectBudgetTab() {
  const { t } = useI18n();
  const [year, setYear] = useState(new Date().getFullYear());
  const view = useProjectBudget(year);
  type Row = NonNullable<typeof view.data>['projects'][number];
  return (
    <>
      {view.error && <ApiErrorAlert error={view.error} onRetry={() => view.refetch()} />}
      <Space style={{ marginBottom: 16 }}>
        <label htmlFor="itp-project-budget-year">{t('itp.budget.year')}</label>
        <InputNumber
          id="itp-project-budget-year"
          min={2000}
          max={2100}
          value={year}
          onChange={(v) => v && setYear(v)}
        />
      </Space>
      <Table<Row>
        rowKey="projectId"
        loading={view.isLoading}
        dataSource={view.data?.projects ?? []}
        scroll={{ x: 'max-content' }}
        columns={[
          {
            key: 'project',
            title: t('itp.col.project'),
            render: (_, p) =>
              p.planned === null ? (
                p.projectName
              ) : (
                <Link to={`/it-projects/projects/${p.projectId}`}>{p.projectName}</Link>
              ),
          },
          {
            key: 'unit',
            title: t('itp.col.unit'),
            render: (_, p) => (
              <>
                {p.organisationName} {p.outsideCityBudget && <Tag color="orange">{t('itp.budget.selfPaid')}</Tag>}
              </>
            ),
          },
          {
            key: 'planned',
            title: t('itp.budget.planned'),
            render: (_, p) => (p.planned === null ? t('itp.budget.noDeclaration') : yuanText(p.planned)),
          },
          ...(view.data?.projects[0]?.months ?? []).map((m, i) => ({
            key: m.month,
            title: <span style={{ whiteSpace: 'nowrap' }}>{t('itp.budget.month', { month: i + 1 })}</span>,
            render: (_: unknown, p: Row) => yuanText(p.months[i]?.settled),
          })),
          { key: 'actual', title: t('itp.budget.actual'), render: (_, p) => yuanText(p.actual) },
          { key: 'forecast', title: t('itp.budget.forecast'), render: (_, p) => yuanText(p.forecast) },
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
            ? [
                { key: 'budget', label: t('itp.tab.budget'), children: <BudgetTab /> },
                { key: 'project-budget', label: t('itp.tab.projectBudget'), children: <ProjectBudgetTab /> },
              ]
            : []),
        ]}
      />
    </>
  );
}
