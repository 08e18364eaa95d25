import { Alert, DatePicker, Form, Input, InputNumber, Modal, Radio, Select, Switch } from 'antd';
import dayjs from 'dayjs';
import { useEffect } from 'react';
import { type DataCentre, type DataCentreInput, useSaveDataCentre } from '../../api/hooks/data-centres';
import { useSystems } from '../../api/hooks/projects';
import { useI18n } from '../../i18n';
import { failureText } from '../shareddata/shared';

type FormValues = Omit<DataCentreInput, 'leaseEnd'> & { leaseEnd: dayjs.Dayjs | null };

/** Registers a room (LZ 12) or corrects it; a rented room's new lease end does not move its deadline (LZ 19). */
export function CentreFormModal({
  open,
  centre,
  onClose,
}: {
  open: boolean;
  centre?: DataCentre;
  onClose: (saved?: DataCentre) => void;
}) {
  const { t, language } = useI18n();
  const [form] = Form.useForm<FormValues>();
  const save = useSaveDataCentre();
  const systems = useSystems({});
  const construction = Form.useWatch('construction', form);

  useEffect(() => {
    if (!open) return;
    save.reset();
    form.resetFields();
    if (centre)
      form.setFieldsValue({
        ...centre,
        leaseEnd: centre.leaseEnd ? dayjs(centre.leaseEnd) : null,
        systemIds: centre.systems.map((s) => s.systemId),
      });
  }, [open, centre, form, save.reset]);

  return (
    <Modal
      open={open}
      width={760}
      title={centre ? t('dc.form.editTitle') : t('dc.form.newTitle')}
      okText={t('dc.save')}
      confirmLoading={save.isPending}
      onCancel={() => onClose()}
      onOk={async () => {
        const v = await form.validateFields();
        const body: DataCentreInput = {
          ...v,
          mlpsTestReport: v.mlpsTestReport || null,
          leaseEnd: v.construction === 'rented' && v.leaseEnd ? v.leaseEnd.format('YYYY-MM-DD') : null,
          systemIds: v.systemIds ?? [],
        };
        const saved = await save.mutateAsync({ id: centre?.id, body });
        onClose(saved);
      }}
    >
      {save.error ? (
        <Alert type="error" showIcon style={{ marginBottom: 16 }} message={failureText(save.error, language)} />
      ) : null}
      <Form
        form={form}
        name="data-centre"
        layout="vertical"
        initialValues={{
          construction: 'self_built',
          gb50174Class: 'B',
          extranetConnected: false,
          ipv6: false,
          cloudPlatformConformant: false,
          cityPlatformInterface: false,
          service7x24: false,
          mlpsCloudExtension: false,
          mlpsLevel: 0,
          racks: 0,
          fullTimeOperators: 0,
          systemIds: [],
        }}
        style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', columnGap: 16 }}
      >
        <Form.Item name="construction" label={t('dc.col.construction')} style={{ gridColumn: '1 / 3' }}>
          <Radio.Group disabled={!!centre}>
            <Radio value="self_built">{t('dc.construction.self_built')}</Radio>
            <Radio value="rented">{t('dc.construction.rented')}</Radio>
          </Radio.Group>
        </Form.Item>
        <Form.Item name="name" label={t('dc.col.name')} rules={[{ required: true, message: t('dc.required') }]}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="address" label={t('dc.col.address')} rules={[{ required: true, message: t('dc.required') }]}>
          <Input maxLength={500} />
        </Form.Item>
        <Form.Item
          name="areaSquareMetres"
          label={t('dc.col.area')}
          rules={[{ required: true, pattern: /^[0-9]{1,8}(\.[0-9]{1,2})?$/, message: t('dc.form.areaRule') }]}
        >
          <Input suffix="m²" />
        </Form.Item>
        <Form.Item name="racks" label={t('dc.col.racks')} rules={[{ required: true }]}>
          <InputNumber min={0} precision={0} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="gb50174Class" label={t('dc.col.class')}>
          <Select options={(['A', 'B', 'C', 'none'] as const).map((c) => ({ value: c, label: t(`dc.class.${c}`) }))} />
        </Form.Item>
        <Form.Item name="fullTimeOperators" label={t('dc.col.operators')} rules={[{ required: true }]}>
          <InputNumber min={0} precision={0} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="extranetConnected" label={t('dc.col.extranet')} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Form.Item name="ipv6" label={t('dc.col.ipv6')} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Form.Item name="cloudPlatformConformant" label={t('dc.col.conformant')} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Form.Item name="cityPlatformInterface" label={t('dc.col.interface')} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Form.Item name="service7x24" label={t('dc.col.service7x24')} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Form.Item name="mlpsCloudExtension" label={t('dc.col.cloudExtension')} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Form.Item name="mlpsLevel" label={t('dc.col.mlps')}>
          <Select
            options={[0, 1, 2, 3, 4].map((l) => ({
              value: l,
              label: l === 0 ? t('dc.mlps.none') : t('dc.mlps.level', { level: l }),
            }))}
          />
        </Form.Item>
        <Form.Item name="mlpsTestReport" label={t('dc.col.testReport')}>
          <Input maxLength={200} />
        </Form.Item>
        {construction === 'rented' ? (
          <Form.Item
            name="leaseEnd"
            label={t('dc.col.leaseEnd')}
            extra={centre ? t('dc.form.leaseNote') : t('dc.form.leaseFirst')}
            rules={[{ required: true, message: t('dc.required') }]}
          >
            <DatePicker style={{ width: '100%' }} />
          </Form.Item>
        ) : null}
        <Form.Item name="systemIds" label={t('dc.col.systems')} style={{ gridColumn: '1 / 3' }}>
          <Select
            mode="multiple"
            loading={systems.isLoading}
            optionFilterProp="label"
            options={(systems.data?.items ?? []).map((s) => ({
              value: s.id,
              label: s.classified ? `${s.name}（${t('dc.classified')}）` : s.name,
            }))}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
