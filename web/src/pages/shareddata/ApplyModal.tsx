import { App, Checkbox, DatePicker, Form, type GetProps, Input, Modal, Select } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useProjects } from '../../api/hooks/projects';
import { type ResourceVersion, useApply } from '../../api/hooks/shared-data';
import { useSession } from '../../app/session';
import { showFieldErrors } from '../../components/formErrors';
import { useI18n } from '../../i18n';
import { failureText } from './shared';

interface Values {
  projectId: string;
  purpose: string;
  fields: string[];
  period: [Dayjs, Dayjs];
}

/** The application form: the project that needs the data, the purpose, the fields (by meaning) and the period. */
export function ApplyModal({ resource, onClose }: { resource: ResourceVersion; onClose: () => void }) {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const me = useSession();
  const [form] = Form.useForm<Values>();
  const projects = (useProjects().data?.items ?? []).filter(
    (p) => p.organisationId === me.organisation.id && p.status !== 'closed',
  );
  const apply = useApply();
  const submit = (v: Values) =>
    apply.mutate(
      {
        resourceId: resource.resourceId,
        projectId: v.projectId,
        purpose: v.purpose,
        fields: v.fields,
        validFrom: v.period[0].format('YYYY-MM-DD'),
        validTo: v.period[1].format('YYYY-MM-DD'),
      },
      {
        onSuccess: (grant) => {
          message.success(grant.status === 'active' ? t('sd.apply.grantedNow') : t('sd.apply.done'));
          onClose();
        },
        onError: (err) => {
          if (!showFieldErrors(form, err, language)) message.error(failureText(err, language));
        },
      },
    );
  return (
    <Modal
      open
      width={640}
      title={t('sd.apply.title', { name: resource.name })}
      okText={t('sd.apply.submit')}
      okButtonProps={{ loading: apply.isPending }}
      onCancel={onClose}
      onOk={() => form.submit()}
    >
      <Form<Values>
        name="application"
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={{ fields: resource.fields.map((f) => f.name), period: [dayjs(), dayjs().add(1, 'year')] }}
      >
        <Form.Item name="projectId" label={t('sd.apply.project')} rules={[{ required: true }]}>
          <Select options={projects.map((p) => ({ value: p.id, label: p.name }))} />
        </Form.Item>
        <Form.Item name="purpose" label={t('sd.apply.purpose')} rules={[{ required: true, max: 1000 }]}>
          <Input.TextArea rows={2} />
        </Form.Item>
        <Form.Item name="fields" label={t('sd.apply.fields')} rules={[{ required: true, type: 'array', min: 1 }]}>
          <FieldChoices options={resource.fields.map((f) => ({ value: f.name, label: f.meaning }))} />
        </Form.Item>
        <Form.Item name="period" label={t('sd.apply.period')} rules={[{ required: true }]}>
          <DatePicker.RangePicker />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/**
 * The fields to apply for, as checkboxes: the form item marks its control aria-required, which a group of
 * checkboxes may not carry (axe aria-allowed-attr, issue 16); each checkbox stays labelled by its meaning.
 */
function FieldChoices({
  'aria-required': _required,
  ...props
}: GetProps<typeof Checkbox.Group> & { 'aria-required'?: unknown }) {
  return <Checkbox.Group {...props} />;
}
