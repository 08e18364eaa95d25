import { Button, Checkbox, Form, Input, InputNumber, Modal } from 'antd';
import { useCreateApiToken } from '../../api/hooks/api-tokens';
import { TOKEN_SCOPES } from '../../api/identity';
import type { TokenScope } from '../../api/types';
import { useServerErrors } from '../../components/formErrors';
import { SecretOnce } from '../../components/SecretOnce';
import { ServerErrorAlert } from '../../components/ServerErrorAlert';
import { useI18n } from '../../i18n';

interface Values {
  name: string;
  scopes: TokenScope[];
  expiresInDays: number;
}

const DEFAULT_DAYS = 90;

/** Issues a token for a machine client of the organisation; its secret is shown here, once. */
export function CreateTokenModal({ onClose }: { onClose: () => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<Values>();
  const server = useServerErrors(form);
  const create = useCreateApiToken();

  const onFinish = (values: Values) => {
    server.clear();
    create.mutate({ ...values, name: values.name.trim() }, { onError: server.onError });
  };

  if (create.data) {
    return (
      <Modal
        open
        title={t('tokens.createdTitle', { name: create.data.apiToken.name })}
        onCancel={onClose}
        footer={
          <Button type="primary" onClick={onClose}>
            {t('common.done')}
          </Button>
        }
      >
        <SecretOnce
          label={t('tokens.token')}
          secret={create.data.token}
          hint={t('tokens.tokenHint')}
          testId="api-token-secret"
        />
      </Modal>
    );
  }

  return (
    <Modal
      open
      title={t('tokens.create')}
      okText={t('common.create')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={create.isPending}
    >
      <ServerErrorAlert server={server} />
      <Form
        form={form}
        layout="vertical"
        name="api-token"
        initialValues={{ scopes: ['organisation:read'], expiresInDays: DEFAULT_DAYS }}
        onFinish={onFinish}
      >
        <Form.Item
          label={t('tokens.name')}
          name="name"
          extra={t('tokens.nameHint')}
          rules={[{ required: true, max: 100 }]}
        >
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item
          label={t('tokens.scopes')}
          name="scopes"
          rules={[{ required: true, type: 'array', min: 1, message: t('tokens.scopesRequired') }]}
        >
          <Checkbox.Group options={TOKEN_SCOPES.map((scope) => ({ value: scope, label: t(`scope.${scope}`) }))} />
        </Form.Item>
        <Form.Item
          label={t('tokens.expiresInDays')}
          name="expiresInDays"
          rules={[
            { required: true, type: 'integer', min: 1, max: 365, message: t('policy.range', { min: 1, max: 365 }) },
          ]}
        >
          <InputNumber<number> precision={0} min={1} max={365} suffix={t('policy.unitDays')} style={{ width: 200 }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
