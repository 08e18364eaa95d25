import { Tag } from 'antd';
import { ORGANISATION_TYPES } from '../api/identity';
import type { OrganisationType } from '../api/types';
import { useI18n } from '../i18n';

const COLORS: Record<OrganisationType, string> = {
  competent_authority: 'geekblue',
  economy_it_authority: 'purple',
  finance: 'gold',
  cloud_operations_unit: 'cyan',
  cloud_service_provider: 'green',
  using_unit: 'blue',
  security_supervisor: 'magenta',
};

const isOrganisationType = (type: string): type is OrganisationType =>
  (ORGANISATION_TYPES as readonly string[]).includes(type);

export function OrganisationTypeTag({ type }: { type: string }) {
  const { t } = useI18n();
  if (!isOrganisationType(type)) return <Tag>{type}</Tag>;
  return <Tag color={COLORS[type]}>{t(`orgType.${type}`)}</Tag>;
}
