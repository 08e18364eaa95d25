import { Tag } from 'antd';
import type { JurisdictionKind } from '../api/types';
import { useI18n } from '../i18n';

const COLORS: Record<JurisdictionKind, string> = { city: 'blue', district: 'cyan', dedicated_domain: 'purple' };

export function JurisdictionKindTag({ kind }: { kind: JurisdictionKind }) {
  const { t } = useI18n();
  return <Tag color={COLORS[kind]}>{t(`kind.${kind}`)}</Tag>;
}
