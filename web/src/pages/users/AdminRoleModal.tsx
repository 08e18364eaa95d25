import { Alert, App, Form, Modal, Radio, Select, Space, Typography } from 'antd';
import { useOrganisations } from '../../api/hooks/organisations';
import { isDeferred, useSetAdminRoles } from '../../api/hooks/users';
import { ADMIN_ROLES, isAdminRole } from '../../api/identity';
import type { User } from '../../api/types';
import { useCan, useSession } from '../../app/session';
import { useServerErrors } from '../../components/formErrors';
import { ServerErrorAlert } from '../../components/ServerErrorAlert';
import { useI18n } from '../../i18n';
import { organisationName } from '../organisations/names';

const NONE = 'none';

interface Values {
  role: string;
  organisationId?: string;
}

/**
 * The three separated admin roles (三员分立): at most one per person, never to oneself, held in a cloud
 * operations unit. Granted and revoked only by the security admin.
 */
export function AdminRoleModal({ user, onClose }: { user: User; onClose: () => void }) {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const me = useSession();
  const [form] = Form.useForm<Values>();
  const server = useServerErrors(form);
  const setAdminRoles = useSetAdminRoles(user.id);
  const current = user.roles.find((a) => isAdminRole(a.role));
  const role = Form.useWatch('role', form);

  // The security admin may not read the organisation directory: then the choice is the operations units the
  // admin acts in, and wherever the user already holds an admin role.
  const canReadOrganisations = useCan('organisation:read');
  const directory = useOrganisations({ type: 'cloud_operations_unit' }, { enabled: canReadOrganisations });
  const options = new Map<string, string>();
  for (const o of directory.data ?? []) options.set(o.id, organisationName(o, language));
  for (const o of me.organisations) {
    if (o.type === 'cloud_operations_unit') options.set(o.id, organisationName(o, language));
  }
  if (current) options.set(current.organisationId, current.organisationName);

  const onFinish = (values: Values) => {
    server.clear();
    const assignments =
      values.role === NONE || !values.organisationId
        ? []
        : [{ organisationId: values.organisationId, role: values.role }];
    setAdminRoles.mutate(assignments, {
      onSuccess: (result) => {
        void message.success(isDeferred(result) ? t('users.approvalRequested') : t('users.adminRoleSaved'));
        onClose();
      },
      onError: server.onError,
    });
  };

  return (
    <Modal
      open
      title={t('users.adminRole')}
      okText={t('common.save')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={setAdminRoles.isPending}
    >
      <Alert type="info" showIcon title={t('users.adminRoleHint')} style={{ marginBottom: 16 }} />
      <ServerErrorAlert server={server} />
      <Form
        form={form}
        layout="vertical"
        name="admin-role"
        initialValues={{
          role: current?.role ?? NONE,
          organisationId:
            current?.organisationId ?? me.organisations.find((o) => o.type === 'cloud_operations_unit')?.id,
        }}
        onFinish={onFinish}
      >
        <Form.Item label={t('users.role')} name="role">
          <Radio.Group>
            <Space orientation="vertical">
              <Radio value={NONE}>{t('users.noAdminRole')}</Radio>
              {ADMIN_ROLES.map((value) => (
                <Radio key={value} value={value}>
                  {t(`role.${value}`)}
                </Radio>
              ))}
            </Space>
          </Radio.Group>
        </Form.Item>
        {role !== NONE && (
          <Form.Item label={t('users.organisation')} name="organisationId" rules={[{ required: true }]}>
            <Select
              loading={canReadOrganisations && directory.isPending}
              options={[...options.entries()].map(([value, label]) => ({ value, label }))}
            />
          </Form.Item>
        )}
        <Typography.Text type="secondary">{t('users.adminRoleSessions')}</Typography.Text>
      </Form>
    </Modal>
  );
}
