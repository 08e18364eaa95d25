import { ReloadOutlined, SearchOutlined } from '@ant-design/icons';
import { Button, DatePicker, Form, Input, Select, Space } from 'antd';
import type { Dayjs } from 'dayjs';
import type { AuditFilter, AuditOutcome } from '../../api/types';
import { useI18n } from '../../i18n';
import { AUDIT_ACTIONS, actionLabel } from './actions';

const OUTCOMES: readonly AuditOutcome[] = ['success', 'failure', 'denied'];

interface Values {
  range?: [Dayjs | null, Dayjs | null] | null;
  actor?: string;
  action?: string;
  outcome?: AuditOutcome;
  q?: string;
}

const optional = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);

/** Time range, actor, action (a prefix: "auth." is every sign-in event), outcome and a free-text keyword. */
export function AuditFilters({ onApply }: { onApply: (filter: AuditFilter) => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<Values>();

  const apply = (values: Values) =>
    onApply({
      from: values.range?.[0]?.toISOString(),
      to: values.range?.[1]?.toISOString(),
      actor: optional(values.actor),
      action: optional(values.action),
      outcome: values.outcome,
      q: optional(values.q),
    });

  return (
    <Form form={form} layout="inline" onFinish={apply} style={{ rowGap: 12, marginBottom: 16 }} name="audit-filters">
      <Form.Item name="range" label={t('audit.range')}>
        <DatePicker.RangePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" allowEmpty={[true, true]} />
      </Form.Item>
      <Form.Item name="actor" label={t('audit.actor')}>
        <Input allowClear placeholder={t('audit.actorPlaceholder')} style={{ width: 140 }} />
      </Form.Item>
      <Form.Item name="action" label={t('audit.action')}>
        <Select
          allowClear
          placeholder={t('audit.actionPlaceholder')}
          style={{ width: 220 }}
          options={AUDIT_ACTIONS.map((action) => ({ value: action, label: actionLabel(action, t) ?? action }))}
          showSearch={{
            filterOption: (input, option) =>
              String(option?.label ?? '')
                .toLowerCase()
                .includes(input.toLowerCase()),
          }}
        />
      </Form.Item>
      <Form.Item name="outcome" label={t('audit.outcome')}>
        <Select<AuditOutcome>
          allowClear
          style={{ width: 120 }}
          placeholder={t('audit.any')}
          options={OUTCOMES.map((outcome) => ({ value: outcome, label: t(`audit.outcome.${outcome}`) }))}
        />
      </Form.Item>
      <Form.Item name="q" label={t('audit.keyword')}>
        <Input allowClear placeholder={t('audit.keywordPlaceholder')} style={{ width: 200 }} />
      </Form.Item>
      <Form.Item>
        <Space>
          <Button type="primary" htmlType="submit" icon={<SearchOutlined />}>
            {t('audit.search')}
          </Button>
          <Button
            icon={<ReloadOutlined />}
            onClick={() => {
              form.resetFields();
              onApply({});
            }}
          >
            {t('common.reset')}
          </Button>
        </Space>
      </Form.Item>
    </Form>
  );
}
