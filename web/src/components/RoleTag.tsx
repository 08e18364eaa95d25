import { Tag } from 'antd';
import { isAdminRole, isRole } from '../api/identity';
import { useI18n } from '../i18n';

/** A role by its name in the console's language; the three admin roles stand out. Unknown roles show their code. */
export function RoleTag({ role }: { role: string }) {
  const { t } = useI18n();
  return (
    <Tag color={isAdminRole(role) ? 'error' : 'blue'} title={role} style={{ marginInlineEnd: 0 }}>
      {isRole(role) ? t(`role.${role}`) : role}
    </Tag>
  );
}
