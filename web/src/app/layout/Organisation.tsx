import { BankOutlined } from '@ant-design/icons';
import { App, Select, Space, Tooltip, Typography } from 'antd';
import { useSwitchOrganisation } from '../../api/hooks/auth';
import type { MeOrganisation } from '../../api/types';
import { type Language, useI18n } from '../../i18n';
import { useSession } from '../session';

const nameOf = (organisation: Pick<MeOrganisation, 'name' | 'nameEn'>, language: Language) =>
  language === 'zh-CN' ? organisation.name : (organisation.nameEn ?? organisation.name);

/**
 * The organisation the user acts for. Someone holding roles in several (a unit and its sub-unit) switches here;
 * what they see and may do follows the organisation.
 */
export function Organisation() {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const me = useSession();
  const switchOrganisation = useSwitchOrganisation();

  if (me.organisations.length < 2) {
    return (
      <Tooltip title={t('header.organisation')}>
        <Space size={8} data-testid="organisation">
          <BankOutlined />
          <Typography.Text strong>{nameOf(me.organisation, language)}</Typography.Text>
        </Space>
      </Tooltip>
    );
  }
  return (
    <Space size={8}>
      <BankOutlined />
      <Select
        data-testid="organisation"
        aria-label={t('header.switchOrganisation')}
        variant="borderless"
        value={me.organisation.id}
        loading={switchOrganisation.isPending}
        disabled={switchOrganisation.isPending}
        popupMatchSelectWidth={false}
        style={{ minWidth: 0, maxWidth: '100%', fontWeight: 600 }}
        options={me.organisations.map((organisation) => ({
          value: organisation.id,
          label: nameOf(organisation, language),
        }))}
        onChange={(organisationId: string) =>
          switchOrganisation.mutate(organisationId, {
            onSuccess: (next) =>
              void message.success(t('header.switched', { name: nameOf(next.organisation, language) })),
            onError: () => void message.error(t('header.switchFailed')),
          })
        }
      />
    </Space>
  );
}
