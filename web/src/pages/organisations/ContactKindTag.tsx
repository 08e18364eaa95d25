import { Tag } from 'antd';
import type { ContactKind } from '../../api/types';
import { useI18n } from '../../i18n';

export function ContactKindTag({ kind }: { kind: ContactKind }) {
  const { t } = useI18n();
  return <Tag color={kind === 'information_officer' ? 'blue' : 'red'}>{t(`contactKind.${kind}`)}</Tag>;
}
