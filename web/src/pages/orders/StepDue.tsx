import { Tag, Tooltip, Typography } from 'antd';
import type { OrderStep } from '../../api/hooks/orders';
import { useCite } from '../../components/Citation';
import { DateTime } from '../../components/DateTime';
import { useI18n } from '../../i18n';

/** The step's name in the console's language. */
export function useStepName() {
  const { language } = useI18n();
  return (name: { zh: string; en: string }) => (language === 'en-US' ? name.en : name.zh);
}

/** When a step is due, red when overdue; "no statutory deadline" when the pack gives none. */
export function StepDue({ step }: { step: OrderStep }) {
  const { t } = useI18n();
  const cite = useCite();
  if (!step.dueAt) {
    return <Typography.Text type="secondary">{t('orders.noDeadline')}</Typography.Text>;
  }
  const article = step.deadline.article ? ` (${cite(step.deadline.article)})` : '';
  return (
    <Tooltip
      title={`${step.deadline.value ?? ''} ${step.deadline.unit ? t(`orders.deadlineUnit.${step.deadline.unit as DeadlineUnit}`) : ''}${article}`}
    >
      <span style={{ color: step.overdue ? '#cf1322' : undefined }} data-overdue={step.overdue || undefined}>
        <DateTime value={step.dueAt} format="YYYY-MM-DD HH:mm" />
        {step.overdue && (
          <Tag color="red" style={{ marginInlineStart: 8 }}>
            {t('orders.overdue')}
          </Tag>
        )}
        {step.provisional && (
          <Tag color="gold" style={{ marginInlineStart: 8 }}>
            {t('orders.provisional')}
          </Tag>
        )}
      </span>
    </Tooltip>
  );
}

export type DeadlineUnit = 'working_days' | 'calendar_days' | 'months';

/** Whether a finished step met its deadline. */
export function MetTag({ step }: { step: OrderStep }) {
  const { t } = useI18n();
  if (step.metDeadline === null) return step.overdue ? <Tag color="red">{t('orders.overdue')}</Tag> : null;
  return step.metDeadline ? <Tag color="green">{t('orders.met')}</Tag> : <Tag color="red">{t('orders.missed')}</Tag>;
}
