import { UserOutlined } from '@ant-design/icons';
import { Avatar, Space, Typography } from 'antd';
import { Link } from 'react-router';
import { useI18n } from '../../i18n';

/** Who is signed in. There are no sessions until the identity module lands, so: nobody, and a way to sign in. */
export function UserArea() {
  const { t } = useI18n();
  return (
    <Space size={8} data-testid="user-area">
      <Avatar size="small" icon={<UserOutlined />} />
      <Typography.Text type="secondary">{t('user.notSignedIn')}</Typography.Text>
      <Link to="/login">{t('user.signIn')}</Link>
    </Space>
  );
}
