import { CheckCircleTwoTone, CloseCircleTwoTone, EditOutlined, UploadOutlined } from '@ant-design/icons';
import {
  Alert,
  Button,
  Card,
  DatePicker,
  Descriptions,
  Form,
  Input,
  InputNumber,
  List,
  Modal,
  Radio,
  Space,
  Table,
  Tag,
  Typography,
  Upload,
} from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import {
  attachmentUrl,
  CRITERIA,
  type DataCentre,
  fileToUpload,
  useApplications,
  useCloseDataCentre,
  useCreateApplication,
  useDataCentre,
  usePrecheck,
  useRecordDone,
  useRoomAttachments,
  useSetPlan,
  useUpload,
} from '../../api/hooks/data-centres';
import { useCan } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { CitedText } from '../../components/Citation';
import { PageHeader } from '../../components/PageHeader';
import { PageLoading } from '../../components/PageLoading';
import { type MessageKey, useI18n } from '../../i18n';
import { failureText } from '../shareddata/shared';
import { CentreFormModal } from './CentreFormModal';
import { ApplicationStatusTag, StageTag, yesNo } from './shared';

type HostedSystem = DataCentre['systems'][number];

function PlanModal({ centre, open, onClose }: { centre: DataCentre; open: boolean; onClose: () => void }) {
  const { t, language } = useI18n();
  const setPlan = useSetPlan();
  const [form] = Form.useForm();
  const open_ = centre.systems.filter((s) => !s.classified && !s.doneOn);
  return (
    <Modal
      open={open}
      width={720}
      title={t('dc.plan.title')}
      confirmLoading={setPlan.isPending}
      onCancel={onClose}
      destroyOnHidden
      onOk={async () => {
        const v = await form.validateFields();
        const items = open_
          .filter((s) => v[`plan-${s.systemId}`] && v[`date-${s.systemId}`])
          .map((s) => ({
            systemId: s.systemId,
            plan: v[`plan-${s.systemId}`],
            targetDate: (v[`date-${s.systemId}`] as dayjs.Dayjs).format('YYYY-MM-DD'),
          }));
        await setPlan.mutateAsync({ id: centre.id, items });
        onClose();
      }}
    >
      <Typography.Paragraph type="secondary">
        <CitedText
          text={t('dc.plan.hint', { deadline: centre.migrationDeadline ?? '', article: centre.deadlineArticle ?? '' })}
        />
      </Typography.Paragraph>
      {setPlan.error ? <Alert type="error" showIcon message={failureText(setPlan.error, language)} /> : null}
      <Form
        form={form}
        name="dc-plan"
        layout="inline"
        initialValues={Object.fromEntries(
          open_.flatMap((s) => [
            [`plan-${s.systemId}`, s.plan ?? 'migrate'],
            [`date-${s.systemId}`, s.targetDate ? dayjs(s.targetDate) : null],
          ]),
        )}
      >
        {open_.map((s) => (
          <Space key={s.systemId} style={{ width: '100%', marginBottom: 12 }}>
            <Typography.Text strong style={{ width: 200, display: 'inline-block' }}>
              {s.systemName}
            </Typography.Text>
            <Form.Item name={`plan-${s.systemId}`}>
              <Radio.Group>
                <Radio value="migrate">{t('dc.plan.migrate')}</Radio>
                <Radio value="shut_down">{t('dc.plan.shut_down')}</Radio>
              </Radio.Group>
            </Form.Item>
            <Form.Item name={`date-${s.systemId}`}>
              <DatePicker
                placeholder={t('dc.plan.targetDate')}
                disabledDate={(d) => !!centre.migrationDeadline && d.format('YYYY-MM-DD') > centre.migrationDeadline}
              />
            </Form.Item>
          </Space>
        ))}
      </Form>
    </Modal>
  );
}

function DoneModal({
  centre,
  system,
  onClose,
}: {
  centre: DataCentre;
  system: HostedSystem | null;
  onClose: () => void;
}) {
  const { t, language } = useI18n();
  const done = useRecordDone();
  const [form] = Form.useForm();
  return (
    <Modal
      open={!!system}
      title={system ? t('dc.done.title', { system: system.systemName }) : ''}
      confirmLoading={done.isPending}
      onCancel={onClose}
      destroyOnHidden
      onOk={async () => {
        if (!system) return;
        const v = await form.validateFields();
        await done.mutateAsync({
          id: centre.id,
          systemId: system.systemId,
          doneOn: (v.doneOn as dayjs.Dayjs).format('YYYY-MM-DD'),
          dataHandling: v.dataHandling || null,
          orderNumbers: (v.orderNumbers ?? '')
            .split(/[,，、\s]+/)
            .map((x: string) => x.trim())
            .filter(Boolean),
        });
        onClose();
      }}
    >
      {done.error ? <Alert type="error" showIcon message={failureText(done.error, language)} /> : null}
      <Form form={form} name="dc-done" layout="vertical" initialValues={{ doneOn: dayjs() }}>
        <Form.Item name="doneOn" label={t('dc.done.on')} rules={[{ required: true }]}>
          <DatePicker />
        </Form.Item>
        {system?.plan === 'shut_down' ? (
          <Form.Item
            name="dataHandling"
            label={t('dc.done.dataHandling')}
            rules={[{ required: true, message: t('dc.required') }]}
          >
            <Input.TextArea rows={3} />
          </Form.Item>
        ) : (
          <Form.Item name="orderNumbers" label={t('dc.done.orders')}>
            <Input />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}

function ClosureModal({ centre, open, onClose }: { centre: DataCentre; open: boolean; onClose: () => void }) {
  const { t, language } = useI18n();
  const close = useCloseDataCentre();
  const upload = useUpload();
  const files = useRoomAttachments(centre.id);
  const [form] = Form.useForm();
  const evidence = (files.data ?? []).filter((f) => f.purpose === 'closure');
  return (
    <Modal
      open={open}
      width={720}
      title={t('dc.closure.title')}
      confirmLoading={close.isPending}
      onCancel={onClose}
      destroyOnHidden
      onOk={async () => {
        const v = await form.validateFields();
        await close.mutateAsync({
          id: centre.id,
          closedOn: (v.closedOn as dayjs.Dayjs).format('YYYY-MM-DD'),
          note: v.note,
          equipment: (v.equipment ?? []).map((e: { kind: string; model: string; quantity: number; note?: string }) => ({
            ...e,
            note: e.note || null,
          })),
        });
        onClose();
      }}
    >
      {close.error ? <Alert type="error" showIcon message={failureText(close.error, language)} /> : null}
      <Typography.Paragraph type="secondary">{t('dc.closure.hint')}</Typography.Paragraph>
      <Space style={{ marginBottom: 16 }}>
        <Upload
          showUploadList={false}
          beforeUpload={async (file) => {
            await upload.mutateAsync({ target: 'room', id: centre.id, body: await fileToUpload(file, 'closure') });
            return false;
          }}
        >
          <Button icon={<UploadOutlined />} loading={upload.isPending}>
            {t('dc.closure.evidence')}
          </Button>
        </Upload>
        {evidence.map((f) => (
          <a key={f.id} href={attachmentUrl(f.id)}>
            {f.fileName}
          </a>
        ))}
      </Space>
      <Form form={form} name="dc-closure" layout="vertical" initialValues={{ closedOn: dayjs(), equipment: [] }}>
        <Form.Item name="closedOn" label={t('dc.closure.on')} rules={[{ required: true }]}>
          <DatePicker />
        </Form.Item>
        <Form.Item name="note" label={t('dc.closure.note')} rules={[{ required: true, message: t('dc.required') }]}>
          <Input.TextArea rows={2} placeholder={t('dc.closure.notePlaceholder')} />
        </Form.Item>
        <Typography.Text strong>{t('dc.closure.equipment')}</Typography.Text>
        <Form.List name="equipment">
          {(fields, { add, remove }) => (
            <>
              {fields.map((f) => (
                <Space key={f.key} align="baseline">
                  <Form.Item name={[f.name, 'kind']} rules={[{ required: true, message: t('dc.required') }]}>
                    <Input placeholder={t('dc.equipment.kind')} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'model']} rules={[{ required: true, message: t('dc.required') }]}>
                    <Input placeholder={t('dc.equipment.model')} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'quantity']} rules={[{ required: true, message: t('dc.required') }]}>
                    <InputNumber min={1} precision={0} placeholder={t('dc.equipment.quantity')} />
                  </Form.Item>
                  <Button type="link" onClick={() => remove(f.name)}>
                    {t('dc.remove')}
                  </Button>
                </Space>
              ))}
              <Button type="dashed" onClick={() => add({ quantity: 1 })} block>
                {t('dc.equipment.add')}
              </Button>
            </>
          )}
        </Form.List>
      </Form>
    </Modal>
  );
}

function ApplyModal({ centre, open, onClose }: { centre: DataCentre; open: boolean; onClose: (id?: string) => void }) {
  const { t, language } = useI18n();
  const create = useCreateApplication();
  const [form] = Form.useForm();
  const path = Form.useWatch('path', form);
  return (
    <Modal
      open={open}
      width={720}
      title={t('dc.apply.title', { name: centre.name })}
      confirmLoading={create.isPending}
      onCancel={() => onClose()}
      destroyOnHidden
      onOk={async () => {
        const v = await form.validateFields();
        const app = await create.mutateAsync({
          id: centre.id,
          path: v.path,
          sensitiveReason: v.path === 'sensitive' ? v.sensitiveReason : null,
          answers: Object.fromEntries(CRITERIA.map((c) => [c, v[c] ?? ''])) as Record<
            (typeof CRITERIA)[number],
            string
          >,
        });
        onClose(app.id);
      }}
    >
      {create.error ? <Alert type="error" showIcon message={failureText(create.error, language)} /> : null}
      <Form form={form} name="dc-apply" layout="vertical" initialValues={{ path: 'standard' }}>
        <Form.Item name="path" label={t('dc.apply.path')}>
          <Radio.Group>
            <Radio value="standard">{t('dc.path.standard')}</Radio>
            <Radio value="sensitive">{t('dc.path.sensitive')}</Radio>
          </Radio.Group>
        </Form.Item>
        {path === 'sensitive' ? (
          <Form.Item
            name="sensitiveReason"
            label={t('dc.apply.sensitiveReason')}
            rules={[{ required: true, message: t('dc.required') }]}
          >
            <Input.TextArea rows={2} />
          </Form.Item>
        ) : null}
        {CRITERIA.map((c) => (
          <Form.Item
            key={c}
            name={c}
            label={t(`dc.criterion.${c}` as MessageKey)}
            rules={[{ required: true, message: t('dc.required') }]}
          >
            <Input.TextArea rows={2} />
          </Form.Item>
        ))}
      </Form>
    </Modal>
  );
}

/** One room: the register's facts, the pre-check against LZ 13, its outcome, its systems and their migration. */
export function CentrePage() {
  const { id } = useParams();
  const { t } = useI18n();
  const navigate = useNavigate();
  const canRegister = useCan('datacentre:register');
  const centre = useDataCentre(id);
  const precheck = usePrecheck(id);
  const applications = useApplications({ dataCentreId: id, limit: 20, offset: 0 });
  const [editing, setEditing] = useState(false);
  const [planning, setPlanning] = useState(false);
  const [closing, setClosing] = useState(false);
  const [applying, setApplying] = useState(false);
  const [doneFor, setDoneFor] = useState<HostedSystem | null>(null);
  if (centre.error) return <ApiErrorAlert error={centre.error} onRetry={() => centre.refetch()} />;
  if (!centre.data) return <PageLoading />;
  const c = centre.data;
  const open = c.stage !== 'closed';
  const canApply =
    canRegister && c.construction === 'self_built' && ['registered', 'retained', 'migrating'].includes(c.stage);
  const inMigration = ['transition', 'retained', 'migrating'].includes(c.stage) && !!c.migrationDeadline;
  return (
    <>
      <PageHeader
        title={c.name}
        description={`${c.organisationName} · ${t(`dc.construction.${c.construction}` as MessageKey)}`}
        extra={
          canRegister && open ? (
            <Space>
              <Button icon={<EditOutlined />} onClick={() => setEditing(true)}>
                {t('dc.edit')}
              </Button>
              {canApply ? (
                <Button type="primary" onClick={() => setApplying(true)}>
                  {t('dc.apply.button')}
                </Button>
              ) : null}
              {inMigration ? <Button onClick={() => setPlanning(true)}>{t('dc.plan.button')}</Button> : null}
              {inMigration ? (
                <Button danger onClick={() => setClosing(true)}>
                  {t('dc.closure.button')}
                </Button>
              ) : null}
            </Space>
          ) : null
        }
      />
      {c.progress.atRisk ? (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          message={t('dc.atRiskTitle')}
          description={c.progress.risks.join('；')}
        />
      ) : null}
      <Card title={t('dc.outcome')} style={{ marginBottom: 16 }}>
        <Descriptions column={3} size="small">
          <Descriptions.Item label={t('dc.col.stage')}>
            <StageTag stage={c.stage} />
          </Descriptions.Item>
          <Descriptions.Item label={t('dc.col.approvedOn')}>{c.approvedOn ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('dc.col.retentionEnds')}>
            {c.retentionEnds ?? '—'} {c.inRetention ? <Tag color="success">{t('dc.inRetention')}</Tag> : null}
          </Descriptions.Item>
          <Descriptions.Item label={t('dc.col.transitionEnds')}>{c.transitionEnds ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('dc.col.deadline')}>
            {c.migrationDeadline ? (
              <CitedText text={`${c.migrationDeadline}（${c.deadlineArticle ?? ''}）`} />
            ) : (
              t('dc.noDeadline')
            )}
          </Descriptions.Item>
          <Descriptions.Item label={t('dc.col.closedOn')}>{c.closedOn ?? '—'}</Descriptions.Item>
        </Descriptions>
      </Card>
      <Card title={t('dc.facts')} style={{ marginBottom: 16 }}>
        <Descriptions column={3} size="small">
          <Descriptions.Item label={t('dc.col.address')}>{c.address}</Descriptions.Item>
          <Descriptions.Item label={t('dc.col.area')}>{c.areaSquareMetres} m²</Descriptions.Item>
          <Descriptions.Item label={t('dc.col.racks')}>{c.racks}</Descriptions.Item>
          <Descriptions.Item label={t('dc.col.class')}>
            {t(`dc.class.${c.gb50174Class}` as MessageKey)}
          </Descriptions.Item>
          <Descriptions.Item label={t('dc.col.extranet')}>{yesNo(t, c.extranetConnected)}</Descriptions.Item>
          <Descriptions.Item label={t('dc.col.ipv6')}>{yesNo(t, c.ipv6)}</Descriptions.Item>
          <Descriptions.Item label={t('dc.col.conformant')}>{yesNo(t, c.cloudPlatformConformant)}</Descriptions.Item>
          <Descriptions.Item label={t('dc.col.interface')}>{yesNo(t, c.cityPlatformInterface)}</Descriptions.Item>
          <Descriptions.Item label={t('dc.col.operators')}>{c.fullTimeOperators}</Descriptions.Item>
          <Descriptions.Item label={t('dc.col.service7x24')}>{yesNo(t, c.service7x24)}</Descriptions.Item>
          <Descriptions.Item label={t('dc.col.mlps')}>
            {c.mlpsLevel > 0 ? t('dc.mlps.level', { level: c.mlpsLevel }) : t('dc.mlps.none')}
          </Descriptions.Item>
          <Descriptions.Item label={t('dc.col.cloudExtension')}>{yesNo(t, c.mlpsCloudExtension)}</Descriptions.Item>
          <Descriptions.Item label={t('dc.col.testReport')}>{c.mlpsTestReport ?? '—'}</Descriptions.Item>
          {c.construction === 'rented' ? (
            <Descriptions.Item label={t('dc.col.leaseEnd')}>
              {c.leaseEnd}
              {c.leaseEnd !== c.leaseEndRegistered
                ? `（${t('dc.leaseRegistered', { day: c.leaseEndRegistered ?? '' })}）`
                : ''}
            </Descriptions.Item>
          ) : null}
        </Descriptions>
      </Card>
      {precheck.data && precheck.data.items.length > 0 && c.construction === 'self_built' ? (
        <Card title={t('dc.precheck.title')} style={{ marginBottom: 16 }}>
          <Typography.Paragraph type="secondary">
            {precheck.data.passed
              ? t('dc.precheck.passed')
              : t('dc.precheck.failed', { n: precheck.data.failed.length })}
          </Typography.Paragraph>
          <List
            size="small"
            dataSource={precheck.data.items}
            renderItem={(i) => (
              <List.Item>
                <Space>
                  {i.passed ? (
                    <CheckCircleTwoTone twoToneColor="#52c41a" />
                  ) : (
                    <CloseCircleTwoTone twoToneColor="#ff4d4f" />
                  )}
                  <span>{i.label}</span>
                  <Typography.Text type="secondary">
                    <CitedText
                      text={t('dc.precheck.line', { required: i.required, actual: i.actual, article: i.article ?? '' })}
                    />
                  </Typography.Text>
                </Space>
              </List.Item>
            )}
          />
        </Card>
      ) : null}
      <Card title={t('dc.systems.title')} style={{ marginBottom: 16 }}>
        <Table<HostedSystem>
          rowKey="systemId"
          size="small"
          pagination={false}
          dataSource={c.systems}
          columns={[
            { key: 'n', title: t('dc.col.system'), dataIndex: 'systemName' },
            {
              key: 'c',
              title: t('dc.classified'),
              render: (_, s) => (s.classified ? <Tag>{t('dc.classified')}</Tag> : null),
            },
            {
              key: 'p',
              title: t('dc.plan.way'),
              render: (_, s) =>
                s.plan ? t(`dc.plan.${s.plan}` as MessageKey) : s.classified ? t('dc.plan.stays') : '—',
            },
            {
              key: 'd',
              title: t('dc.plan.targetDate'),
              render: (_, s) => (
                <Space size={4}>
                  {s.targetDate ?? '—'}
                  {s.late ? <Tag color="error">{t('dc.late')}</Tag> : null}
                </Space>
              ),
            },
            { key: 'done', title: t('dc.done.on'), render: (_, s) => s.doneOn ?? '—' },
            {
              key: 'a',
              title: '',
              render: (_, s) =>
                canRegister && open && s.plan && !s.doneOn ? (
                  <Button size="small" onClick={() => setDoneFor(s)}>
                    {t('dc.done.button')}
                  </Button>
                ) : s.dataHandling ? (
                  <Typography.Text type="secondary">{s.dataHandling}</Typography.Text>
                ) : null,
            },
          ]}
        />
      </Card>
      {c.equipment.length > 0 ? (
        <Card title={t('dc.closure.equipment')} style={{ marginBottom: 16 }}>
          <Typography.Paragraph>{c.closureNote}</Typography.Paragraph>
          <Table
            size="small"
            rowKey={(e) => `${e.kind}-${e.model}`}
            pagination={false}
            dataSource={c.equipment}
            columns={[
              { key: 'k', title: t('dc.equipment.kind'), dataIndex: 'kind' },
              { key: 'm', title: t('dc.equipment.model'), dataIndex: 'model' },
              { key: 'q', title: t('dc.equipment.quantity'), dataIndex: 'quantity', align: 'right' },
            ]}
          />
        </Card>
      ) : null}
      <Card title={t('dc.applications.title')}>
        <List
          size="small"
          dataSource={applications.data?.items ?? []}
          locale={{ emptyText: t('dc.applications.none') }}
          renderItem={(a) => (
            <List.Item>
              <Space>
                <Link to={`/data-centres/applications/${a.id}`}>{t(`dc.path.${a.path}` as MessageKey)}</Link>
                <ApplicationStatusTag status={a.status} />
                <Typography.Text type="secondary">{a.submittedAt ? a.submittedAt.slice(0, 10) : ''}</Typography.Text>
              </Space>
            </List.Item>
          )}
        />
      </Card>
      <CentreFormModal open={editing} centre={c} onClose={() => setEditing(false)} />
      <PlanModal centre={c} open={planning} onClose={() => setPlanning(false)} />
      <ClosureModal centre={c} open={closing} onClose={() => setClosing(false)} />
      <DoneModal centre={c} system={doneFor} onClose={() => setDoneFor(null)} />
      <ApplyModal
        centre={c}
        open={applying}
        onClose={(appId) => {
          setApplying(false);
          if (appId) navigate(`/data-centres/applications/${appId}`);
        }}
      />
    </>
  );
}
