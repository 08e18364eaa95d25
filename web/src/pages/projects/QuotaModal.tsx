import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, DatePicker, Flex, Form, Input, Modal, Select, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useCatalogue } from '../../api/hooks/catalogue';
import { useEvaluations, useOutcomes } from '../../api/hooks/evaluation';
import { useProjectBudget } from '../../api/hooks/it-projects';
import { BASE_DIMENSIONS, type Project, type QuotaInput, useSetQuota } from '../../api/hooks/projects';
import { hasPermission, useSession } from '../../app/session';
import { useServerErrors } from '../../components/formErrors';
import { ServerErrorAlert } from '../../components/ServerErrorAlert';
import { useI18n } from '../../i18n';
import { yuanText } from '../itprojects/labels';
import { DECIMAL_PATTERN, dimensionLabel } from './labels';

type Amounts = Partial<Record<string, string>>;
interface Values {
  base: Amounts;
  items?: { code?: string; quantity?: string }[];
  windows?: { range?: [Dayjs, Dayjs]; quantities?: Amounts }[];
  reason?: string;
}

const clean = (amounts: Amounts | undefined) =>
  Object.fromEntries(
    Object.entries(amounts ?? {})
      .filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1].trim() !== '')
      .map(([k, v]) => [k, v.trim()]),
  );

/** What the project costs this year (planned, settled, forecast): what the authority weighs when setting its quota. */
function ProjectSpending({ projectId }: { projectId: string }) {
  const { t } = useI18n();
  const me = useSession();
  const year = new Date().getFullYear();
  const view = useProjectBudget(year, hasPermission(me, 'settlement:read'));
  if (!view.data) return null;
  const row = view.data.projects.find((p) => p.projectId === projectId);
  if (!row)
    return (
      <Typography.Paragraph data-testid="quota-project-spending">
        {t('projects.quota.noSpending', { year })}
      </Typography.Paragraph>
    );
  return (
    <Typography.Paragraph data-testid="quota-project-spending">
      {t('projects.quota.spending', {
        year,
        planned: row.planned === null ? t('projects.quota.noPlan') : yuanText(row.planned),
        actual: yuanText(row.actual),
        months: row.settledMonths,
        forecast: yuanText(row.forecast),
      })}
    </Typography.Paragraph>
  );
}

/**
 * The allocation advice for the project's unit and the project from the latest published evaluation (issue 17,
 * SH 34, LZ 30(1)): what the evaluation suggests when the authority sets next year's quota.
 */
function AllocationAdvice({ project }: { project: Project }) {
  const { t, language } = useI18n();
  const me = useSession();
  const readable = hasPermission(me, 'evaluation:read');
  const list = useEvaluations(readable);
  const latest = readable
    ? (list.data?.items ?? [])
        .filter((e) => e.status === 'published' && e.publishedAt)
        .sort((a, b) => String(b.publishedAt).localeCompare(String(a.publishedAt)))[0]
    : undefined;
  const outcomes = useOutcomes(latest?.id ?? '', Boolean(latest));
  if (!latest || !outcomes.data?.allocation) return null;
  const unit = outcomes.data.allocation.units.find((u) => u.organisationId === project.organisationId);
  if (!unit) return null;
  const advised = unit.projects.find((p) => p.projectId === project.id);
  const suggested = advised?.suggested
    ? Object.entries(advised.suggested)
        .map(([d, v]) => `${dimensionLabel(d, language)} ${v}`)
        .join('，')
    : null;
  return (
    <Alert
      data-testid="quota-allocation-advice"
      type={unit.action === 'cut' ? 'warning' : 'info'}
      showIcon
      style={{ marginBottom: 12 }}
      message={t('ev.quotaAdvice.title', {
        period: latest.period,
        total: unit.total,
        action: t(`ev.advice.${unit.action}`),
      })}
      description={
        <>
          <div>{unit.reason}</div>
          {suggested && <div>{t('ev.quotaAdvice.suggested', { suggested })}</div>}
        </>
      }
    />
  );
}

/** The economy & IT authority sets a project's quota (SH 18): base per dimension and periodic windows. */
export function QuotaModal({ project, onClose }: { project: Project; onClose: () => void }) {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const server = useServerErrors(form);
  const setQuota = useSetQuota();
  const catalogue = useCatalogue(undefined);
  const decimalRule = { pattern: DECIMAL_PATTERN, message: t('projects.quota.decimal') };

  const base = project.quota.base;
  const initialValues: Values = {
    base: Object.fromEntries(BASE_DIMENSIONS.map((d) => [d, base[d] ?? ''])),
    items: Object.entries(base)
      .filter(([d]) => d.startsWith('item:'))
      .map(([d, quantity]) => ({ code: d.slice(5), quantity })),
    windows: project.quota.windows.map((w) => ({
      range: [dayjs(w.validFrom), dayjs(w.validTo)],
      quantities: w.quantities,
    })),
  };

  const onFinish = (values: Values) => {
    server.clear();
    const body: QuotaInput = {
      base: {
        ...clean(values.base),
        ...Object.fromEntries(
          (values.items ?? [])
            .filter((i) => i.code && i.quantity?.trim())
            .map((i) => [`item:${i.code}`, (i.quantity as string).trim()]),
        ),
      },
      windows: (values.windows ?? [])
        .filter((w) => w.range)
        .map((w) => ({
          validFrom: (w.range as [Dayjs, Dayjs])[0].format('YYYY-MM-DD'),
          validTo: (w.range as [Dayjs, Dayjs])[1].format('YYYY-MM-DD'),
          quantities: clean(w.quantities),
        })),
      reason: values.reason?.trim() || undefined,
    };
    setQuota.mutate(
      { id: project.id, body },
      {
        onSuccess: () => {
          void message.success(t('projects.quota.saved'));
          onClose();
        },
        onError: server.onError,
      },
    );
  };

  const items = catalogue.data?.items ?? [];
  return (
    <Modal
      open
      title={t('projects.quota.title', { name: project.name })}
      okText={t('common.save')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={setQuota.isPending}
      width={720}
    >
      <Typography.Paragraph type="secondary">{t('projects.quota.hint')}</Typography.Paragraph>
      <ProjectSpending projectId={project.id} />
      <AllocationAdvice project={project} />
      <ServerErrorAlert server={server} />
      <Form form={form} layout="vertical" initialValues={initialValues} onFinish={onFinish} name="quota-form">
        <Flex gap={12} wrap>
          {BASE_DIMENSIONS.map((d) => (
            <Form.Item key={d} label={dimensionLabel(d, language)} name={['base', d]} rules={[decimalRule]}>
              <Input style={{ width: 150 }} />
            </Form.Item>
          ))}
        </Flex>
        <Typography.Text strong>{t('projects.quota.items')}</Typography.Text>
        <Form.List name="items">
          {(fields, { add, remove }) => (
            <>
              {fields.map((field) => (
                <Flex key={field.key} gap={8} align="baseline">
                  <Form.Item name={[field.name, 'code']} rules={[{ required: true }]}>
                    <Select
                      style={{ width: 260 }}
                      options={items.map((i) => ({ value: i.code, label: language === 'en-US' ? i.nameEn : i.name }))}
                    />
                  </Form.Item>
                  <Form.Item name={[field.name, 'quantity']} rules={[{ required: true }, decimalRule]}>
                    <Input style={{ width: 120 }} />
                  </Form.Item>
                  <MinusCircleOutlined onClick={() => remove(field.name)} />
                </Flex>
              ))}
              <Button type="dashed" icon={<PlusOutlined />} onClick={() => add()} style={{ marginBottom: 16 }}>
                {t('projects.quota.addItem')}
              </Button>
            </>
          )}
        </Form.List>
        <div>
          <Typography.Text strong>{t('projects.quota.windows')}</Typography.Text>
        </div>
        <Form.List name="windows">
          {(fields, { add, remove }) => (
            <>
              {fields.map((field) => (
                <Card
                  key={field.key}
                  size="small"
                  style={{ marginBottom: 8 }}
                  extra={<MinusCircleOutlined onClick={() => remove(field.name)} />}
                >
                  <Form.Item
                    label={t('projects.quota.window')}
                    name={[field.name, 'range']}
                    rules={[{ required: true }]}
                  >
                    <DatePicker.RangePicker />
                  </Form.Item>
                  <Flex gap={12} wrap>
                    {BASE_DIMENSIONS.map((d) => (
                      <Form.Item
                        key={d}
                        label={dimensionLabel(d, language)}
                        name={[field.name, 'quantities', d]}
                        rules={[decimalRule]}
                      >
                        <Input style={{ width: 130 }} />
                      </Form.Item>
                    ))}
                  </Flex>
                </Card>
              ))}
              <Button type="dashed" icon={<PlusOutlined />} onClick={() => add()} style={{ marginBottom: 16 }}>
                {t('projects.quota.addWindow')}
              </Button>
            </>
          )}
        </Form.List>
        <Form.Item label={t('projects.quota.reason')} name="reason" rules={[{ max: 1000 }]}>
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
