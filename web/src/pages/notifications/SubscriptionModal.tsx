import { Button, Form, Input, Modal, Select, Switch } from 'antd';
import { useCreateSubscription } from '../../api/hooks/notifications';
import { useServerErrors } from '../../components/formErrors';
import { SecretOnce } from '../../components/SecretOnce';
import { ServerErrorAlert } from '../../components/ServerErrorAlert';
import { useI18n } from '../../i18n';

interface Values {
  name: string;
  url: string;
  eventKinds: string[];
  active: boolean;
}

/** Subscribes a URL; the signing secret is shown here, once. */
export function SubscriptionModal({ onClose }: { onClose: () => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<Values>();
  const server = useServerErrors(form);
  const create = useCreateSubscription();

  if (create.data) {
    return (
      <Modal
        open
        title={t('notifications.webhooks.createdTitle', { name: create.data.subscription.name })}
        onCancel={onClose}
        footer={
          <Button type="primary" onClick={onClose}>
            {t('notifications.webhooks.done')}
          </Button>
        }
      >
        <SecretOnce
          label={t('notifications.webhooks.secret')}
          secret={create.data.secret}
          hint={t('notifications.webhooks.secretHint')}
          testId="webhook-secret"
        />
      </Modal>
    );
  }

  return (
    <Modal
      open
      title={t('notifications.webhooks.create')}
      okText={t('common.create')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={create.isPending}
    >
      <ServerErrorAlert server={server} />
      <Form
        form={form}
        layout="vertical"
        name="webhook-subscription"
        initialValues={{ eventKinds: ['*'], active: true }}
        onFinish={(values) => {
          server.clear();
          create.mutate({ ...values, name: values.name.trim(), url: values.url.trim() }, { onError: server.onError });
        }}
      >
        <Form.Item label={t('notifications.webhooks.name')} name="name" rules={[{ required: true, max: 200 }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item
          label={t('notifications.webhooks.url')}
          name="url"
          extra={t('notifications.webhooks.urlHint')}
          rules={[{ required: true, type: 'url' }]}
        >
          <Input autoComplete="off" placeholder="https://hooks.example.gov.cn/yunguan" />
        </Form.Item>
        <Form.Item
          label={t('notifications.webhooks.kinds')}
          name="eventKinds"
          extra={t('notifications.webhooks.kindsHint')}
          rules={[{ required: true, type: 'array', min: 1 }]}
        >
          <Select mode="tags" tokenSeparators={[',', ' ']} open={false} />
        </Form.Item>
        <Form.Item label={t('notifications.webhooks.active')} name="active" valuePropName="checked">
          <Switch />
        </Form.Item>
      </Form>
    </Modal>
  );
}
