import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { Alert, Button, Form, Input } from 'antd';
import { useI18n } from '../../i18n';

/**
 * The sign-in form, shown but switched off: there is no account sign-in until the identity module lands
 * (POST /api/v1/auth/login). It submits nothing and pretends nothing.
 */
export function LoginForm() {
  const { t } = useI18n();
  return (
    <>
      <Alert
        type="info"
        showIcon
        title={t('login.noticeTitle')}
        description={t('login.noticeBody')}
        style={{ marginBottom: 24 }}
        data-testid="login-notice"
      />
      <Form layout="vertical" disabled requiredMark={false} aria-disabled="true" data-testid="login-form">
        <Form.Item label={t('login.username')} name="username">
          <Input prefix={<UserOutlined />} autoComplete="username" />
        </Form.Item>
        <Form.Item label={t('login.password')} name="password">
          <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block>
          {t('login.submit')}
        </Button>
      </Form>
    </>
  );
}
