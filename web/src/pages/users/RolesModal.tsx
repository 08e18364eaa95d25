import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Button, Flex, Form, Modal, Select, Typography } from 'antd';
import { useOrganisations } from '../../api/hooks/organisations';
import { useSetUserRoles } from '../../api/hooks/users';
import { businessRolesFor, isAdminRole } from '../../api/identity';
import type { Organisation, User } from '../../api/types';
import { useServerErrors } from '../../components/formErrors';
import { ServerErrorAlert } from '../../components/ServerErrorAlert';
import { useI18n } from '../../i18n';
import { organisationName } from '../organisations/names';

interface Assignment {
  organisationId?: string;
  role?: string;
}

/** Replaces an account's business roles; its admin role, if any, is the security admin's and stays. */
export function RolesModal({ user, onClose }: { user: User; onClose: () => void }) {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ assignments: Assignment[] }>();
  const server = useServerErrors(form);
  const setRoles = useSetUserRoles(user.id);
  const organisations = useOrganisations({});
  const byId = new Map<string, Organisation>((organisations.data ?? []).map((o) => [o.id, o]));
  const assignments = Form.useWatch('assignments', form) ?? [];

  const onFinish = (values: { assignments?: Assignment[] }) => {
    server.clear();
    const next = (values.assignments ?? []).flatMap((a) =>
      a.organisationId && a.role ? [{ organisationId: a.organisationId, role: a.role }] : [],
    );
    setRoles.mutate(next, {
      onSuccess: () => {
        void message.success(t('users.rolesSaved'));
        onClose();
      },
      onError: server.onError,
    });
  };

  return (
    <Modal
      open
      title={t('users.editRoles')}
      okText={t('common.save')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={setRoles.isPending}
      width={640}
    >
      <Typography.Paragraph type="secondary">{t('users.editRolesHint')}</Typography.Paragraph>
      <ServerErrorAlert server={server} />
      <Form
        form={form}
        name="user-roles"
        initialValues={{
          assignments: user.roles
            .filter((a) => !isAdminRole(a.role))
            .map((a) => ({ organisationId: a.organisationId, role: a.role })),
        }}
        onFinish={onFinish}
      >
        <Form.List name="assignments">
          {(fields, { add, remove }) => (
            <>
              {fields.map((field, index) => {
                const type = byId.get(assignments[index]?.organisationId ?? '')?.type;
                return (
                  <Flex key={field.key} gap={8} align="start">
                    <Form.Item name={[field.name, 'organisationId']} rules={[{ required: true }]} style={{ flex: 3 }}>
                      <Select
                        aria-label={t('users.organisation')}
                        placeholder={t('users.organisation')}
                        showSearch={{ optionFilterProp: 'label' }}
                        loading={organisations.isPending}
                        options={(organisations.data ?? []).map((o) => ({
                          value: o.id,
                          label: organisationName(o, language),
                        }))}
                        onChange={() => form.setFieldValue(['assignments', field.name, 'role'], undefined)}
                      />
                    </Form.Item>
                    <Form.Item name={[field.name, 'role']} rules={[{ required: true }]} style={{ flex: 2 }}>
                      <Select
                        aria-label={t('users.role')}
                        placeholder={t('users.role')}
                        disabled={!type}
                        options={businessRolesFor(type).map((role) => ({ value: role, label: t(`role.${role}`) }))}
                      />
                    </Form.Item>
                    <Button
                      type="text"
                      danger
                      icon={<DeleteOutlined />}
                      aria-label={t('common.remove')}
                      onClick={() => remove(field.name)}
                    />
                  </Flex>
                );
              })}
              <Button type="dashed" block icon={<PlusOutlined />} onClick={() => add({})}>
                {t('users.addRole')}
              </Button>
            </>
          )}
        </Form.List>
      </Form>
    </Modal>
  );
}
