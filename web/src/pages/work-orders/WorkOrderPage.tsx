import { DownloadOutlined, MinusCircleOutlined, PlusOutlined, PrinterOutlined } from '@ant-design/icons';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  DatePicker,
  Descriptions,
  Flex,
  Form,
  Input,
  InputNumber,
  Modal,
  Space,
  Table,
  Tag,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useParams } from 'react-router';
import { localiseServerText } from '../../api/errors';
import { useCatalogue } from '../../api/hooks/catalogue';
import {
  type ReceiptBody,
  receiptExportUrl,
  receiptPrintUrl,
  useConfirmBackup,
  useConfirmReceipt,
  useDisputeReceipt,
  useSubmitReceipt,
  useWorkOrder,
  type WorkOrderDetail,
} from '../../api/hooks/inventory';
import { useCan, useSession } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { CitedText } from '../../components/Citation';
import { DateTime, inBeijingTime } from '../../components/DateTime';
import { PageHeader } from '../../components/PageHeader';
import { PageLoading } from '../../components/PageLoading';
import { addressesOf, isIpAddress, specInWords, specLabel } from '../../components/specification';
import { type MessageKey, useI18n } from '../../i18n';
import { BackupWaiverActions, backupWaiverItems } from './BackupWaiver';
import { WORK_ORDER_COLOURS, WorkOrderDue } from './WorkOrdersPage';

type Receipt = WorkOrderDetail['receipts'][number];
interface FormLine {
  workOrderLineNo: number;
  name: string;
  externalId?: string;
  addresses?: string;
  /** one field per specification key of the ordered item */
  specification?: Record<string, unknown>;
  deliveredAt: Dayjs;
  notes?: string;
}

/** The provider's receipt form: one row per delivered resource, the line's specification prefilled. */
function ReceiptForm({ w }: { w: WorkOrderDetail }) {
  const { t, language } = useI18n();
  const { message, modal } = App.useApp();
  const submit = useSubmitReceipt(w.id);
  const [form] = Form.useForm<{ lines: FormLine[]; notes?: string; dataErased?: boolean }>();
  // After a dispute the form starts from the last receipt (only the disputed lines need correcting);
  // otherwise one row per resource to deliver, the ordered specification prefilled, delivered now.
  const last = w.receipts.at(-1);
  const initial: Partial<FormLine>[] = last
    ? last.lines.map((l) => ({
        workOrderLineNo: l.workOrderLineNo,
        name: l.name,
        externalId: l.externalId ?? undefined,
        addresses: l.addresses.join(', '),
        specification: l.specification,
        deliveredAt: dayjs(l.deliveredAt),
        notes: l.notes ?? undefined,
      }))
    : w.lines.flatMap((l) =>
        Array.from({ length: l.resourceId ? 1 : l.quantity }, () => ({
          workOrderLineNo: l.lineNo,
          name: '',
          specification: l.specification,
          deliveredAt: dayjs(),
        })),
      );
  return (
    <Card title={t('workOrders.receiptForm')} style={{ marginBottom: 16 }}>
      {submit.error ? <ApiErrorAlert error={submit.error} compact /> : null}
      <Form
        form={form}
        layout="vertical"
        initialValues={{ lines: initial }}
        onFinish={async (v) => {
          const body: ReceiptBody = {
            notes: v.notes || undefined,
            dataErased: w.action === 'reclaim' ? !!v.dataErased : undefined,
            lines: v.lines.map((l) => ({
              workOrderLineNo: l.workOrderLineNo,
              name: l.name,
              externalId: l.externalId || undefined,
              addresses: addressesOf(l.addresses),
              specification: l.specification,
              deliveredAt: l.deliveredAt.toISOString(),
              notes: l.notes || undefined,
            })),
          };
          // The unit's confirmation of this receipt makes the resources live and billable: submit deliberately.
          const confirmed = await modal.confirm({
            title: t('workOrders.confirmSubmit'),
            content: t('workOrders.confirmSubmitBody'),
          });
          if (!confirmed) return;
          await submit.mutateAsync(body);
          message.success(t('workOrders.submitted'));
        }}
      >
        <Form.List name="lines">
          {(fields, { add, remove }) => (
            <>
              {fields.map((f) => (
                <Flex key={f.key} gap={8} wrap align="start">
                  <Form.Item
                    name={[f.name, 'workOrderLineNo']}
                    label={t('workOrders.line')}
                    rules={[{ required: true }]}
                  >
                    <InputNumber min={1} style={{ width: 70 }} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'name']} label={t('inventory.name')} rules={[{ required: true }]}>
                    <Input style={{ width: 160 }} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'externalId']} label={t('inventory.externalId')}>
                    <Input style={{ width: 140 }} />
                  </Form.Item>
                  <Form.Item
                    name={[f.name, 'addresses']}
                    label={t('inventory.addresses')}
                    rules={[
                      {
                        validator: async (_r, v: string | undefined) => {
                          const wrong = addressesOf(v).find((a) => !isIpAddress(a));
                          if (wrong) throw new Error(t('workOrders.badAddress', { address: wrong }));
                        },
                      },
                    ]}
                  >
                    <Input style={{ width: 150 }} placeholder="10.1.4.30" />
                  </Form.Item>
                  {Object.entries(initial[f.name]?.specification ?? {}).map(([key, value]) => (
                    <Form.Item
                      key={key}
                      name={[f.name, 'specification', key]}
                      label={specLabel(key, language)}
                      rules={[{ required: true, message: t('workOrders.specRequired') }]}
                    >
                      {typeof value === 'number' ? (
                        <InputNumber min={0} style={{ width: 110 }} />
                      ) : (
                        <Input style={{ width: 150 }} />
                      )}
                    </Form.Item>
                  ))}
                  <Form.Item
                    name={[f.name, 'deliveredAt']}
                    label={t('inventory.deliveredAt')}
                    rules={[{ required: true }]}
                  >
                    <DatePicker showTime />
                  </Form.Item>
                  <Form.Item name={[f.name, 'notes']} label={t('workOrders.notes')}>
                    <Input style={{ width: 140 }} />
                  </Form.Item>
                  <MinusCircleOutlined style={{ marginTop: 38 }} onClick={() => remove(f.name)} />
                </Flex>
              ))}
              <Button
                type="dashed"
                icon={<PlusOutlined />}
                onClick={() => add({ workOrderLineNo: 1, deliveredAt: dayjs() })}
              >
                {t('workOrders.addLine')}
              </Button>
            </>
          )}
        </Form.List>
        <Form.Item name="notes" label={t('workOrders.notes')} style={{ marginTop: 16 }}>
          <Input.TextArea rows={2} />
        </Form.Item>
        {w.action === 'reclaim' ? (
          <Form.Item name="dataErased" valuePropName="checked">
            <Checkbox>{t('workOrders.dataErased')}</Checkbox>
          </Form.Item>
        ) : null}
        <Button type="primary" htmlType="submit" loading={submit.isPending}>
          {t('workOrders.submitReceipt')}
        </Button>
      </Form>
    </Card>
  );
}

function ReceiptCard({ w, receipt, canDecide }: { w: WorkOrderDetail; receipt: Receipt; canDecide: boolean }) {
  const { t, language } = useI18n();
  const { message, modal } = App.useApp();
  const confirm = useConfirmReceipt(w.id);
  const dispute = useDisputeReceipt(w.id);
  const [disputing, setDisputing] = useState<Record<number, string>>({});
  const [open, setOpen] = useState(false);
  const pending = receipt.status === 'submitted' && canDecide;
  return (
    <Card
      style={{ marginBottom: 16 }}
      title={
        <Space>
          {t('workOrders.receipt', { revision: receipt.revision })}
          <Tag>{t(`workOrders.receiptStatuses.${receipt.status}` as MessageKey)}</Tag>
        </Space>
      }
      extra={
        <Space>
          <Button size="small" icon={<DownloadOutlined />} href={receiptExportUrl(w.id, receipt.revision)}>
            Excel
          </Button>
          <Button
            size="small"
            icon={<PrinterOutlined />}
            href={receiptPrintUrl(w.id, receipt.revision)}
            target="_blank"
          >
            {t('workOrders.print')}
          </Button>
        </Space>
      }
    >
      {confirm.error ? <ApiErrorAlert error={confirm.error} compact /> : null}
      {receipt.notes || receipt.dataErased ? (
        <Descriptions size="small" column={2} style={{ marginBottom: 12 }}>
          {receipt.notes ? <Descriptions.Item label={t('workOrders.notes')}>{receipt.notes}</Descriptions.Item> : null}
          {receipt.dataErased ? (
            <Descriptions.Item label={t('workOrders.backup')}>{t('workOrders.dataErased')}</Descriptions.Item>
          ) : null}
        </Descriptions>
      ) : null}
      <Table<Receipt['lines'][number]>
        rowKey="lineNo"
        size="small"
        pagination={false}
        dataSource={receipt.lines}
        columns={[
          { key: 'no', title: '#', dataIndex: 'lineNo' },
          { key: 'name', title: t('inventory.name'), dataIndex: 'name' },
          {
            key: 'ext',
            title: t('inventory.externalId'),
            render: (_, l) => (l.externalId ? <span data-verbatim>{l.externalId}</span> : null),
          },
          { key: 'ip', title: t('inventory.addresses'), render: (_, l) => l.addresses.join(', ') },
          {
            key: 'spec',
            title: t('inventory.specification'),
            render: (_, l) => specInWords(l.specification, language),
          },
          {
            key: 'at',
            title: t('inventory.deliveredAt'),
            render: (_, l) => <DateTime value={l.deliveredAt} format="YYYY-MM-DD HH:mm" />,
          },
          { key: 'notes', title: t('workOrders.notes'), dataIndex: 'notes' },
          {
            key: 'dispute',
            title: t('workOrders.dispute'),
            render: (_, l) => (l.dispute ? <Tag color="red">{l.dispute}</Tag> : null),
          },
        ]}
      />
      {pending ? (
        <Space style={{ marginTop: 16 }}>
          <Button
            type="primary"
            loading={confirm.isPending}
            onClick={async () => {
              // Confirming makes the resources live and billable: the unit says so deliberately.
              const yes = await modal.confirm({
                title: t('workOrders.confirmReceiptTitle'),
                content: t('workOrders.confirmReceiptBody'),
              });
              if (!yes) return;
              await confirm.mutateAsync();
              message.success(t('workOrders.confirmed'));
            }}
          >
            {t('workOrders.confirm')}
          </Button>
          <Button danger onClick={() => setOpen(true)}>
            {t('workOrders.disputeAction')}
          </Button>
        </Space>
      ) : null}
      <Modal
        open={open}
        title={t('workOrders.disputeAction')}
        okButtonProps={{ loading: dispute.isPending, disabled: Object.values(disputing).every((v) => !v.trim()) }}
        onCancel={() => setOpen(false)}
        onOk={async () => {
          const lines = Object.entries(disputing)
            .filter(([, reason]) => reason.trim())
            .map(([lineNo, reason]) => ({ lineNo: Number(lineNo), reason: reason.trim() }));
          await dispute.mutateAsync(lines);
          setOpen(false);
          message.success(t('workOrders.disputed'));
        }}
      >
        {dispute.error ? <ApiErrorAlert error={dispute.error} compact /> : null}
        {receipt.lines.map((l) => (
          <Form.Item key={l.lineNo} label={`#${l.lineNo} ${l.name}`}>
            <Input
              placeholder={t('workOrders.disputeReason')}
              value={disputing[l.lineNo] ?? ''}
              onChange={(e) => setDisputing((d) => ({ ...d, [l.lineNo]: e.target.value }))}
            />
          </Form.Item>
        ))}
      </Modal>
    </Card>
  );
}

/** One work order: the order data the provider sees, its lines, every receipt revision, and what to do next. */
export function WorkOrderPage() {
  const { t, language } = useI18n();
  const { id } = useParams();
  const me = useSession();
  const canFulfil = useCan('work-order:fulfil');
  const canAct = useCan('order:act');
  const wo = useWorkOrder(id);
  const backup = useConfirmBackup(id ?? '');
  // catalogue items by their names, not their codes
  const catalogue = useCatalogue(undefined);
  const itemName = (code: string) => {
    const item = catalogue.data?.items.find((i) => i.code === code);
    return item ? (language === 'en-US' ? item.nameEn : item.name) : code;
  };
  if (wo.error) return <ApiErrorAlert error={wo.error} onRetry={() => wo.refetch()} />;
  if (!wo.data) return <PageLoading />;
  const w = wo.data;
  const isUnit = canAct && me.organisation.id !== w.providerId && me.organisation.type === 'using_unit';
  const isProvider = canFulfil && me.organisation.id === w.providerId;
  const awaitsReceipt = w.status === 'open' || w.status === 'disputed';
  const backupFirst = w.action === 'reclaim' || !!w.details.backupFirst;
  const needsBackup = backupFirst && !w.backupConfirmedAt && !w.backupWaived;
  return (
    <>
      <PageHeader
        title={
          <Space>
            {t('workOrders.detailTitle', { orderNo: w.details.orderNo ?? w.orderId.slice(0, 8) })}
            <Tag color={WORK_ORDER_COLOURS[w.status]}>{t(`workOrders.statuses.${w.status}` as MessageKey)}</Tag>
          </Space>
        }
      />
      <Card style={{ marginBottom: 16 }}>
        <Descriptions column={{ xs: 1, md: 2 }} size="small">
          <Descriptions.Item label={t('inventory.unit')}>{w.details.unitName ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('workOrders.system')}>{w.details.systemName ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('workOrders.orderTitle')}>
            {w.details.note ? <CitedText text={localiseServerText(w.details.note, language)} /> : '—'}
          </Descriptions.Item>
          <Descriptions.Item label={t('workOrders.action')}>
            {t(`workOrders.actions.${w.action}` as MessageKey)}
          </Descriptions.Item>
          <Descriptions.Item label={t('inventory.provider')}>{w.providerName ?? w.providerId}</Descriptions.Item>
          <Descriptions.Item label={t('workOrders.dueAt')}>
            {w.status === 'open' ? (
              <WorkOrderDue w={w} format="YYYY-MM-DD HH:mm:ss" kind={false} />
            ) : (
              <DateTime value={w.dueAt} />
            )}
          </Descriptions.Item>
          <Descriptions.Item label={t('workOrders.disputeDueAt')}>
            {w.status === 'disputed' ? (
              <WorkOrderDue w={w} format="YYYY-MM-DD HH:mm:ss" kind={false} />
            ) : (
              <DateTime value={w.disputeDueAt} />
            )}
          </Descriptions.Item>
          {backupFirst ? (
            <Descriptions.Item label={t('workOrders.backup')}>
              {w.backupConfirmedAt ? <DateTime value={w.backupConfirmedAt} /> : t('workOrders.backupPending')}
            </Descriptions.Item>
          ) : null}
          {backupWaiverItems(w, t)}
        </Descriptions>
        <Table<WorkOrderDetail['lines'][number]>
          style={{ marginTop: 16 }}
          rowKey="lineNo"
          size="small"
          pagination={false}
          dataSource={w.lines}
          columns={[
            { key: 'no', title: t('workOrders.line'), dataIndex: 'lineNo' },
            { key: 'item', title: t('inventory.item'), render: (_, l) => itemName(l.catalogueItemCode) },
            {
              key: 'spec',
              title: t('inventory.specification'),
              render: (_, l) => specInWords(l.specification, language),
            },
            { key: 'qty', title: t('workOrders.quantity'), dataIndex: 'quantity' },
          ]}
        />
      </Card>
      {w.overdue ? (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 16 }}
          title={
            w.status === 'disputed'
              ? t('workOrders.disputeOverdue', {
                  due: inBeijingTime(w.disputeDueAt as string).format('YYYY-MM-DD HH:mm'),
                })
              : t('workOrders.deliveryOverdue', { due: inBeijingTime(w.dueAt as string).format('YYYY-MM-DD HH:mm') })
          }
        />
      ) : null}
      <BackupWaiverActions w={w} now={Date.now()} />
      {isUnit && needsBackup && !w.backupWaived ? (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          title={t('workOrders.backupNeeded')}
          action={
            <Button size="small" type="primary" loading={backup.isPending} onClick={() => backup.mutate()}>
              {t('workOrders.confirmBackup')}
            </Button>
          }
        />
      ) : null}
      {isProvider && awaitsReceipt && needsBackup ? (
        <Alert type="info" showIcon style={{ marginBottom: 16 }} title={t('workOrders.backupAwaited')} />
      ) : null}
      {isProvider && awaitsReceipt && !needsBackup ? <ReceiptForm w={w} /> : null}
      {[...w.receipts].reverse().map((r) => (
        <ReceiptCard key={r.id} w={w} receipt={r} canDecide={isUnit} />
      ))}
    </>
  );
}
