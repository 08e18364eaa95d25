import { App, Button, Card, Col, Form, InputNumber, Row, Space } from 'antd';
import { useEffect } from 'react';
import { useSecurityPolicy, useUpdateSecurityPolicy } from '../../api/hooks/users';
import type { SecurityPolicy } from '../../api/types';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { useServerErrors } from '../../components/formErrors';
import { PageHeader } from '../../components/PageHeader';
import { PageLoading } from '../../components/PageLoading';
import { ServerErrorAlert } from '../../components/ServerErrorAlert';
import { type MessageKey, useI18n } from '../../i18n';

/** Each setting with the bounds the server enforces (SecurityPolicy schema) and its unit. */
const FIELDS: readonly { name: keyof SecurityPolicy; min: number; max: number; unit: MessageKey }[] = [
  { name: 'passwordMinLength', min: 10, max: 128, unit: 'policy.unitCharacters' },
  { name: 'passwordHistory', min: 5, max: 24, unit: 'policy.unitPasswords' },
  { name: 'lockoutThreshold', min: 3, max: 10, unit: 'policy.unitAttempts' },
  { name: 'lockoutMinutes', min: 1, max: 1440, unit: 'policy.unitMinutes' },
  { name: 'sessionIdleMinutes', min: 1, max: 480, unit: 'policy.unitMinutes' },
  { name: 'auditRetentionDays', min: 180, max: 3650, unit: 'policy.unitDays' },
];

/** Password rules, lockout, idle timeout and audit retention: the security admin's settings. */
export function SecurityPolicyPage() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const policy = useSecurityPolicy();
  const update = useUpdateSecurityPolicy();
  const [form] = Form.useForm<SecurityPolicy>();
  const server = useServerErrors(form);

  useEffect(() => {
    if (policy.data) form.setFieldsValue(policy.data);
  }, [policy.data, form]);

  const onFinish = (values: SecurityPolicy) => {
    server.clear();
    const current = policy.data;
    const changed = Object.fromEntries(
      Object.entries(values).filter(([key, value]) => !current || current[key as keyof SecurityPolicy] !== value),
    );
    if (Object.keys(changed).length === 0) {
      void message.info(t('policy.unchanged'));
      return;
    }
    update.mutate(changed, {
      onSuccess: () => void message.success(t('common.saved')),
      onError: server.onError,
    });
  };

  return (
    <>
      <PageHeader title={t('nav.securityPolicy')} description={t('policy.description')} />
      <Card style={{ maxWidth: 880 }}>
        {policy.isPending && <PageLoading />}
        {policy.isError && <ApiErrorAlert error={policy.error} onRetry={() => void policy.refetch()} />}
        <ServerErrorAlert server={server} />
        <Form
          form={form}
          layout="vertical"
          name="security-policy"
          onFinish={onFinish}
          hidden={!policy.isSuccess}
          data-testid="security-policy-form"
        >
          <Row gutter={24}>
            {FIELDS.map(({ name, min, max, unit }) => (
              <Col key={name} xs={24} md={12}>
                <Form.Item
                  label={t(`policy.${name}`)}
                  name={name}
                  extra={t('policy.range', { min, max })}
                  rules={[{ required: true, type: 'integer', min, max, message: t('policy.range', { min, max }) }]}
                >
                  <InputNumber<number> precision={0} style={{ width: '100%' }} suffix={t(unit)} />
                </Form.Item>
              </Col>
            ))}
          </Row>
          <Space>
            <Button type="primary" htmlType="submit" loading={update.isPending}>
              {t('common.save')}
            </Button>
            <Button onClick={() => policy.data && form.setFieldsValue(policy.data)}>{t('common.reset')}</Button>
          </Space>
        </Form>
      </Card>
    </>
  );
}
