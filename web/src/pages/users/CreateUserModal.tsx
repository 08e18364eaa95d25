import { App, Button, Form, Input, Modal, Select } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useOrganisations } from '../../api/hooks/organisations';
import { useCreateUser } from '../../api/hooks/users';
import { businessRolesFor } from '../../api/identity';
import type { User } from '../../api/types';
import { useServerErrors } from '../../components/formErrors';
import { SecretOnce } from '../../components/SecretOnce';
import { ServerErrorAlert } from '../../components/ServerErrorAlert';
import { useI18n } from '../../i18n';
import { organisationName } from '../organisations/names';

interface Values {
  username: string;
  displayName: string;
  email?: string;
  mobile?: string;
  organisationId: string;
  roles: string[];
}

const optional = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);

/**
 * A new account with business roles in one organisation. The server answers a temporary password: shown here
 * once, to be handed over and changed at first login. Admin roles are the security admin's to grant.
 */
export function CreateUserModal({ onClose }: { onClose: () => void }) {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [form] = Form.useForm<Values>();
  const server = useServerErrors(form);
  const create = useCreateUser();
  const organisations = useOrganisations({});
  const organisationId = Form.useWatch('organisationId', form);
  const organisationType = organisations.data?.find((o) => o.id === organisationId)?.type;
  const [created, setCreated] = useState<{ user: User; temporaryPassword?: string } | null>(null);

  const onFinish = (values: Values) => {
    server.clear();
    create.mutate(
      {
        username: values.username.trim(),
        displayName: values.displayName.trim(),
        email: optional(values.email),
        mobile: optional(values.mobile),
        organisationId: values.organisationId,
        roles: values.roles,
      },
      {
        onSuccess: (result) => {
          void message.success(t('users.created', { username: result.user.username }));
          setCreated(result);
        },
        onError: server.onError,
      },
    );
  };

  if (created) {
    return (
      <Modal
        open
        title={t('users.createdTitle', { username: created.user.username })}
        onCancel={onClose}
        footer={
          <Button
            type="primary"
            onClick={() => {
              onClose();
              void navigate(`/users/${created.user.id}`);
            }}
          >
            {t('common.done')}
          </Button>
        }
      >
        {created.temporaryPassword ? (
          <SecretOnce
            label={t('users.temporaryPassword')}
            secret={created.temporaryPassword}
            hint={t('users.temporaryPasswordHint')}
            testId="temporary-password"
          />
        ) : (
          <p>{t('users.passwordMailed')}</p>
        )}
      </Modal>
    );
  }

  return (
    <Modal
      open
      title={t('users.create')}
      okText={t('common.create')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={create.isPending}
      width={560}
    >
      <ServerErrorAlert server={server} />
      <Form form={form} layout="vertical" name="user-create" onFinish={onFinish}>
        <Form.Item
          label={t('users.username')}
          name="username"
          extra={t('users.usernameHint')}
          rules={[
            { required: true, pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$/, message: t('users.usernameInvalid') },
          ]}
        >
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item label={t('users.displayName')} name="displayName" rules={[{ required: true, max: 100 }]}>
          <Input />
        </Form.Item>
        <Form.Item label={t('users.email')} name="email" rules={[{ max: 200 }]}>
          <Input />
        </Form.Item>
        <Form.Item label={t('users.mobile')} name="mobile">
          <Input />
        </Form.Item>
        <Form.Item label={t('users.organisation')} name="organisationId" rules={[{ required: true }]}>
          <Select
            showSearch={{ optionFilterProp: 'label' }}
            loading={organisations.isPending}
            options={(organisations.data ?? []).map((o) => ({ value: o.id, label: organisationName(o, language) }))}
            onChange={() => form.setFieldValue('roles', [])}
          />
        </Form.Item>
        <Form.Item
          label={t('users.roles')}
          name="roles"
          extra={t('users.rolesHint')}
          rules={[{ required: true, type: 'array', min: 1, message: t('users.rolesRequired') }]}
        >
          <Select
            mode="multiple"
            disabled={!organisationType}
            options={businessRolesFor(organisationType).map((role) => ({ value: role, label: t(`role.${role}`) }))}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
