import { App, Form, Input, Modal, Switch } from 'antd';
import { isDeferred, useUpdateUser } from '../../api/hooks/users';
import type { User } from '../../api/types';
import { useServerErrors } from '../../components/formErrors';
import { ServerErrorAlert } from '../../components/ServerErrorAlert';
import { useI18n } from '../../i18n';

interface Values {
  displayName: string;
  email?: string;
  mobile?: string;
  disabled: boolean;
}

const orNull = (value: string | undefined) => (value?.trim() ? value.trim() : null);

/** Name, contact details, and whether the account may sign in at all. */
export function EditUserModal({ user, onClose }: { user: User; onClose: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const server = useServerErrors(form);
  const update = useUpdateUser(user.id);

  const onFinish = (values: Values) => {
    server.clear();
    update.mutate(
      {
        displayName: values.displayName.trim(),
        email: orNull(values.email),
        mobile: orNull(values.mobile),
        disabled: values.disabled,
      },
      {
        onSuccess: (result) => {
          void message.success(isDeferred(result) ? t('users.approvalRequested') : t('common.saved'));
          onClose();
        },
        onError: server.onError,
      },
    );
  };

  return (
    <Modal
      open
      title={t('users.edit')}
      okText={t('common.save')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={update.isPending}
    >
      <ServerErrorAlert server={server} />
      <Form
        form={form}
        layout="vertical"
        name="user-edit"
        initialValues={{
          displayName: user.displayName,
          email: user.email ?? undefined,
          mobile: user.mobile ?? undefined,
          disabled: user.disabled,
        }}
        onFinish={onFinish}
      >
        <Form.Item label={t('users.displayName')} name="displayName" rules={[{ required: true, max: 100 }]}>
          <Input />
        </Form.Item>
        <Form.Item label={t('users.email')} name="email" rules={[{ max: 200 }]}>
          <Input />
        </Form.Item>
        <Form.Item label={t('users.mobile')} name="mobile">
          <Input />
        </Form.Item>
        <Form.Item
          label={t('users.disabledLabel')}
          name="disabled"
          valuePropName="checked"
          extra={t('users.disabledHint')}
        >
          <Switch />
        </Form.Item>
      </Form>
    </Modal>
  );
}
