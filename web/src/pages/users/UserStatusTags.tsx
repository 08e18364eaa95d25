import { Space, Tag } from 'antd';
import type { User } from '../../api/types';
import { useI18n } from '../../i18n';

/** Disabled, locked, second factor, password to change: what an administrator looks at first. */
export function UserStatusTags({ user }: { user: User }) {
  const { t } = useI18n();
  return (
    <Space size={[4, 4]} wrap>
      {user.disabled ? <Tag>{t('users.disabled')}</Tag> : <Tag color="green">{t('users.active')}</Tag>}
      {user.locked && <Tag color="red">{t('users.locked')}</Tag>}
      {user.totpEnabled && <Tag color="cyan">{t('users.totp')}</Tag>}
      {user.mustChangePassword && <Tag color="orange">{t('users.mustChangePassword')}</Tag>}
    </Space>
  );
}
