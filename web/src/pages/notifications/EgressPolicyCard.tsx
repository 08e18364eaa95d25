import { App, Button, Card, Form, Select, Typography } from 'antd';
import { useEffect } from 'react';
import { type EgressPolicy, useEgressPolicy, useSetEgressPolicy } from '../../api/hooks/notifications';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { useServerErrors } from '../../components/formErrors';
import { ServerErrorAlert } from '../../components/ServerErrorAlert';
import { useI18n } from '../../i18n';

/** Where the jurisdiction's webhooks may go: allowed hosts, and non-public networks allowed explicitly. */
export function EgressPolicyCard() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<EgressPolicy>();
  const server = useServerErrors(form);
  const policy = useEgressPolicy();
  const save = useSetEgressPolicy();

  useEffect(() => {
    if (policy.data) form.setFieldsValue(policy.data);
  }, [policy.data, form]);

  return (
    <Card title={t('notifications.egress.title')} style={{ marginTop: 16 }} loading={policy.isPending}>
      <Typography.Paragraph type="secondary">{t('notifications.egress.description')}</Typography.Paragraph>
      {policy.isError ? (
        <ApiErrorAlert error={policy.error} onRetry={() => void policy.refetch()} />
      ) : (
        <>
          <ServerErrorAlert server={server} />
          <Form
            form={form}
            layout="vertical"
            name="egress-policy"
            onFinish={(values) => {
              server.clear();
              save.mutate(
                { allowedHosts: values.allowedHosts ?? [], allowedNetworks: values.allowedNetworks ?? [] },
                {
                  onError: server.onError,
                  onSuccess: () => void message.success(t('notifications.egress.saved')),
                },
              );
            }}
          >
            <Form.Item label={t('notifications.egress.hosts')} name="allowedHosts">
              <Select
                mode="tags"
                open={false}
                tokenSeparators={[',', ' ']}
                placeholder="hooks.example.gov.cn, .example.gov.cn"
              />
            </Form.Item>
            <Form.Item label={t('notifications.egress.networks')} name="allowedNetworks">
              <Select mode="tags" open={false} tokenSeparators={[',', ' ']} placeholder="10.20.0.0/16" />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={save.isPending}>
              {t('notifications.egress.save')}
            </Button>
          </Form>
        </>
      )}
    </Card>
  );
}
