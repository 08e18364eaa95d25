import {
  Alert,
  App,
  Button,
  Card,
  Form,
  Input,
  Modal,
  Popconfirm,
  Space,
  Table,
  type TableColumnsType,
  Tag,
} from 'antd';
import { useState } from 'react';
import {
  formatCoefficient,
  type SettlementUnit,
  useSetBudget,
  useSetCoefficient,
  useSettlementUnits,
} from '../../api/hooks/settlement';
import { useCan } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { DateTime } from '../../components/DateTime';
import { useServerErrors } from '../../components/formErrors';
import { ServerErrorAlert } from '../../components/ServerErrorAlert';
import { type MessageKey, useI18n } from '../../i18n';
import { COEFFICIENT_PATTERN, STATUS_COLOURS } from './shared';

/**
 * What an authority sets for settlement: each unit's efficiency coefficient for the month (coefficient:set;
 * default 1, refused once the month is confirmed) and whether the unit is outside the city budget (budget:set:
 * finance and the competent authority). Both take effect at the month's next computation.
 */
export function CoefficientsTab({ month }: { month: string }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const canCoefficient = useCan('coefficient:set');
  const canBudget = useCan('budget:set');
  const units = useSettlementUnits(month);
  const budget = useSetBudget();
  const [editing, setEditing] = useState<SettlementUnit | undefined>();
  const items = units.data?.items ?? [];
  const runStatus = items[0]?.runStatus ?? null;
  const closed = items.length > 0 && items.every((u) => u.runStatus === 'closed');

  const columns: TableColumnsType<SettlementUnit> = [
    {
      key: 'unit',
      title: t('settlement.unit'),
      render: (_, u) => (
        <>
          {u.name} <Tag>{u.code}</Tag>
        </>
      ),
    },
    { key: 'jurisdiction', title: t('settlement.jurisdiction'), dataIndex: 'jurisdiction' },
    {
      key: 'budget',
      title: t('settlement.billedTo'),
      render: (_, u) =>
        u.outsideCityBudget ? <Tag color="purple">{t('settlement.billedToUnits')}</Tag> : t('settlement.cityBudget'),
    },
    {
      key: 'coefficient',
      title: t('settlement.coefficientOf', { month }),
      render: (_, u) =>
        u.coefficientSet ? <strong>{formatCoefficient(u.coefficient)}</strong> : t('settlement.coefficientDefault'),
    },
    { key: 'note', title: t('settlement.coefficientNote'), render: (_, u) => u.note ?? '' },
    {
      key: 'setBy',
      title: t('settlement.setBy'),
      render: (_, u) =>
        u.setAt ? (
          <>
            {u.setByName ?? t('settlement.setBySystem')} · <DateTime value={u.setAt} format="YYYY-MM-DD HH:mm" />
          </>
        ) : (
          ''
        ),
    },
    {
      key: 'actions',
      title: t('settlement.actions'),
      render: (_, u) => (
        <Space>
          {canCoefficient && u.runStatus !== 'closed' && (
            <Button size="small" onClick={() => setEditing(u)}>
              {t('settlement.setCoefficient')}
            </Button>
          )}
          {canBudget && (
            <Popconfirm
              title={t(u.outsideCityBudget ? 'settlement.budgetBackTitle' : 'settlement.budgetOutTitle', {
                unit: u.name,
              })}
              description={t('settlement.budgetHint')}
              okText={t('common.confirm')}
              cancelText={t('common.cancel')}
              onConfirm={() =>
                budget.mutate(
                  { organisationId: u.organisationId, outsideCityBudget: !u.outsideCityBudget },
                  { onSuccess: () => void message.success(t('settlement.budgetSaved', { unit: u.name })) },
                )
              }
            >
              <Button size="small" loading={budget.isPending && budget.variables?.organisationId === u.organisationId}>
                {t(u.outsideCityBudget ? 'settlement.budgetBack' : 'settlement.budgetOut')}
              </Button>
            </Popconfirm>
          )}
        </Space>
      ),
    },
  ];

  return (
    <Card
      size="small"
      title={t('settlement.coefficientsOf', { month })}
      extra={
        runStatus ? (
          <Tag color={STATUS_COLOURS[runStatus]}>
            {t('settlement.runStatus', { status: t(`settlement.statuses.${runStatus}` as MessageKey) })}
          </Tag>
        ) : (
          <Tag>{t('settlement.notComputed')}</Tag>
        )
      }
    >
      <Alert
        type={closed ? 'warning' : 'info'}
        showIcon
        style={{ marginBottom: 16 }}
        title={closed ? t('settlement.coefficientsClosed', { month }) : t('settlement.coefficientsHint')}
      />
      {budget.error && <ApiErrorAlert error={budget.error} compact />}
      {units.error ? (
        <ApiErrorAlert error={units.error} onRetry={() => void units.refetch()} />
      ) : (
        <Table
          rowKey="organisationId"
          size="small"
          loading={units.isPending}
          columns={columns}
          dataSource={items}
          pagination={{ pageSize: 50 }}
          scroll={{ x: true }}
        />
      )}
      {editing && <CoefficientModal unit={editing} month={month} onClose={() => setEditing(undefined)} />}
    </Card>
  );
}

interface Values {
  coefficient: string;
  note?: string;
}

function CoefficientModal({ unit, month, onClose }: { unit: SettlementUnit; month: string; onClose: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const server = useServerErrors(form);
  const save = useSetCoefficient();

  const onFinish = (values: Values) => {
    server.clear();
    save.mutate(
      {
        organisationId: unit.organisationId,
        month,
        coefficient: values.coefficient.trim(),
        note: values.note?.trim() || undefined,
      },
      {
        onSuccess: (saved) => {
          void message.success(
            t('settlement.coefficientSaved', {
              unit: unit.name,
              month,
              coefficient: formatCoefficient(saved.coefficient),
            }),
          );
          onClose();
        },
        onError: server.onError,
      },
    );
  };

  return (
    <Modal
      open
      title={t('settlement.coefficientTitle', { unit: unit.name, month })}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={save.isPending}
    >
      <ServerErrorAlert server={server} />
      <Form
        form={form}
        layout="vertical"
        name="coefficient-form"
        initialValues={{ coefficient: formatCoefficient(unit.coefficient), note: unit.note ?? '' }}
        onFinish={onFinish}
      >
        <Form.Item
          label={t('settlement.coefficient')}
          name="coefficient"
          extra={t('settlement.coefficientExtra')}
          rules={[
            { required: true, whitespace: true, message: t('settlement.coefficientRequired') },
            {
              validator: (_, value: string | undefined) =>
                !value?.trim() || COEFFICIENT_PATTERN.test(value.trim())
                  ? Promise.resolve()
                  : Promise.reject(new Error(t('settlement.coefficientInvalid'))),
            },
          ]}
        >
          <Input inputMode="decimal" style={{ width: 160 }} />
        </Form.Item>
        <Form.Item
          label={t('settlement.coefficientNote')}
          name="note"
          rules={[
            // a person's coefficient overrides the evaluation's and says why (issue 17)
            { required: true, whitespace: true, message: t('ev.required', { what: t('settlement.coefficientNote') }) },
            { max: 500, message: t('settlement.coefficientNoteTooLong') },
          ]}
        >
          <Input.TextArea rows={2} placeholder={t('settlement.coefficientNotePlaceholder')} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
