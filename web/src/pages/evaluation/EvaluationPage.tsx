import { DownloadOutlined } from '@ant-design/icons';
import {
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Form,
  Input,
  Modal,
  Radio,
  Rate,
  Row,
  Select,
  Space,
  Steps,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import {
  type Evaluation,
  type EvaluationCard,
  exportUrl,
  reportUrl,
  useAnswerSurvey,
  useAppeals,
  useCreateEvaluation,
  useDecideAppeal,
  useEnterScore,
  useEvaluation,
  useEvaluationStep,
  useEvaluations,
  useFileAppeal,
  useSurvey,
  useTrend,
} from '../../api/hooks/evaluation';
import { useCan } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { Chart } from '../../components/Chart';
import { CitedText } from '../../components/Citation';
import type { ChartOption } from '../../components/echarts';
import { PageHeader } from '../../components/PageHeader';
import { type Translate, useI18n } from '../../i18n';
import { EvidenceFiles } from './EvaluationEvidence';
import { AdviceTab, FeeTab } from './EvaluationOutcomes';

// 效能评估 (SH 27, 33-34; TZ 20; LZ 30): rankings, radar charts per unit and provider, the evidence of each
// indicator, the flow (draft -> ops review -> authority approval -> publication), the units' survey, appeals.

type Indicator = EvaluationCard['indicators'][number];
const STEP_OF = { draft: 0, reviewed: 1, approved: 2, published: 3 } as const;
const STATUS_COLOR = { draft: 'default', reviewed: 'processing', approved: 'warning', published: 'success' } as const;

/** The counts behind a score, as the users' documents name them. */
const EVIDENCE_ZH: Record<string, string> = {
  systems: '非涉密系统数',
  migrated: '已上云',
  provisionallyMigrated: '保留机房过渡期内',
  monitoredResources: '监测资源数',
  idleOrZombieFindings: '闲置/僵尸发现',
  unresolved: '未整改',
  onCloudSystems: '上云系统数',
  filedWithCommitmentLetter: '已备案并签承诺书',
  counted: '计入工单数',
  onTime: '按时完成',
  late: '超时',
  answers: '答卷数',
  ratingSum: '评分合计',
  ratingCount: '评分项数',
  evidence: '依据',
  enteredBy: '录入人',
  rooms: '保留机房数',
  criteriaChecked: '认定标准自查项',
  criteriaMet: '符合项',
  unmet: '不符合',
  files: '佐证材料',
  // issue 17: quota use, own deadlines, rectification, disputes and findings, availability
  dimensions: '配额使用',
  steps: '本单位办理环节',
  warnings: '整改警告',
  answeredOnTime: '期限内答复',
  lateOrUnanswered: '逾期或未答复',
  meanHoursToAnswer: '平均答复用时（小时）',
  receipts: '交付回执份数',
  disputed: '被提出异议',
  disputesOverdue: '异议逾期未答复',
  findings: '资源核对差异',
  findingsOverdue: '差异逾期未处理',
  periodSeconds: '评估期时长（秒）',
  downSeconds: '故障中断时长（秒）',
  incidents: '故障数',
  major: '重大故障',
  reportsLate: '故障报告逾期',
};

const DIMENSION_ZH: Record<string, string> = {
  vcpu: '计算（核）',
  memory_gb: '内存（GB）',
  storage_gb: '存储（GB）',
  bandwidth_mbps: '带宽（Mbps）',
};

function shownItem(x: unknown): string {
  if (x && typeof x === 'object' && 'fileName' in x) return String(x.fileName);
  if (x && typeof x === 'object' && 'dimension' in x && 'quota' in x && 'used' in x) {
    const d = String(x.dimension);
    return `${DIMENSION_ZH[d] ?? '服务目录项'} 已用 ${String(x.used)} / 配额 ${String(x.quota)}`;
  }
  return String(x);
}

const shown = (v: unknown): string =>
  Array.isArray(v) ? v.map(shownItem).join('、') || '无' : v === null ? '—' : String(v);

function evidenceText(evidence: Record<string, unknown>): string {
  return Object.entries(evidence)
    .filter(([k]) => k !== 'sources' && EVIDENCE_ZH[k])
    .map(([k, v]) => `${EVIDENCE_ZH[k]}：${shown(v)}`)
    .join('；');
}

function Radar({ card }: { card: EvaluationCard }) {
  const { t } = useI18n();
  const option = useMemo<ChartOption>(
    () => ({
      animation: false,
      tooltip: {},
      radar: { indicator: card.indicators.map((i) => ({ name: i.zh, max: 100 })), radius: '65%' },
      series: [
        {
          type: 'radar',
          data: [
            { name: card.name, value: card.indicators.map((i) => Number(i.score ?? 0)), areaStyle: { opacity: 0.2 } },
          ],
        },
      ],
    }),
    [card],
  );
  return <Chart option={option} ariaLabel={t('ev.radar', { name: card.name })} height={260} />;
}

function Trend({ card }: { card: EvaluationCard }) {
  const { t } = useI18n();
  const trend = useTrend(card.organisationId);
  const points = trend.data?.items ?? [];
  const option = useMemo<ChartOption>(
    () => ({
      animation: false,
      tooltip: { trigger: 'axis' },
      grid: { left: 40, right: 16, top: 16, bottom: 24 },
      xAxis: { type: 'category', data: points.map((p) => p.period) },
      yAxis: { type: 'value', min: 0, max: 100 },
      series: [{ type: 'line', name: t('ev.total'), data: points.map((p) => Number(p.total)) }],
    }),
    [points, t],
  );
  if (points.length === 0) return null;
  return <Chart option={option} ariaLabel={t('ev.trend', { name: card.name })} height={160} />;
}

function CardDetail({ evaluation, card }: { evaluation: Evaluation; card: EvaluationCard }) {
  const { t } = useI18n();
  return (
    <Card title={t('ev.card', { name: card.name })} size="small" style={{ marginTop: 16 }}>
      <Row gutter={16}>
        <Col xs={24} md={9}>
          <Radar card={card} />
          <Typography.Text type="secondary">{t('ev.trendTitle')}</Typography.Text>
          <Trend card={card} />
        </Col>
        <Col xs={24} md={15}>
          <Table<Indicator>
            size="small"
            rowKey="id"
            pagination={false}
            dataSource={card.indicators}
            columns={[
              { title: t('ev.indicator'), dataIndex: 'zh' },
              { title: t('ev.weight'), dataIndex: 'weight' },
              {
                title: t('ev.score'),
                render: (_, i) =>
                  i.score === null ? (
                    <Tag>{t('ev.notEntered')}</Tag>
                  ) : (
                    <Space>
                      {i.score}
                      {i.appealed ? <Tag color="orange">{t('ev.appealed')}</Tag> : null}
                    </Space>
                  ),
              },
              { title: t('ev.measured'), dataIndex: 'value' },
              { title: t('ev.detail'), render: (_, i) => evidenceText(i.evidence) },
              {
                title: t('ev.article'),
                render: (_, i) => (i.article ? <CitedText text={i.article} /> : t('ev.cityChoice')),
              },
            ]}
          />
          <EvidenceFiles evaluation={evaluation} card={card} />
        </Col>
      </Row>
    </Card>
  );
}

function Ranking({ evaluation, subject }: { evaluation: Evaluation; subject: EvaluationCard['subject'] }) {
  const { t } = useI18n();
  const cards = (evaluation.cards ?? []).filter((c) => c.subject === subject);
  const [selected, setSelected] = useState<string | undefined>();
  const [scoring, setScoring] = useState<EvaluationCard | null>(null);
  const canEnter = useCan('evaluation:draft') && evaluation.status === 'draft' && subject !== 'using_unit';
  const card = cards.find((c) => c.organisationId === selected) ?? cards[0];
  const indicators = cards[0]?.indicators ?? [];
  if (cards.length === 0) return <Empty />;
  return (
    <>
      <Table<EvaluationCard>
        size="small"
        rowKey="organisationId"
        pagination={false}
        dataSource={cards}
        onRow={(c) => ({ onClick: () => setSelected(c.organisationId), style: { cursor: 'pointer' } })}
        rowClassName={(c) => (c.organisationId === card?.organisationId ? 'ant-table-row-selected' : '')}
        columns={[
          { title: t('ev.rank'), render: (_, c) => `${c.rank} / ${c.ofCount}`, width: 80 },
          { title: t('ev.name'), dataIndex: 'name' },
          ...indicators.map((ind, k) => ({
            title: `${ind.zh}（${ind.weight}）`,
            render: (_: unknown, c: EvaluationCard) => c.indicators[k]?.score ?? t('ev.notEntered'),
          })),
          { title: t('ev.total'), render: (_, c) => <strong>{c.total}</strong> },
          ...(subject === 'using_unit'
            ? [
                { title: t('ev.band'), render: (_: unknown, c: EvaluationCard) => c.band ?? '—' },
                { title: t('ev.coefficient'), render: (_: unknown, c: EvaluationCard) => c.coefficient ?? '—' },
              ]
            : []),
          ...(canEnter
            ? [
                {
                  title: '',
                  render: (_: unknown, c: EvaluationCard) => (
                    <Button size="small" onClick={() => setScoring(c)}>
                      {t('ev.enterScore')}
                    </Button>
                  ),
                },
              ]
            : []),
        ]}
      />
      {card ? <CardDetail evaluation={evaluation} card={card} /> : null}
      {scoring ? <ScoreModal evaluation={evaluation} card={scoring} onClose={() => setScoring(null)} /> : null}
    </>
  );
}

function ScoreModal({
  evaluation,
  card,
  onClose,
}: {
  evaluation: Evaluation;
  card: EvaluationCard;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const enter = useEnterScore();
  const [form] = Form.useForm<{ indicator: string; score: string; evidence: string }>();
  // the indicators of this kind of card that people enter (the template says which)
  const template = (evaluation.scorecards as Record<string, { indicators: { id: string; source: string }[] }>)[
    card.subject
  ];
  const manualIds = new Set(template?.indicators.filter((i) => i.source === 'manual').map((i) => i.id));
  const manual = card.indicators.filter((i) => manualIds.has(i.id));
  return (
    <Modal
      open
      title={`${t('ev.enterScore')}：${card.name}`}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={enter.isPending}
    >
      {enter.error ? <ApiErrorAlert error={enter.error} compact /> : null}
      <Form
        form={form}
        layout="vertical"
        onFinish={(v) =>
          enter.mutate(
            {
              id: evaluation.id,
              body: { organisationId: card.organisationId, ...v },
            },
            {
              onSuccess: () => {
                message.success(t('ev.done', { what: t('ev.enterScore') }));
                onClose();
              },
            },
          )
        }
      >
        <Form.Item
          name="indicator"
          label={t('ev.scoreIndicator')}
          initialValue={manual[0]?.id}
          rules={[{ required: true }]}
        >
          <Select options={manual.map((i) => ({ value: i.id, label: i.zh }))} />
        </Form.Item>
        <Form.Item name="score" label={t('ev.score')} rules={[{ required: true }]}>
          <Input />
        </Form.Item>
        <Form.Item name="evidence" label={t('ev.evidence')} rules={[{ required: true }]}>
          <Input.TextArea rows={3} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function SurveyTab({ evaluation }: { evaluation: Evaluation }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const survey = useSurvey(evaluation.id, true);
  const answer = useAnswerSurvey();
  const [draft, setDraft] = useState<Record<string, Record<string, number>>>({});
  if (survey.error) return <ApiErrorAlert error={survey.error} />;
  const form = survey.data;
  if (!form) return null;
  if (form.providers.length === 0) return <Empty description={t('ev.survey.none')} />;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {!form.open ? <Typography.Text type="secondary">{t('ev.survey.closed')}</Typography.Text> : null}
      {answer.error ? <ApiErrorAlert error={answer.error} compact /> : null}
      {form.providers.map((p) => {
        const values = draft[p.providerId] ?? p.answers ?? {};
        return (
          <Card
            key={p.providerId}
            size="small"
            title={p.providerName}
            extra={p.submittedAt ? <Tag color="success">{t('ev.survey.submitted')}</Tag> : null}
          >
            {form.questions.map((q) => (
              <Row key={q.id} align="middle" style={{ marginBottom: 8 }}>
                <Col span={10}>{q.zh}</Col>
                <Col>
                  <Rate
                    aria-label={`${p.providerName}：${q.zh}`}
                    disabled={!form.open}
                    value={values[q.id] ?? 0}
                    onChange={(v) => setDraft({ ...draft, [p.providerId]: { ...values, [q.id]: v } })}
                  />
                </Col>
              </Row>
            ))}
            {form.open ? (
              <Button
                type="primary"
                loading={answer.isPending}
                onClick={() =>
                  answer.mutate(
                    { id: evaluation.id, providerId: p.providerId, answers: values },
                    { onSuccess: () => message.success(t('ev.done', { what: t('ev.survey.submit') })) },
                  )
                }
              >
                {t('ev.survey.submit')}
              </Button>
            ) : null}
          </Card>
        );
      })}
    </Space>
  );
}

function AppealsTab({ evaluation }: { evaluation: Evaluation }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const appeals = useAppeals(evaluation.id, true);
  const file = useFileAppeal();
  const decide = useDecideAppeal();
  const canAppeal = useCan('evaluation:appeal') && evaluation.status === 'published';
  const canDecide = useCan('evaluation:approve');
  const own = evaluation.cards?.[0];
  const [deciding, setDeciding] = useState<string | null>(null);
  const [fileForm] = Form.useForm<{ indicator: string; reason: string }>();
  const [decideForm] = Form.useForm<{ decision: 'upheld' | 'rejected'; reason: string; score?: string }>();
  const indicatorName = (id: string) =>
    evaluation.cards?.flatMap((c) => c.indicators).find((i) => i.id === id)?.zh ?? id;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {appeals.error ? <ApiErrorAlert error={appeals.error} /> : null}
      {file.error ? <ApiErrorAlert error={file.error} compact /> : null}
      {canAppeal && own ? (
        <Card size="small" title={t('ev.appeal.file')}>
          <Form
            form={fileForm}
            layout="inline"
            onFinish={(v) =>
              file.mutate(
                { id: evaluation.id, ...v },
                {
                  onSuccess: () => {
                    fileForm.resetFields();
                    message.success(t('ev.done', { what: t('ev.appeal.file') }));
                  },
                },
              )
            }
          >
            <Form.Item name="indicator" label={t('ev.indicator')} rules={[{ required: true }]}>
              <Select
                style={{ width: 200 }}
                options={(evaluation.cards ?? [])
                  .filter((c) => c.organisationId === own.organisationId)
                  .flatMap((c) => c.indicators)
                  .map((i) => ({ value: i.id, label: i.zh }))}
              />
            </Form.Item>
            <Form.Item name="reason" label={t('ev.appeal.reason')} rules={[{ required: true }]}>
              <Input style={{ width: 360 }} />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={file.isPending}>
              {t('ev.appeal.file')}
            </Button>
          </Form>
        </Card>
      ) : null}
      <Table
        size="small"
        rowKey="id"
        pagination={false}
        dataSource={appeals.data?.items ?? []}
        locale={{ emptyText: t('ev.appeal.none') }}
        columns={[
          { title: t('ev.name'), render: (_, a) => a.organisationName ?? '' },
          { title: t('ev.indicator'), render: (_, a) => indicatorName(a.indicator) },
          { title: t('ev.appeal.reason'), dataIndex: 'reason' },
          {
            title: t('ev.appeal.decision'),
            render: (_, a) =>
              a.status === 'open' ? (
                canDecide ? (
                  <Button size="small" onClick={() => setDeciding(a.id)}>
                    {t('ev.appeal.decide')}
                  </Button>
                ) : (
                  <Tag>{t('ev.appeal.open')}</Tag>
                )
              ) : (
                <Space>
                  <Tag color={a.status === 'upheld' ? 'success' : 'default'}>{t(`ev.appeal.${a.status}`)}</Tag>
                  {a.score ? `${t('ev.appeal.newScore')} ${a.score}` : null}
                  {a.decision}
                </Space>
              ),
          },
        ]}
      />
      {deciding ? (
        <Modal
          open
          title={t('ev.appeal.decide')}
          onCancel={() => setDeciding(null)}
          onOk={() => decideForm.submit()}
          confirmLoading={decide.isPending}
        >
          {decide.error ? <ApiErrorAlert error={decide.error} compact /> : null}
          <Form
            form={decideForm}
            layout="vertical"
            initialValues={{ decision: 'upheld' }}
            onFinish={(v) => decide.mutate({ id: deciding, ...v }, { onSuccess: () => setDeciding(null) })}
          >
            <Form.Item name="decision">
              <Radio.Group>
                <Radio value="upheld">{t('ev.appeal.upheld')}</Radio>
                <Radio value="rejected">{t('ev.appeal.rejected')}</Radio>
              </Radio.Group>
            </Form.Item>
            <Form.Item name="score" label={t('ev.appeal.newScore')}>
              <Input />
            </Form.Item>
            <Form.Item name="reason" label={t('ev.appeal.decision')} rules={[{ required: true }]}>
              <Input.TextArea rows={2} />
            </Form.Item>
          </Form>
        </Modal>
      ) : null}
    </Space>
  );
}

function Flow({ evaluation }: { evaluation: Evaluation }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const step = useEvaluationStep();
  const canDraft = useCan('evaluation:draft');
  const canReview = useCan('evaluation:review');
  const canApprove = useCan('evaluation:approve');
  const run = (s: 'recompute' | 'review' | 'approve' | 'publish', label: string) =>
    step.mutate(
      { id: evaluation.id, step: s, contentHash: evaluation.contentHash },
      { onSuccess: () => message.success(t('ev.done', { what: label })) },
    );
  return (
    <Card size="small" style={{ marginBottom: 16 }}>
      <Steps
        size="small"
        current={STEP_OF[evaluation.status]}
        items={[
          { title: t('ev.step.draft') },
          { title: t('ev.step.review') },
          { title: t('ev.step.approve') },
          { title: t('ev.step.publish') },
        ]}
      />
      <Descriptions size="small" column={4} style={{ marginTop: 12 }}>
        <Descriptions.Item label={t('ev.period')}>
          {evaluation.windowFrom} — {evaluation.windowTo}
        </Descriptions.Item>
        <Descriptions.Item label={t('ev.asOf')}>{evaluation.asOfDay}</Descriptions.Item>
        <Descriptions.Item label={t('ev.effectiveFrom')}>{evaluation.effectiveFrom}</Descriptions.Item>
        <Descriptions.Item label={t('ev.appealDue')}>{evaluation.appealDueDay ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('ev.hash')}>
          <Typography.Text code>{evaluation.contentHash.slice(0, 16)}</Typography.Text>
        </Descriptions.Item>
      </Descriptions>
      {evaluation.status === 'draft' ? <Typography.Text type="secondary">{t('ev.dutiesNote')}</Typography.Text> : null}
      {step.error ? <ApiErrorAlert error={step.error} compact /> : null}
      <Space style={{ marginTop: 8 }}>
        {canDraft && evaluation.status === 'draft' ? (
          <Button onClick={() => run('recompute', t('ev.recompute'))} loading={step.isPending}>
            {t('ev.recompute')}
          </Button>
        ) : null}
        {canReview && evaluation.status === 'draft' ? (
          <Button type="primary" onClick={() => run('review', t('ev.review'))} loading={step.isPending}>
            {t('ev.review')}
          </Button>
        ) : null}
        {canApprove && evaluation.status === 'reviewed' ? (
          <Button type="primary" onClick={() => run('approve', t('ev.approve'))} loading={step.isPending}>
            {t('ev.approve')}
          </Button>
        ) : null}
        {canApprove && evaluation.status === 'approved' ? (
          <Button type="primary" onClick={() => run('publish', t('ev.publish'))} loading={step.isPending}>
            {t('ev.publish')}
          </Button>
        ) : null}
        {evaluation.status === 'published' ? (
          <Button icon={<DownloadOutlined />} href={exportUrl(evaluation.id)}>
            {t('ev.export')}
          </Button>
        ) : null}
        {evaluation.status === 'published' ? (
          <Button icon={<DownloadOutlined />} href={reportUrl(evaluation.id)}>
            {t('ev.report')}
          </Button>
        ) : null}
      </Space>
    </Card>
  );
}

/**
 * The page's description names the indicators of the scorecard templates the evaluation uses (snapshotted on
 * it), so it never lists fewer or other indicators than the template has; without an evaluation, none.
 */
function description(t: Translate, language: string, scorecards: unknown): string {
  const cards = (scorecards ?? {}) as Record<string, { indicators?: { zh: string }[] } | undefined>;
  const names = (subject: string) =>
    (cards[subject]?.indicators ?? []).map((i) => i.zh).join(language === 'en-US' ? ', ' : '、');
  const units = names('using_unit');
  const providers = names('provider');
  return units && providers ? t('ev.description', { units, providers }) : t('ev.descriptionGeneric');
}

export function EvaluationPage() {
  const { t, language } = useI18n();
  const [params, setParams] = useSearchParams();
  const list = useEvaluations();
  const create = useCreateEvaluation();
  const canDraft = useCan('evaluation:draft');
  const canSurvey = useCan('evaluation:survey');
  const items = list.data?.items ?? [];
  const id = params.get('id') ?? items[0]?.id;
  const one = useEvaluation(id);
  const [period, setPeriod] = useState(String(new Date().getFullYear()));
  const e = one.data;
  const tabs = e
    ? [
        { key: 'units', label: t('ev.tab.units'), children: <Ranking evaluation={e} subject="using_unit" /> },
        { key: 'providers', label: t('ev.tab.providers'), children: <Ranking evaluation={e} subject="provider" /> },
        // LZ 30(2): where the pack evaluates the units keeping their own data centre
        ...((e.scorecards as Record<string, unknown>).data_centre
          ? [
              {
                key: 'dataCentres',
                label: t('ev.tab.dataCentres'),
                children: <Ranking evaluation={e} subject="data_centre" />,
              },
            ]
          : []),
        ...(canSurvey ? [{ key: 'survey', label: t('ev.tab.survey'), children: <SurveyTab evaluation={e} /> }] : []),
        ...(e.status === 'published'
          ? [
              { key: 'appeals', label: t('ev.tab.appeals'), children: <AppealsTab evaluation={e} /> },
              { key: 'advice', label: t('ev.tab.advice'), children: <AdviceTab evaluation={e} /> },
              { key: 'fee', label: t('ev.tab.fee'), children: <FeeTab evaluation={e} /> },
            ]
          : []),
      ]
    : [];
  return (
    <>
      <PageHeader
        title={t('ev.title')}
        description={description(t, language, e?.scorecards)}
        extra={
          <Space>
            <Select
              aria-label={t('ev.period')}
              style={{ width: 200 }}
              value={id}
              onChange={(v) => setParams({ id: v })}
              options={items.map((x) => ({ value: x.id, label: `${x.period}（${t(`ev.status.${x.status}`)}）` }))}
            />
            {canDraft ? (
              <Space.Compact>
                <Input
                  aria-label={t('ev.period')}
                  value={period}
                  onChange={(v) => setPeriod(v.target.value)}
                  style={{ width: 100 }}
                />
                <Button
                  type="primary"
                  loading={create.isPending}
                  onClick={() => create.mutate({ period }, { onSuccess: (x) => setParams({ id: x.id }) })}
                >
                  {t('ev.create')}
                </Button>
              </Space.Compact>
            ) : null}
          </Space>
        }
      />
      {list.error ? <ApiErrorAlert error={list.error} onRetry={() => list.refetch()} /> : null}
      {create.error ? <ApiErrorAlert error={create.error} compact /> : null}
      {one.error ? <ApiErrorAlert error={one.error} /> : null}
      {!id && !list.isLoading ? <Empty description={t('ev.none')} /> : null}
      {e ? (
        <>
          <Space style={{ marginBottom: 8 }}>
            <Typography.Title level={4} style={{ margin: 0 }}>
              {e.period}
            </Typography.Title>
            <Tag color={STATUS_COLOR[e.status]}>{t(`ev.status.${e.status}`)}</Tag>
          </Space>
          <Flow evaluation={e} />
          <Tabs items={tabs} />
        </>
      ) : null}
    </>
  );
}
