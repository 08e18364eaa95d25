import { LockOutlined, SafetyOutlined, UserOutlined } from '@ant-design/icons';
import { Alert, Button, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { ApiError } from '../../api/errors';
import { useLogin } from '../../api/hooks/auth';
import type { LoginInput } from '../../api/types';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { useI18n } from '../../i18n';
import { loginErrorMessage } from './loginErrors';

interface Credentials {
  username: string;
  password: string;
}

/**
 * Sign-in in one or two steps: user name and password; then, for an account with a second factor (the server
 * answers totp_required), the 6-digit code from the authenticator app, sent together with the password again.
 * On success the session is remembered and the login page moves on by itself.
 */
export function LoginForm() {
  const { t } = useI18n();
  const login = useLogin();
  const [credentials, setCredentials] = useState<Credentials | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [passwordForm] = Form.useForm<Credentials>();
  const [totpForm] = Form.useForm<{ totp: string }>();

  const submit = (input: LoginInput) => {
    setError(null);
    login.mutate(input, {
      onError: (failure) => {
        if (failure instanceof ApiError && failure.code === 'totp_required') {
          setCredentials({ username: input.username, password: input.password });
          return;
        }
        setError(failure);
        if (failure instanceof ApiError && failure.code === 'invalid_credentials') {
          // Whatever was wrong, the password is typed again; the TOTP step starts over with it.
          passwordForm.setFieldValue('password', '');
          setCredentials(null);
        }
        if (failure instanceof ApiError && failure.code === 'invalid_totp') totpForm.setFieldValue('totp', '');
      },
    });
  };

  const friendly = loginErrorMessage(error, t);
  const errorAlert = error ? (
    <div style={{ marginBottom: 16 }} data-testid="login-error">
      <ApiErrorAlert error={error} title={friendly} compact={Boolean(friendly)} />
    </div>
  ) : null;

  if (credentials) {
    return (
      <>
        <Alert
          type="info"
          showIcon
          icon={<SafetyOutlined />}
          title={t('login.totpTitle')}
          description={t('login.totpBody', { username: credentials.username })}
          style={{ marginBottom: 16 }}
        />
        {errorAlert}
        <Form
          form={totpForm}
          layout="vertical"
          requiredMark={false}
          onFinish={({ totp }) => submit({ ...credentials, totp })}
          data-testid="login-totp-form"
        >
          <Form.Item
            label={t('login.totp')}
            name="totp"
            rules={[{ required: true, pattern: /^\d{6}$/, message: t('login.totpInvalid') }]}
          >
            <Input
              prefix={<SafetyOutlined />}
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={6}
              autoFocus
              placeholder="000000"
            />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={login.isPending}>
            {t('login.verify')}
          </Button>
          <Button
            type="link"
            block
            style={{ marginTop: 8 }}
            onClick={() => {
              setCredentials(null);
              setError(null);
            }}
          >
            {t('login.back')}
          </Button>
        </Form>
      </>
    );
  }

  return (
    <>
      {errorAlert}
      <Form
        form={passwordForm}
        layout="vertical"
        requiredMark={false}
        onFinish={(values) => submit(values)}
        data-testid="login-form"
      >
        <Form.Item
          label={t('login.username')}
          name="username"
          rules={[{ required: true, message: t('login.usernameRequired') }]}
        >
          <Input prefix={<UserOutlined />} autoComplete="username" autoFocus />
        </Form.Item>
        <Form.Item
          label={t('login.password')}
          name="password"
          rules={[{ required: true, message: t('login.passwordRequired') }]}
        >
          <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={login.isPending}>
          {t('login.submit')}
        </Button>
      </Form>
      <Typography.Paragraph type="secondary" style={{ marginTop: 16, marginBottom: 0, fontSize: 12 }}>
        {t('login.help')}
      </Typography.Paragraph>
    </>
  );
}
