import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Button, Card, Col, Form, Input, Modal, Row, Select, Typography } from 'antd';
import { useReplaceContacts } from '../../api/hooks/organisations';
import type { Contact, ContactInput, ContactKind } from '../../api/types';
import { useServerErrors } from '../../components/formErrors';
import { ServerErrorAlert } from '../../components/ServerErrorAlert';
import { useI18n } from '../../i18n';

const KINDS: readonly ContactKind[] = ['information_officer', 'emergency'];
const PHONE = /^[0-9+() -]{5,30}$/;
const MAX_CONTACTS = 20;

interface ContactRow {
  kind: ContactKind;
  name: string;
  position?: string;
  phone?: string;
  mobile?: string;
  email?: string;
}

const optional = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);

function toInput(row: ContactRow): ContactInput {
  return {
    kind: row.kind,
    name: row.name.trim(),
    position: optional(row.position),
    phone: optional(row.phone),
    mobile: optional(row.mobile),
    email: optional(row.email),
  };
}

const toRow = (contact: Contact): ContactRow => ({
  kind: contact.kind,
  name: contact.name,
  position: contact.position ?? undefined,
  phone: contact.phone ?? undefined,
  mobile: contact.mobile ?? undefined,
  email: contact.email ?? undefined,
});

/** Replaces the organisation's information officer and emergency contacts; the old ones stay in the history. */
export function ContactsModal({
  organisationId,
  contacts,
  onClose,
}: {
  organisationId: string;
  contacts: readonly Contact[];
  onClose: () => void;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ contacts: ContactRow[] }>();
  const server = useServerErrors(form);
  const replace = useReplaceContacts(organisationId);

  const onFinish = ({ contacts: rows }: { contacts?: ContactRow[] }) => {
    server.clear();
    replace.mutate((rows ?? []).map(toInput), {
      onSuccess: () => {
        void message.success(t('contacts.saved'));
        onClose();
      },
      onError: server.onError,
    });
  };

  return (
    <Modal
      open
      title={t('contacts.edit')}
      okText={t('common.save')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={replace.isPending}
      width={760}
    >
      <Typography.Paragraph type="secondary">{t('contacts.editHint')}</Typography.Paragraph>
      <ServerErrorAlert server={server} />
      <Form
        form={form}
        layout="vertical"
        name="contacts"
        initialValues={{ contacts: contacts.length > 0 ? contacts.map(toRow) : [{ kind: 'information_officer' }] }}
        onFinish={onFinish}
      >
        <Form.List name="contacts">
          {(fields, { add, remove }) => (
            <>
              {fields.map((field, index) => (
                <Card
                  key={field.key}
                  size="small"
                  style={{ marginBottom: 12 }}
                  title={t('contacts.number', { number: index + 1 })}
                  extra={
                    <Button
                      type="text"
                      danger
                      icon={<DeleteOutlined />}
                      aria-label={t('contacts.remove', { number: index + 1 })}
                      onClick={() => remove(field.name)}
                    />
                  }
                >
                  <Row gutter={12}>
                    <Col xs={24} sm={8}>
                      <Form.Item label={t('contacts.kind')} name={[field.name, 'kind']} rules={[{ required: true }]}>
                        <Select options={KINDS.map((kind) => ({ value: kind, label: t(`contactKind.${kind}`) }))} />
                      </Form.Item>
                    </Col>
                    <Col xs={24} sm={8}>
                      <Form.Item
                        label={t('contacts.name')}
                        name={[field.name, 'name']}
                        rules={[{ required: true, max: 100 }]}
                      >
                        <Input />
                      </Form.Item>
                    </Col>
                    <Col xs={24} sm={8}>
                      <Form.Item label={t('contacts.position')} name={[field.name, 'position']} rules={[{ max: 100 }]}>
                        <Input />
                      </Form.Item>
                    </Col>
                    <Col xs={24} sm={8}>
                      <Form.Item
                        label={t('contacts.phone')}
                        name={[field.name, 'phone']}
                        rules={[{ pattern: PHONE, message: t('contacts.phoneInvalid') }]}
                      >
                        <Input />
                      </Form.Item>
                    </Col>
                    <Col xs={24} sm={8}>
                      <Form.Item
                        label={t('contacts.mobile')}
                        name={[field.name, 'mobile']}
                        rules={[{ pattern: PHONE, message: t('contacts.phoneInvalid') }]}
                      >
                        <Input />
                      </Form.Item>
                    </Col>
                    <Col xs={24} sm={8}>
                      <Form.Item label={t('contacts.email')} name={[field.name, 'email']} rules={[{ max: 200 }]}>
                        <Input />
                      </Form.Item>
                    </Col>
                  </Row>
                </Card>
              ))}
              <Button
                type="dashed"
                block
                icon={<PlusOutlined />}
                disabled={fields.length >= MAX_CONTACTS}
                onClick={() => add({ kind: 'emergency' })}
              >
                {t('contacts.add')}
              </Button>
            </>
          )}
        </Form.List>
      </Form>
    </Modal>
  );
}
