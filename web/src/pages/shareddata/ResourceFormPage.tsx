import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Form, Input, InputNumber, Radio, Select, Space, Typography } from 'antd';
import { useNavigate, useParams } from 'react-router';
import { useSystems } from '../../api/hooks/projects';
import { type ResourceInput, useResource, useSaveResource } from '../../api/hooks/shared-data';
import { useSession } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { showFieldErrors } from '../../components/formErrors';
import { PageHeader } from '../../components/PageHeader';
import { PageLoading } from '../../components/PageLoading';
import { type MessageKey, useI18n } from '../../i18n';
import { failureText } from './shared';

const SCHEDULES = ['realtime', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly', 'irregular'] as const;
const FIELD_TYPES = ['string', 'integer', 'decimal', 'date', 'datetime', 'boolean'] as const;
const SENSITIVITIES = ['public', 'internal', 'sensitive'] as const;

const EMPTY: Partial<ResourceInput> = {
  fields: [{ name: '', meaning: '', type: 'string', sensitivity: 'internal' }],
  format: 'json',
  updateSchedule: 'daily',
  sharingType: 'conditional',
  delivery: 'api',
  sharingCondition: null,
  notSharedReason: null,
  endpointUrl: null,
  defaultRateLimitPerMinute: null,
};

/** Registers a data resource, or edits the version being prepared (or starts the next one). */
export function ResourceFormPage() {
  const { id } = useParams();
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const me = useSession();
  const existing = useResource(id);
  const systems = (useSystems().data?.items ?? []).filter((s) => s.organisationId === me.organisation.id);
  const save = useSaveResource();
  const [form] = Form.useForm<ResourceInput>();
  const sharingType = Form.useWatch('sharingType', form);
  if (id && existing.isLoading) return <PageLoading />;
  if (id && existing.error) return <ApiErrorAlert error={existing.error} />;
  const current = existing.data?.open ?? existing.data?.published;
  const initial: Partial<ResourceInput> = current
    ? {
        name: current.name,
        description: current.description,
        fields: current.fields,
        format: current.format,
        updateSchedule: current.updateSchedule,
        sharingType: current.sharingType,
        sharingCondition: current.sharingCondition,
        notSharedReason: current.notSharedReason,
        scope: current.scope,
        systemId: current.systemId,
        delivery: current.delivery,
        endpointUrl: current.endpointUrl,
        defaultRateLimitPerMinute: current.defaultRateLimitPerMinute,
      }
    : EMPTY;
  const submit = (values: ResourceInput) =>
    save.mutate(
      {
        id,
        body: {
          ...values,
          sharingCondition: values.sharingCondition || null,
          notSharedReason: values.notSharedReason || null,
          endpointUrl: values.endpointUrl || null,
          defaultRateLimitPerMinute: values.defaultRateLimitPerMinute ?? null,
        },
      },
      {
        onSuccess: (saved) => {
          message.success(t('sd.form.saved'));
          navigate(`/shared-data/resources/${saved.id}`);
        },
        onError: (err) => {
          if (!showFieldErrors(form, err, language)) message.error(failureText(err, language));
        },
      },
    );
  return (
    <>
      <PageHeader title={current ? t('sd.form.editTitle', { name: current.name }) : t('sd.form.newTitle')} />
      <Form<ResourceInput>
        form={form}
        layout="vertical"
        initialValues={initial}
        onFinish={submit}
        style={{ maxWidth: 960 }}
      >
        <Card title={t('sd.form.basics')} style={{ marginBottom: 16 }}>
          <Form.Item name="name" label={t('sd.col.name')} rules={[{ required: true, max: 200 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="description" label={t('sd.col.description')} rules={[{ required: true, max: 2000 }]}>
            <Input.TextArea rows={2} />
          </Form.Item>
          <Space wrap size="large">
            <Form.Item name="systemId" label={t('sd.col.system')} rules={[{ required: true }]}>
              <Select style={{ width: 260 }} options={systems.map((s) => ({ value: s.id, label: s.name }))} />
            </Form.Item>
            <Form.Item name="updateSchedule" label={t('sd.col.schedule')} rules={[{ required: true }]}>
              <Select
                style={{ width: 160 }}
                options={SCHEDULES.map((s) => ({ value: s, label: t(`sd.schedule.${s}`) }))}
              />
            </Form.Item>
          </Space>
          <Form.Item name="scope" label={t('sd.col.scope')} rules={[{ required: true, max: 500 }]}>
            <Input />
          </Form.Item>
        </Card>
        <Card title={t('sd.entry.fields')} style={{ marginBottom: 16 }}>
          <Typography.Paragraph type="secondary">{t('sd.form.fieldsHelp')}</Typography.Paragraph>
          <Form.List name="fields">
            {(items, { add, remove }) => (
              <>
                {items.map((item) => (
                  <Space key={item.key} align="baseline" wrap>
                    <Form.Item name={[item.name, 'meaning']} rules={[{ required: true, max: 200 }]}>
                      <Input
                        placeholder={t('sd.entry.field.meaning')}
                        aria-label={t('sd.entry.field.meaning')}
                        style={{ width: 200 }}
                      />
                    </Form.Item>
                    <Form.Item name={[item.name, 'name']} rules={[{ required: true, max: 64 }]}>
                      <Input
                        placeholder={t('sd.entry.field.name')}
                        aria-label={t('sd.entry.field.name')}
                        style={{ width: 180 }}
                      />
                    </Form.Item>
                    <Form.Item name={[item.name, 'type']}>
                      <Select
                        aria-label={t('sd.entry.field.type')}
                        style={{ width: 120 }}
                        options={FIELD_TYPES.map((x) => ({ value: x, label: t(`sd.fieldType.${x}`) }))}
                      />
                    </Form.Item>
                    <Form.Item name={[item.name, 'sensitivity']}>
                      <Select
                        aria-label={t('sd.entry.field.sensitivity')}
                        style={{ width: 100 }}
                        options={SENSITIVITIES.map((x) => ({ value: x, label: t(`sd.sensitivity.${x}`) }))}
                      />
                    </Form.Item>
                    {items.length > 1 ? (
                      <Button
                        type="text"
                        icon={<MinusCircleOutlined />}
                        aria-label={t('sd.form.remove')}
                        onClick={() => remove(item.name)}
                      />
                    ) : null}
                  </Space>
                ))}
                <div>
                  <Button
                    type="dashed"
                    icon={<PlusOutlined />}
                    onClick={() => add({ name: '', meaning: '', type: 'string', sensitivity: 'internal' })}
                  >
                    {t('sd.form.addField')}
                  </Button>
                </div>
              </>
            )}
          </Form.List>
        </Card>
        <Card title={t('sd.form.sharing')} style={{ marginBottom: 16 }}>
          <Form.Item name="sharingType" label={t('sd.col.sharingType')} rules={[{ required: true }]}>
            <Radio.Group
              options={(['unconditional', 'conditional', 'not_shared'] as const).map((s) => ({
                value: s,
                label: t(`sd.sharing.${s}` as MessageKey),
              }))}
            />
          </Form.Item>
          {sharingType === 'conditional' ? (
            <Form.Item name="sharingCondition" label={t('sd.col.condition')} rules={[{ required: true, max: 1000 }]}>
              <Input.TextArea rows={2} />
            </Form.Item>
          ) : null}
          {sharingType === 'not_shared' ? (
            <Form.Item
              name="notSharedReason"
              label={t('sd.col.notSharedReason')}
              rules={[{ required: true, max: 1000 }]}
            >
              <Input.TextArea rows={2} />
            </Form.Item>
          ) : null}
          <Space wrap size="large">
            <Form.Item name="delivery" label={t('sd.col.delivery')}>
              <Radio.Group
                options={(['api', 'file'] as const).map((d) => ({
                  value: d,
                  label: t(`sd.delivery.${d}` as MessageKey),
                }))}
              />
            </Form.Item>
            <Form.Item name="format" label={t('sd.col.format')}>
              <Radio.Group
                options={(['json', 'csv'] as const).map((f) => ({
                  value: f,
                  label: t(`sd.format.${f}` as MessageKey),
                }))}
              />
            </Form.Item>
            <Form.Item name="defaultRateLimitPerMinute" label={t('sd.col.rate')} extra={t('sd.form.rateHelp')}>
              <InputNumber min={1} max={100000} addonAfter={t('sd.perMinute', { n: '' }).trim()} />
            </Form.Item>
          </Space>
          {sharingType !== 'not_shared' ? (
            <Form.Item
              name="endpointUrl"
              label={t('sd.col.endpoint')}
              extra={t('sd.form.endpointHelp')}
              rules={[{ required: true }]}
            >
              <Input placeholder="https://" />
            </Form.Item>
          ) : null}
        </Card>
        <Button type="primary" htmlType="submit" loading={save.isPending}>
          {t('sd.form.save')}
        </Button>
      </Form>
    </>
  );
}
