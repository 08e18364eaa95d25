import { Tag } from 'antd';
import type { Stage } from '../../api/hooks/data-centres';
import { type MessageKey, useI18n } from '../../i18n';

export const STAGE_COLOR: Record<Stage, string> = {
  registered: 'default',
  applied: 'processing',
  retained: 'success',
  transition: 'warning',
  migrating: 'orange',
  closed: 'default',
};

export function StageTag({ stage }: { stage: Stage }) {
  const { t } = useI18n();
  return <Tag color={STAGE_COLOR[stage]}>{t(`dc.stage.${stage}` as MessageKey)}</Tag>;
}

const APPLICATION_COLOR = {
  draft: 'default',
  submitted: 'processing',
  evaluated: 'processing',
  approved: 'success',
  refused: 'error',
  withdrawn: 'default',
} as const;

export function ApplicationStatusTag({ status }: { status: keyof typeof APPLICATION_COLOR }) {
  const { t } = useI18n();
  return <Tag color={APPLICATION_COLOR[status]}>{t(`dc.appStatus.${status}` as MessageKey)}</Tag>;
}

export const yesNo = (t: (k: MessageKey) => string, v: boolean) => t(v ? 'dc.yes' : 'dc.no');
