import { Alert, App, DatePicker, Form, Input, Modal, Select, Switch } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import {
  type InformationSystem,
  SYSTEM_STATUSES,
  type SystemInput,
  type SystemStatus,
  useCreateSystem,
  useUpdateSystem,
} from '../../api/hooks/projects';
import { useServerErrors } from '../../components/formErrors';
import { ServerErrorAlert } from '../../components/ServerErrorAlert';
import { useI18n } from '../../i18n';

interface Values {
  name: string;
  subsystems?: string[];
  developer?: string;
  networkZone?: string;
  mlpsLevel: number;
  classified: boolean;
  filingStatus: 'not_filed' | 'filed';
  filingNumber?: string;
  commitmentLetterOnFile: boolean;
  commitmentLetterFile?: string;
  commitmentLetterDate?: Dayjs | null;
  status: SystemStatus;
  notes?: string;
}

const text = (value: string | undefined) => (value?.trim() ? value.trim() : null);

export interface SystemFormModalProps {
  /** the system to edit; absent: a new one */
  system?: InformationSystem;
  onClose: () => void;
}

/** Register or change an information system; the cloud rules (SH 2, 7, 30) are shown as the user types. */
export function SystemFormModal({ system, onClose }: SystemFormModalProps) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const server = useServerErrors(form);
  const create = useCreateSystem();
  const update = useUpdateSystem();
  const level = Form.useWatch('mlpsLevel', form);
  const classified = Form.useWatch('classified', form);
  const refused = (level ?? 0) > 3 || classified === true;

  const initialValues: Partial<Values> = system
    ? {
        name: system.name,
        subsystems: system.subsystems,
        developer: system.developer ?? undefined,
        networkZone: system.networkZone ?? undefined,
        mlpsLevel: system.mlpsLevel,
        classified: system.classified,
        filingStatus: system.filingStatus,
        filingNumber: system.filingNumber ?? undefined,
        commitmentLetterOnFile: system.commitmentLetterOnFile,
        commitmentLetterFile: system.commitmentLetterFile ?? undefined,
        commitmentLetterDate: system.commitmentLetterDate ? dayjs(system.commitmentLetterDate) : null,
        status: system.status,
        notes: system.notes ?? undefined,
      }
    : { mlpsLevel: 2, classified: false, filingStatus: 'not_filed', commitmentLetterOnFile: false, status: 'planned' };

  const onFinish = (values: Values) => {
    server.clear();
    const body: SystemInput = {
      name: values.name.trim(),
      subsystems: values.subsystems ?? [],
      developer: text(values.developer),
      networkZone: text(values.networkZone),
      mlpsLevel: values.mlpsLevel,
      classified: values.classified,
      filingStatus: values.filingStatus,
      filingNumber: text(values.filingNumber),
      commitmentLetterOnFile: values.commitmentLetterOnFile,
      commitmentLetterFile: text(values.commitmentLetterFile),
      commitmentLetterDate: values.commitmentLetterDate ? values.commitmentLetterDate.format('YYYY-MM-DD') : null,
      status: values.status,
      notes: text(values.notes),
    };
    const done = {
      onSuccess: () => {
        void message.success(t('common.saved'));
        onClose();
      },
      onError: server.onError,
    };
    if (system) update.mutate({ id: system.id, body }, done);
    else create.mutate(body, done);
  };

  return (
    <Modal
      open
      title={system ? t('projects.system.edit') : t('projects.system.create')}
      okText={system ? t('common.save') : t('common.create')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={create.isPending || update.isPending}
      width={640}
    >
      <ServerErrorAlert server={server} />
      <Form form={form} layout="vertical" initialValues={initialValues} onFinish={onFinish} name="system-form">
        <Form.Item label={t('projects.system.name')} name="name" rules={[{ required: true, max: 200 }]}>
          <Input />
        </Form.Item>
        <Form.Item label={t('projects.system.subsystems')} name="subsystems">
          <Select mode="tags" open={false} tokenSeparators={[',', '，', '、']} />
        </Form.Item>
        <Form.Item label={t('projects.system.developer')} name="developer" rules={[{ max: 200 }]}>
          <Input />
        </Form.Item>
        <Form.Item label={t('projects.system.networkZone')} name="networkZone" rules={[{ max: 100 }]}>
          <Input placeholder="公共网络区 / 互联网区" />
        </Form.Item>
        <Form.Item label={t('projects.system.mlpsLevel')} name="mlpsLevel" rules={[{ required: true }]}>
          <Select
            options={[1, 2, 3, 4, 5].map((value) => ({ value, label: t('projects.system.level', { level: value }) }))}
          />
        </Form.Item>
        <Form.Item label={t('projects.system.classified')} name="classified" valuePropName="checked">
          <Switch />
        </Form.Item>
        {refused && (
          <Alert type="warning" showIcon title={t('projects.system.refusedHint')} style={{ marginBottom: 16 }} />
        )}
        <Form.Item label={t('projects.system.filingStatus')} name="filingStatus">
          <Select
            options={(['not_filed', 'filed'] as const).map((value) => ({
              value,
              label: t(`projects.filing.${value}`),
            }))}
          />
        </Form.Item>
        <Form.Item label={t('projects.system.filingNumber')} name="filingNumber" rules={[{ max: 100 }]}>
          <Input />
        </Form.Item>
        <Form.Item label={t('projects.system.letter')} name="commitmentLetterOnFile" valuePropName="checked">
          <Switch />
        </Form.Item>
        <Form.Item label={t('projects.system.letterFile')} name="commitmentLetterFile" rules={[{ max: 255 }]}>
          <Input />
        </Form.Item>
        <Form.Item label={t('projects.system.letterDate')} name="commitmentLetterDate">
          <DatePicker />
        </Form.Item>
        <Form.Item
          label={t('projects.system.status')}
          name="status"
          extra={t('projects.system.statusHint')}
          rules={[{ required: true }]}
        >
          <Select options={SYSTEM_STATUSES.map((value) => ({ value, label: t(`projects.systemStatus.${value}`) }))} />
        </Form.Item>
        <Form.Item label={t('projects.system.notes')} name="notes" rules={[{ max: 2000 }]}>
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
