import { App, Form, Input, Modal, Select } from 'antd';
import { useNavigate } from 'react-router';
import { useJurisdictions } from '../../api/hooks/jurisdictions';
import { useCreateOrganisation, useOrganisations, useUpdateOrganisation } from '../../api/hooks/organisations';
import { ORGANISATION_TYPES } from '../../api/identity';
import type { Organisation, OrganisationType } from '../../api/types';
import { useSession } from '../../app/session';
import { useServerErrors } from '../../components/formErrors';
import { ServerErrorAlert } from '../../components/ServerErrorAlert';
import { useI18n } from '../../i18n';
import { organisationName } from './names';

interface Values {
  code: string;
  name: string;
  nameEn?: string;
  type: OrganisationType;
  jurisdictionId?: string;
  parentId?: string;
  creditCode?: string;
}

const CODE_PATTERN = /^[a-z0-9][a-z0-9-]{1,62}$/;
const CREDIT_CODE_PATTERN = /^[0-9A-HJ-NPQRTUWXY]{18}$/;
const optional = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);

export interface OrganisationFormModalProps {
  /** the organisation to edit; absent: a new one */
  organisation?: Organisation;
  onClose: () => void;
}

/** Create an organisation (system admin: any in the jurisdiction; unit admin: a sub-unit) or correct one. */
export function OrganisationFormModal({ organisation, onClose }: OrganisationFormModalProps) {
  return organisation ? <EditModal organisation={organisation} onClose={onClose} /> : <CreateModal onClose={onClose} />;
}

function CreateModal({ onClose }: { onClose: () => void }) {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const me = useSession();
  const [form] = Form.useForm<Values>();
  const server = useServerErrors(form);
  const create = useCreateOrganisation();
  const jurisdictions = useJurisdictions();
  const parents = useOrganisations({ type: 'using_unit' });
  const parentId = Form.useWatch('parentId', form);

  // A unit administrator creates sub-units of their own unit: start there.
  const ownUnit = me.organisation.type === 'using_unit';
  const initialValues: Partial<Values> = ownUnit ? { type: 'using_unit', parentId: me.organisation.id } : {};

  const onFinish = (values: Values) => {
    server.clear();
    create.mutate(
      {
        code: values.code.trim(),
        name: values.name.trim(),
        type: values.type,
        nameEn: optional(values.nameEn),
        creditCode: optional(values.creditCode),
        parentId: values.parentId || undefined,
        jurisdictionId: values.parentId ? undefined : values.jurisdictionId || undefined,
      },
      {
        onSuccess: (created) => {
          void message.success(t('organisations.created', { name: created.name }));
          onClose();
          void navigate(`/organisations/${created.id}`);
        },
        onError: server.onError,
      },
    );
  };

  return (
    <Modal
      open
      title={t('organisations.create')}
      okText={t('common.create')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={create.isPending}
      width={560}
    >
      <ServerErrorAlert server={server} />
      <Form form={form} layout="vertical" initialValues={initialValues} onFinish={onFinish} name="organisation-create">
        <Form.Item
          label={t('organisations.code')}
          name="code"
          extra={t('organisations.codeHint')}
          rules={[{ required: true, pattern: CODE_PATTERN, message: t('organisations.codeInvalid') }]}
        >
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item label={t('organisations.name')} name="name" rules={[{ required: true, max: 200 }]}>
          <Input />
        </Form.Item>
        <Form.Item label={t('organisations.nameEn')} name="nameEn" rules={[{ max: 200 }]}>
          <Input />
        </Form.Item>
        <Form.Item label={t('organisations.type')} name="type" rules={[{ required: true }]}>
          <Select<OrganisationType>
            options={ORGANISATION_TYPES.map((value) => ({ value, label: t(`orgType.${value}`) }))}
          />
        </Form.Item>
        <Form.Item label={t('organisations.parent')} name="parentId" extra={t('organisations.parentHint')}>
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            loading={parents.isPending}
            options={(parents.data ?? []).map((o) => ({ value: o.id, label: organisationName(o, language) }))}
          />
        </Form.Item>
        {!parentId && (
          <Form.Item
            label={t('organisations.jurisdiction')}
            name="jurisdictionId"
            rules={[{ required: !ownUnit, message: t('organisations.jurisdictionRequired') }]}
          >
            <Select
              loading={jurisdictions.isPending}
              options={(jurisdictions.data ?? []).map((j) => ({
                value: j.id,
                label: language === 'zh-CN' ? j.name : j.nameEn,
              }))}
            />
          </Form.Item>
        )}
        <Form.Item
          label={t('organisations.creditCode')}
          name="creditCode"
          rules={[{ pattern: CREDIT_CODE_PATTERN, message: t('organisations.creditCodeInvalid') }]}
        >
          <Input maxLength={18} autoComplete="off" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function EditModal({ organisation, onClose }: { organisation: Organisation; onClose: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<Pick<Values, 'name' | 'nameEn' | 'creditCode'>>();
  const server = useServerErrors(form);
  const update = useUpdateOrganisation(organisation.id);

  const onFinish = (values: Pick<Values, 'name' | 'nameEn' | 'creditCode'>) => {
    server.clear();
    update.mutate(
      {
        name: values.name.trim(),
        nameEn: optional(values.nameEn) ?? null,
        creditCode: optional(values.creditCode) ?? null,
      },
      {
        onSuccess: () => {
          void message.success(t('common.saved'));
          onClose();
        },
        onError: server.onError,
      },
    );
  };

  return (
    <Modal
      open
      title={t('organisations.edit')}
      okText={t('common.save')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={update.isPending}
      width={560}
    >
      <ServerErrorAlert server={server} />
      <Form
        form={form}
        layout="vertical"
        name="organisation-edit"
        initialValues={{
          name: organisation.name,
          nameEn: organisation.nameEn ?? undefined,
          creditCode: organisation.creditCode ?? undefined,
        }}
        onFinish={onFinish}
      >
        <Form.Item label={t('organisations.name')} name="name" rules={[{ required: true, max: 200 }]}>
          <Input />
        </Form.Item>
        <Form.Item label={t('organisations.nameEn')} name="nameEn" rules={[{ max: 200 }]}>
          <Input />
        </Form.Item>
        <Form.Item
          label={t('organisations.creditCode')}
          name="creditCode"
          rules={[{ pattern: CREDIT_CODE_PATTERN, message: t('organisations.creditCodeInvalid') }]}
        >
          <Input maxLength={18} autoComplete="off" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
