import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import {
  App,
  Button,
  Card,
  Flex,
  Form,
  type FormInstance,
  Input,
  InputNumber,
  Radio,
  Select,
  Switch,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { useCatalogue } from '../../api/hooks/catalogue';
import { useResource } from '../../api/hooks/inventory';
import {
  ORDER_TYPES,
  type OrderType,
  type PlaceOrderInput,
  useOrders,
  useOrderTypes,
  usePlaceOrder,
} from '../../api/hooks/orders';
import { useProjects, useSystems } from '../../api/hooks/projects';
import { useRequestForms } from '../../api/hooks/request-forms';
import type { CatalogueItem } from '../../api/types';
import { useCan } from '../../app/session';
import { useServerErrors } from '../../components/formErrors';
import { PageHeader } from '../../components/PageHeader';
import { ServerErrorAlert } from '../../components/ServerErrorAlert';
import { useI18n } from '../../i18n';
import { CostEstimatePanel } from './CostEstimatePanel';

type Source = 'catalogue' | 'requestForm';
interface Values {
  type: OrderType;
  title: string;
  reason?: string;
  projectId?: string;
  systemId?: string;
  termMonths?: number;
  parentOrderId?: string;
  source: Source;
  requestFormId?: string;
  lines?: {
    itemCode?: string;
    quantity?: number;
    specification?: Record<string, unknown>;
    targetResourceId?: string;
  }[];
}

const TERM_TYPES: readonly OrderType[] = ['development', 'emergency', 'temporary', 'extension'];
const PARENT_TYPES: readonly OrderType[] = ['scale_up', 'change', 'reclaim', 'extension'];
/** These take what they act on from the related order: a reclaim its resources, an extension its term. */
const NO_LINE_TYPES: readonly OrderType[] = ['reclaim', 'extension'];

/** A specification field of a catalogue item, as its attribute describes it. */
export function SpecField({ attr, name }: { attr: CatalogueItem['specification'][number]; name: (string | number)[] }) {
  const { language } = useI18n();
  const label = `${language === 'en-US' ? attr.labelEn : attr.label}${attr.unit ? ` (${attr.unit})` : ''}`;
  const rules = [{ required: attr.required }];
  switch (attr.type) {
    case 'integer':
      return (
        <Form.Item label={label} name={name} rules={rules}>
          <InputNumber min={attr.min} max={attr.max} precision={0} style={{ width: 130 }} />
        </Form.Item>
      );
    case 'enum':
      return (
        <Form.Item label={label} name={name} rules={rules}>
          <Select style={{ width: 220 }} options={(attr.options ?? []).map((o) => ({ value: o, label: o }))} />
        </Form.Item>
      );
    case 'boolean':
      return (
        <Form.Item label={label} name={name} valuePropName="checked">
          <Switch />
        </Form.Item>
      );
    default:
      return (
        <Form.Item label={label} name={name} rules={rules}>
          <Input style={{ width: 200 }} />
        </Form.Item>
      );
  }
}

/** One order line: the item, then the fields its specification asks for, and the quantity. */
function LineFields({
  form,
  field,
  items,
  shown,
  onRemove,
}: {
  form: FormInstance<Values>;
  field: { key: number; name: number };
  items: CatalogueItem[];
  /** the items the filter lets through (the line's own item is always offered) */
  shown: CatalogueItem[];
  onRemove: () => void;
}) {
  const { t, language } = useI18n();
  const code = Form.useWatch(['lines', field.name, 'itemCode'], form) as string | undefined;
  const item = items.find((i) => i.code === code);
  const offered = item && !shown.includes(item) ? [item, ...shown] : shown;
  return (
    <Card size="small" style={{ marginBottom: 8 }} extra={<MinusCircleOutlined onClick={onRemove} />}>
      <Flex gap={12} wrap align="flex-start">
        <Form.Item label={t('orders.item')} name={[field.name, 'itemCode']} rules={[{ required: true }]}>
          <Select
            style={{ width: 240 }}
            showSearch={{ optionFilterProp: 'label' }}
            options={offered.map((i) => ({ value: i.code, label: language === 'en-US' ? i.nameEn : i.name }))}
          />
        </Form.Item>
        {item?.specification.map((attr) => (
          <SpecField key={attr.key} attr={attr} name={[field.name, 'specification', attr.key]} />
        ))}
        <Form.Item label={t('orders.quantity')} name={[field.name, 'quantity']} rules={[{ required: true }]}>
          <InputNumber min={1} max={10000} precision={0} style={{ width: 100 }} />
        </Form.Item>
        {/* the resource a scale-up or change is about (opened from its page): kept, or the order names none */}
        <Form.Item name={[field.name, 'targetResourceId']} hidden>
          <Input />
        </Form.Item>
      </Flex>
    </Card>
  );
}

/** An imported request form (LZ annex 3) whose rows become the order's cloud-vm lines. */
function RequestFormSelect() {
  const { t } = useI18n();
  const forms = useRequestForms();
  return (
    <Form.Item label={t('orders.new.requestForm')} name="requestFormId" rules={[{ required: true }]}>
      <Select
        style={{ width: 420 }}
        loading={forms.isPending}
        options={(forms.data?.items ?? []).map((f) => ({
          value: f.id,
          label: `${f.title} · ${f.totals.rows} VM / ${f.totals.vcpu} vCPU`,
        }))}
      />
    </Form.Item>
  );
}

/** Where the lines come from: picked from the catalogue in force, or the rows of an imported request form. */
function LinesSection({
  canForms,
  source,
  form,
  items,
}: {
  canForms: boolean;
  source: Source | undefined;
  form: FormInstance<Values>;
  items: CatalogueItem[];
}) {
  const { t } = useI18n();
  const [layer, setLayer] = useState<string>('all');
  const [text, setText] = useState('');
  const lines = Form.useWatch('lines', form);
  const needle = text.trim().toLowerCase();
  const shown = items.filter(
    (i) =>
      (layer === 'all' || i.layer === layer) &&
      (!needle || [i.name, i.nameEn, i.category, i.description ?? ''].some((x) => x.toLowerCase().includes(needle))),
  );
  return (
    <>
      <Form.Item label={t('orders.new.source')} name="source">
        <Radio.Group
          options={[
            { value: 'catalogue', label: t('orders.new.fromCatalogue') },
            { value: 'requestForm', label: t('orders.new.fromRequestForm'), disabled: !canForms },
          ]}
        />
      </Form.Item>
      {source === 'requestForm' && canForms ? (
        <RequestFormSelect />
      ) : (
        <>
          <Flex gap={12} wrap align="center" style={{ marginBottom: 8 }}>
            <Typography.Text strong>{t('orders.lines')}</Typography.Text>
            <Select
              aria-label={t('catalogue.layer')}
              style={{ width: 140 }}
              value={layer}
              onChange={setLayer}
              options={[
                { value: 'all', label: t('catalogue.allLayers') },
                ...['IaaS', 'PaaS', 'SaaS'].map((l) => ({ value: l, label: l })),
              ]}
            />
            <Input.Search
              aria-label={t('orders.new.filterItems')}
              placeholder={t('orders.new.filterItems')}
              allowClear
              style={{ width: 260 }}
              value={text}
              onChange={(e) => setText(e.target.value)}
            />
            <Typography.Text type="secondary" data-testid="catalogue-shown">
              {t('orders.new.itemsShown', { shown: shown.length, total: items.length })}
            </Typography.Text>
          </Flex>
          <Form.List name="lines">
            {(fields, { add, remove }) => (
              <>
                {fields.map((field) => (
                  <LineFields
                    key={field.key}
                    form={form}
                    field={field}
                    items={items}
                    shown={shown}
                    onRemove={() => remove(field.name)}
                  />
                ))}
                <Button
                  type="dashed"
                  icon={<PlusOutlined />}
                  onClick={() => add({ quantity: 1 })}
                  style={{ marginBottom: 16 }}
                >
                  {t('orders.new.addLine')}
                </Button>
              </>
            )}
          </Form.List>
          <CostEstimatePanel lines={lines} />
        </>
      )}
    </>
  );
}

/** A new order: type, project and system, then lines from the catalogue in force or an imported request form. */
export function NewOrderPage() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [form] = Form.useForm<Values>();
  const server = useServerErrors(form);
  const place = usePlaceOrder();
  const canForms = useCan('request-form:manage');
  const projects = useProjects({ status: 'approved' });
  const systems = useSystems();
  const catalogue = useCatalogue(undefined);
  const parents = useOrders({});
  // only the order types the unit's policy pack provides (issue 16): a disabled type is not offered at all
  const offered = useOrderTypes();
  const provided = ORDER_TYPES.filter((value) => offered.data?.some((o) => o.type === value && o.enabled));
  const type = Form.useWatch('type', form);
  const source = Form.useWatch('source', form);
  const items = catalogue.data?.items ?? [];

  // Opened from a resource's page (issue 16): a scale-up, extension or reclaim of that resource, prefilled
  // with the order that delivered it, its project and system, and (scale-up) its current specification.
  const [params] = useSearchParams();
  const fromResource = useResource(params.get('resource') ?? undefined);
  const resource = fromResource.data;
  useEffect(() => {
    const kind = params.get('type') as OrderType | null;
    if (!resource || !kind || !ORDER_TYPES.includes(kind)) return;
    const titles = { scale_up: 'scaleUpTitle', extension: 'extendTitle', reclaim: 'reclaimTitle' } as const;
    const titleKey = titles[kind as keyof typeof titles];
    form.setFieldsValue({
      type: kind,
      title: titleKey ? t(`resource.actions.${titleKey}`, { name: resource.name }) : undefined,
      parentOrderId: params.get('parent') || undefined,
      projectId: resource.projectId ?? undefined,
      systemId: resource.systemId ?? undefined,
      lines:
        kind === 'scale_up' || kind === 'change'
          ? [
              {
                itemCode: resource.catalogueItemCode,
                quantity: 1,
                specification: resource.specification,
                targetResourceId: resource.id,
              },
            ]
          : undefined,
    });
  }, [resource, params, form, t]);

  const onFinish = (values: Values) => {
    server.clear();
    const body: PlaceOrderInput = {
      type: values.type,
      title: values.title.trim(),
      reason: values.reason?.trim() || undefined,
      projectId: values.projectId || undefined,
      systemId: values.systemId || undefined,
      termMonths: TERM_TYPES.includes(values.type) ? values.termMonths : undefined,
      parentOrderId: PARENT_TYPES.includes(values.type) ? values.parentOrderId || undefined : undefined,
    };
    if (NO_LINE_TYPES.includes(values.type)) {
      // nothing more: the server reads the lines from the related order
    } else if (values.source === 'requestForm') body.requestFormId = values.requestFormId;
    else {
      body.lines = (values.lines ?? []).map((l) => ({
        itemCode: l.itemCode ?? '',
        quantity: l.quantity ?? 1,
        targetResourceId: l.targetResourceId || undefined,
        specification: Object.fromEntries(
          Object.entries({
            // a resource's values the form has no field for (its network zone, server type) stay as they are
            ...(l.targetResourceId && l.targetResourceId === resource?.id ? resource.specification : {}),
            ...l.specification,
          }).filter(([, v]) => v !== undefined && v !== null && v !== ''),
        ),
      }));
    }
    place.mutate(body, {
      onSuccess: (order) => {
        void message.success(t('orders.placed', { number: order.number }));
        void navigate(`/orders/${order.id}`);
      },
      onError: server.onError,
    });
  };

  return (
    <>
      <PageHeader title={t('orders.nav.new')} description={t('orders.new.description')} />
      <Card>
        <ServerErrorAlert server={server} />
        <Form
          form={form}
          layout="vertical"
          name="order-new"
          initialValues={{ type: 'new_resources', source: 'catalogue', lines: [{ quantity: 1 }] }}
          onFinish={onFinish}
          style={{ maxWidth: 1000 }}
        >
          <Flex gap={16} wrap>
            <Form.Item label={t('orders.type')} name="type" rules={[{ required: true }]}>
              <Select
                style={{ width: 220 }}
                loading={offered.isPending}
                options={provided.map((value) => ({ value, label: t(`orders.types.${value}`) }))}
              />
            </Form.Item>
            <Form.Item label={t('orders.title')} name="title" rules={[{ required: true, max: 200 }]}>
              <Input style={{ width: 400 }} />
            </Form.Item>
          </Flex>
          <Flex gap={16} wrap>
            <Form.Item label={t('orders.project')} name="projectId" extra={t('orders.new.projectHint')}>
              <Select
                allowClear
                style={{ width: 360 }}
                loading={projects.isPending}
                options={(projects.data?.items ?? []).map((p) => ({
                  value: p.id,
                  label: `${p.name}（${p.approvalNo}）`,
                }))}
              />
            </Form.Item>
            <Form.Item label={t('orders.system')} name="systemId">
              <Select
                allowClear
                style={{ width: 300 }}
                loading={systems.isPending}
                options={(systems.data?.items ?? []).map((s) => ({
                  value: s.id,
                  label: s.name,
                  disabled: !s.cloudEligible,
                }))}
              />
            </Form.Item>
            {type && TERM_TYPES.includes(type) && (
              <Form.Item label={t('orders.term')} name="termMonths" rules={[{ required: true }]}>
                <InputNumber min={1} max={120} addonAfter={t('orders.monthsUnit')} />
              </Form.Item>
            )}
            {type && PARENT_TYPES.includes(type) && (
              <Form.Item label={t('orders.parent')} name="parentOrderId" rules={[{ required: true }]}>
                <Select
                  style={{ width: 320 }}
                  showSearch={{ optionFilterProp: 'label' }}
                  options={(parents.data?.items ?? [])
                    .filter((o) => o.status === 'completed')
                    .map((o) => ({ value: o.id, label: `${o.number} ${o.title}` }))}
                />
              </Form.Item>
            )}
          </Flex>
          <Form.Item label={t('orders.reason')} name="reason" rules={[{ max: 2000 }]}>
            <Input.TextArea rows={2} />
          </Form.Item>
          {type && NO_LINE_TYPES.includes(type) ? (
            <Typography.Paragraph type="secondary">{t('orders.new.fromParent')}</Typography.Paragraph>
          ) : (
            <LinesSection canForms={canForms} source={source} form={form} items={items} />
          )}
          <Flex gap={8}>
            <Button type="primary" htmlType="submit" loading={place.isPending}>
              {t('orders.new.submit')}
            </Button>
            <Button onClick={() => void navigate('/orders')}>{t('common.cancel')}</Button>
          </Flex>
        </Form>
      </Card>
    </>
  );
}
