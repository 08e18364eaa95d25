import { App, Form, Input, InputNumber, Modal, Select } from 'antd';
import {
  type Project,
  type ProjectInput,
  useCreateProject,
  useSystems,
  useUpdateProject,
} from '../../api/hooks/projects';
import { useServerErrors } from '../../components/formErrors';
import { ServerErrorAlert } from '../../components/ServerErrorAlert';
import { useI18n } from '../../i18n';

interface Values {
  approvalNo: string;
  name: string;
  year: number;
  description?: string;
  systemIds?: string[];
}

/** Register or change a project (立项) of the unit; systems refused the cloud cannot be chosen. */
export function ProjectFormModal({ project, onClose }: { project?: Project; onClose: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const server = useServerErrors(form);
  const create = useCreateProject();
  const update = useUpdateProject();
  const systems = useSystems();

  const initialValues: Partial<Values> = project
    ? {
        approvalNo: project.approvalNo,
        name: project.name,
        year: project.year,
        description: project.description ?? undefined,
        systemIds: project.systems.map((s) => s.id),
      }
    : { year: new Date().getFullYear(), systemIds: [] };

  const onFinish = (values: Values) => {
    server.clear();
    const body: ProjectInput = {
      approvalNo: values.approvalNo.trim(),
      name: values.name.trim(),
      year: values.year,
      description: values.description?.trim() || null,
      systemIds: values.systemIds ?? [],
    };
    const done = {
      onSuccess: () => {
        void message.success(t('common.saved'));
        onClose();
      },
      onError: server.onError,
    };
    if (project) update.mutate({ id: project.id, body }, done);
    else create.mutate(body, done);
  };

  return (
    <Modal
      open
      title={project ? t('projects.project.edit') : t('projects.project.create')}
      okText={project ? t('common.save') : t('common.create')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={create.isPending || update.isPending}
      width={600}
    >
      <ServerErrorAlert server={server} />
      <Form form={form} layout="vertical" initialValues={initialValues} onFinish={onFinish} name="project-form">
        <Form.Item label={t('projects.project.approvalNo')} name="approvalNo" rules={[{ required: true, max: 100 }]}>
          <Input placeholder="示经信投〔2026〕12号" />
        </Form.Item>
        <Form.Item label={t('projects.project.name')} name="name" rules={[{ required: true, max: 200 }]}>
          <Input />
        </Form.Item>
        <Form.Item label={t('projects.project.year')} name="year" rules={[{ required: true }]}>
          <InputNumber min={2000} max={2100} />
        </Form.Item>
        <Form.Item label={t('projects.project.systems')} name="systemIds" extra={t('projects.project.systemsHint')}>
          <Select
            mode="multiple"
            loading={systems.isPending}
            optionFilterProp="label"
            options={(systems.data?.items ?? []).map((s) => ({
              value: s.id,
              label: s.name,
              disabled: !s.cloudEligible,
            }))}
          />
        </Form.Item>
        <Form.Item label={t('projects.project.description')} name="description" rules={[{ max: 2000 }]}>
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
