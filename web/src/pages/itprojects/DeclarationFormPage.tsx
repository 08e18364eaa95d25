import { DownloadOutlined, MinusCircleOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons';
import {
  App,
  Button,
  Card,
  Flex,
  Form,
  type FormInstance,
  Input,
  InputNumber,
  Select,
  Space,
  Switch,
  Typography,
  Upload,
} from 'antd';
import { useNavigate } from 'react-router';
import { useCatalogue } from '../../api/hooks/catalogue';
import {
  DECLARATION_TEMPLATE_URL,
  type NewDeclaration,
  useCreateDeclaration,
  useDeclarations,
  useImportDeclaration,
  useRounds,
} from '../../api/hooks/it-projects';
import { useProjects } from '../../api/hooks/projects';
import type { CatalogueItem } from '../../api/types';
import { useServerErrors } from '../../components/formErrors';
import { PageHeader } from '../../components/PageHeader';
import { ServerErrorAlert } from '../../components/ServerErrorAlert';
import { useI18n } from '../../i18n';
import { SpecField } from '../orders/NewOrderPage';

// The declaration form (信息化及智慧城市建设项目申报表, JQ-proj annex 1; NB 17) as the unit fills it in: the
// project, its round or the urgent path (JQ-proj 8), the feasibility summary, investment estimate and funding,
// the cloud deployment plan per environment (priced by the server from the catalogue in force) and the
// data-sharing plan. Or the same form filled in Excel and imported.

interface Values {
  projectId?: string;
  roundId?: string;
  urgent: boolean;
  urgentReason?: string;
  feasibilitySummary: string;
  investment: string;
  fundingSource: string;
  deploymentPlan: {
    environment?: string;
    itemCode?: string;
    count?: number;
    specification?: Record<string, unknown>;
  }[];
  dataSharingPlan: { direction?: 'provides' | 'uses'; name?: string; description?: string }[];
}

const ENVIRONMENTS = ['production', 'test', 'development'] as const;

function PlanLine({
  form,
  field,
  items,
  onRemove,
}: {
  form: FormInstance<Values>;
  field: { key: number; name: number };
  items: CatalogueItem[];
  onRemove: () => void;
}) {
  const { t, language } = useI18n();
  const code = Form.useWatch(['deploymentPlan', field.name, 'itemCode'], form) as string | undefined;
  const item = items.find((i) => i.code === code);
  return (
    <Card
      size="small"
      style={{ marginBottom: 8 }}
      extra={
        <Button type="text" icon={<MinusCircleOutlined />} aria-label={t('itp.form.removeLine')} onClick={onRemove} />
      }
    >
      <Flex gap={12} wrap align="flex-start">
        <Form.Item label={t('itp.form.environment')} name={[field.name, 'environment']} rules={[{ required: true }]}>
          <Select
            style={{ width: 120 }}
            options={ENVIRONMENTS.map((value) => ({ value, label: t(`itp.env.${value}`) }))}
          />
        </Form.Item>
        <Form.Item label={t('itp.form.item')} name={[field.name, 'itemCode']} rules={[{ required: true }]}>
          <Select
            style={{ width: 220 }}
            showSearch={{ optionFilterProp: 'label' }}
            options={items.map((i) => ({ value: i.code, label: language === 'en-US' ? i.nameEn : i.name }))}
          />
        </Form.Item>
        {item?.specification.map((attr) => (
          <SpecField key={attr.key} attr={attr} name={[field.name, 'specification', attr.key]} />
        ))}
        <Form.Item label={t('itp.form.count')} name={[field.name, 'count']} rules={[{ required: true }]}>
          <InputNumber min={1} max={10000} precision={0} style={{ width: 100 }} />
        </Form.Item>
      </Flex>
    </Card>
  );
}

/** The Excel path: the blank form, and a filled-in one imported as a draft for the chosen project and round. */
function ExcelImport({ form }: { form: FormInstance<Values> }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const server = useServerErrors(form);
  const importForm = useImportDeclaration();
  const projectId = Form.useWatch('projectId', form);
  const roundId = Form.useWatch('roundId', form);
  const urgent = Form.useWatch('urgent', form);
  return (
    <Card size="small" title={t('itp.form.excel')} style={{ marginBottom: 16 }}>
      <ServerErrorAlert server={server} />
      <Space wrap>
        <Button icon={<DownloadOutlined />} href={DECLARATION_TEMPLATE_URL}>
          {t('itp.decl.template')}
        </Button>
        <Upload
          accept=".xlsx"
          showUploadList={false}
          disabled={!projectId}
          beforeUpload={(file) => {
            server.clear();
            importForm.mutate(
              { file, projectId: projectId ?? '', roundId: urgent ? undefined : roundId },
              {
                onSuccess: (d) => {
                  void message.success(t('itp.form.imported', { name: d.projectName }));
                  void navigate(`/it-projects/projects/${d.projectId}`);
                },
                onError: server.onError,
              },
            );
            return false;
          }}
        >
          <Button icon={<UploadOutlined />} disabled={!projectId} loading={importForm.isPending}>
            {t('itp.form.import')}
          </Button>
        </Upload>
        <Typography.Text type="secondary">{t('itp.form.importHint')}</Typography.Text>
      </Space>
    </Card>
  );
}

export function DeclarationFormPage() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [form] = Form.useForm<Values>();
  const server = useServerErrors(form);
  const create = useCreateDeclaration();
  const projects = useProjects({ status: 'declared' });
  const declarations = useDeclarations({});
  const rounds = useRounds();
  const catalogue = useCatalogue(undefined);
  const urgent = Form.useWatch('urgent', form);
  const declared = new Set((declarations.data?.items ?? []).map((d) => d.projectId));
  const open = (rounds.data?.items ?? []).filter((r) => r.status === 'open');

  const onFinish = (v: Values) => {
    server.clear();
    const body: NewDeclaration = {
      projectId: v.projectId ?? '',
      roundId: v.urgent ? null : (v.roundId ?? null),
      urgent: v.urgent,
      urgentReason: v.urgent ? (v.urgentReason ?? '') : null,
      feasibilitySummary: v.feasibilitySummary,
      investment: String(v.investment),
      fundingSource: v.fundingSource,
      deploymentPlan: (v.deploymentPlan ?? []).map((l) => ({
        environment: l.environment as (typeof ENVIRONMENTS)[number],
        itemCode: l.itemCode ?? '',
        count: l.count ?? 1,
        specification: Object.fromEntries(
          Object.entries(l.specification ?? {}).filter(([, x]) => x !== undefined && x !== null && x !== ''),
        ) as Record<string, string | number>,
      })),
      dataSharingPlan: (v.dataSharingPlan ?? []).map((l) => ({
        direction: l.direction ?? 'provides',
        name: l.name ?? '',
        description: l.description ?? '',
      })),
    };
    create.mutate(body, {
      onSuccess: (d) => {
        void message.success(t('itp.form.saved', { name: d.projectName }));
        void navigate(`/it-projects/projects/${d.projectId}`);
      },
      onError: server.onError,
    });
  };

  return (
    <>
      <PageHeader title={t('itp.form.title')} description={t('itp.form.description')} />
      <Form
        form={form}
        layout="vertical"
        name="it-declaration"
        onFinish={onFinish}
        initialValues={{
          urgent: false,
          deploymentPlan: [{ environment: 'production', count: 1 }],
          dataSharingPlan: [{ direction: 'provides' }],
        }}
        style={{ maxWidth: 1100 }}
      >
        <Card title={t('itp.form.section.project')} style={{ marginBottom: 16 }}>
          <ServerErrorAlert server={server} />
          <Flex gap={16} wrap>
            <Form.Item label={t('itp.col.project')} name="projectId" rules={[{ required: true }]}>
              <Select
                style={{ width: 360 }}
                loading={projects.isPending}
                options={(projects.data?.items ?? [])
                  .filter((p) => !declared.has(p.id))
                  .map((p) => ({ value: p.id, label: t('itp.form.projectOption', { name: p.name, year: p.year }) }))}
              />
            </Form.Item>
            <Form.Item label={t('itp.decl.urgent')} name="urgent" valuePropName="checked">
              <Switch checkedChildren={t('itp.review.yes')} unCheckedChildren={t('itp.review.no')} />
            </Form.Item>
            {!urgent && (
              <Form.Item label={t('itp.form.round')} name="roundId" rules={[{ required: true }]}>
                <Select
                  style={{ width: 300 }}
                  notFoundContent={t('itp.form.noOpenRound')}
                  options={open.map((r) => ({
                    value: r.id,
                    label: t('itp.form.roundOption', { year: r.planYear, deadline: r.deadline }),
                  }))}
                />
              </Form.Item>
            )}
          </Flex>
          {urgent && (
            <Form.Item label={t('itp.form.urgentReason')} name="urgentReason" rules={[{ required: true, max: 2000 }]}>
              <Input.TextArea rows={2} />
            </Form.Item>
          )}
          <Form.Item
            label={t('itp.form.feasibility')}
            name="feasibilitySummary"
            rules={[{ required: true, max: 5000 }]}
          >
            <Input.TextArea rows={4} />
          </Form.Item>
          <Flex gap={16} wrap>
            <Form.Item label={t('itp.form.investment')} name="investment" rules={[{ required: true }]}>
              <InputNumber min="0" precision={2} stringMode style={{ width: 220 }} />
            </Form.Item>
            <Form.Item label={t('itp.form.funding')} name="fundingSource" rules={[{ required: true, max: 1000 }]}>
              <Input style={{ width: 420 }} />
            </Form.Item>
          </Flex>
        </Card>
        <ExcelImport form={form} />
        <Card title={t('itp.form.section.plan')} style={{ marginBottom: 16 }}>
          <Typography.Paragraph type="secondary">{t('itp.form.planHint')}</Typography.Paragraph>
          <Form.List name="deploymentPlan">
            {(fields, { add, remove }) => (
              <>
                {fields.map((field) => (
                  <PlanLine
                    key={field.key}
                    form={form}
                    field={field}
                    items={catalogue.data?.items ?? []}
                    onRemove={() => remove(field.name)}
                  />
                ))}
                <Button icon={<PlusOutlined />} onClick={() => add({ environment: 'production', count: 1 })}>
                  {t('itp.form.addLine')}
                </Button>
              </>
            )}
          </Form.List>
        </Card>
        <Card title={t('itp.form.section.sharing')} style={{ marginBottom: 16 }}>
          <Form.List name="dataSharingPlan">
            {(fields, { add, remove }) => (
              <>
                {fields.map((field) => (
                  <Flex key={field.key} gap={12} wrap align="flex-start">
                    <Form.Item
                      label={t('itp.form.direction')}
                      name={[field.name, 'direction']}
                      rules={[{ required: true }]}
                    >
                      <Select
                        style={{ width: 120 }}
                        options={[
                          { value: 'provides', label: t('itp.sharing.provides') },
                          { value: 'uses', label: t('itp.sharing.uses') },
                        ]}
                      />
                    </Form.Item>
                    <Form.Item
                      label={t('itp.form.dataName')}
                      name={[field.name, 'name']}
                      rules={[{ required: true, max: 200 }]}
                    >
                      <Input style={{ width: 240 }} />
                    </Form.Item>
                    <Form.Item label={t('itp.form.dataDescription')} name={[field.name, 'description']}>
                      <Input style={{ width: 360 }} />
                    </Form.Item>
                    <Form.Item label=" ">
                      <Button
                        type="text"
                        icon={<MinusCircleOutlined />}
                        aria-label={t('itp.form.removeLine')}
                        onClick={() => remove(field.name)}
                      />
                    </Form.Item>
                  </Flex>
                ))}
                <Button icon={<PlusOutlined />} onClick={() => add({ direction: 'uses' })}>
                  {t('itp.form.addSharing')}
                </Button>
              </>
            )}
          </Form.List>
        </Card>
        <Button type="primary" htmlType="submit" loading={create.isPending}>
          {t('itp.form.save')}
        </Button>
      </Form>
    </>
  );
}
