import { Collapse, Flex, Table, type TableColumnsType, Tag, Typography } from 'antd';
import type { PolicyDeadline, PolicyOrderTypeName, PolicyOrderTypes, PolicyStep } from '../../api/types';
import { CitedText } from '../../components/Citation';
import { RoleTag } from '../../components/RoleTag';
import { type Translate, useI18n } from '../../i18n';
import { Cited } from './Cited';

type Unit = NonNullable<PolicyDeadline['unit']>;

function amount(t: Translate, value: number | null, unit: Unit | null): string | null {
  if (value === null) return null;
  return unit ? t(`policyPack.unit.${unit}`, { value }) : String(value);
}

export function DeadlineCell({ deadline }: { deadline: PolicyDeadline }) {
  const { t } = useI18n();
  return (
    <Cited
      text={amount(t, deadline.value, deadline.unit)}
      article={deadline.article}
      note={deadline.note}
      overridden={deadline.overridden}
      overrideReason={deadline.overrideReason}
      packText={
        deadline.overridden
          ? deadline.packValue
            ? amount(t, deadline.packValue.value, deadline.packValue.unit)
            : null
          : undefined
      }
    />
  );
}

/** Every order type of a pack with its steps: who acts and within which deadline. */
export function OrderTypes({ orderTypes }: { orderTypes: PolicyOrderTypes }) {
  const { t, language } = useI18n();
  const columns: TableColumnsType<PolicyStep> = [
    {
      key: 'name',
      title: t('policyPack.step'),
      width: 280,
      render: (_, step) => (
        <Flex vertical gap={2}>
          <Flex gap={6} wrap>
            <Typography.Text>{language === 'en-US' ? step.name.en : step.name.zh}</Typography.Text>
            {step.when === 'quota_overrun' && <Tag color="gold">{t('policyPack.onOverrun')}</Tag>}
          </Flex>
          {step.note && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              <CitedText text={step.note} />
            </Typography.Text>
          )}
        </Flex>
      ),
    },
    { key: 'role', title: t('policyPack.role'), width: 160, render: (_, step) => <RoleTag role={step.role} /> },
    {
      key: 'deadline',
      title: t('policyPack.deadline'),
      render: (_, step) => <DeadlineCell deadline={step.deadline} />,
    },
  ];
  const names = Object.keys(orderTypes) as PolicyOrderTypeName[];
  return (
    <Collapse
      defaultActiveKey={names.filter((name) => orderTypes[name].enabled.value !== false)}
      items={names.map((name) => {
        const type = orderTypes[name];
        const enabled = type.enabled.value !== false;
        return {
          key: name,
          label: (
            <Flex gap={8} align="center" wrap>
              <Typography.Text strong>{t(`policyPack.orderType.${name}`)}</Typography.Text>
              {type.enabled.article && (
                <Typography.Text type="secondary">
                  (<CitedText text={type.enabled.article} />)
                </Typography.Text>
              )}
              {!enabled && <Tag>{t('policyPack.disabled')}</Tag>}
              {type.enabled.overridden && <Tag color="orange">{t('policyPack.overridden')}</Tag>}
            </Flex>
          ),
          children: (
            <Table<PolicyStep> rowKey="id" size="small" columns={columns} dataSource={type.steps} pagination={false} />
          ),
        };
      })}
    />
  );
}
