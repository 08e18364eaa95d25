import { App, Button, Card, Form, Input } from 'antd';
import { useNavigate, useSearchParams } from 'react-router';
import { useChangePassword } from '../../api/hooks/auth';
import { safeNext } from '../../app/redirects';
import { useSession } from '../../app/session';
import { useServerErrors } from '../../components/formErrors';
import { PageHeader } from '../../components/PageHeader';
import { ServerErrorAlert } from '../../components/ServerErrorAlert';
import { useI18n } from '../../i18n';
import { PasswordPolicyHint } from './PasswordPolicyHint';

interface Values {
  currentPassword: string;
  newPassword: string;
  confirmPassword: string;
}

/** One's own password: required at first login and after a reset, otherwise from the user menu. */
export function ChangePasswordPage() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const me = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [form] = Form.useForm<Values>();
  const change = useChangePassword();
  const server = useServerErrors(form);

  const onFinish = ({ currentPassword, newPassword }: Values) => {
    server.clear();
    // A promise rather than mutate callbacks: lifting the restriction swaps the layout, and this page with it.
    change.mutateAsync({ currentPassword, newPassword }).then(() => {
      void message.success(t('password.changed'));
      void navigate(safeNext(params.get('next')), { replace: true });
    }, server.onError);
  };

  return (
    <>
      <PageHeader title={t('password.title')} description={t('password.description', { username: me.user.username })} />
      <Card style={{ maxWidth: 640 }}>
        <PasswordPolicyHint />
        <ServerErrorAlert server={server} />
        <Form form={form} layout="vertical" requiredMark={false} onFinish={onFinish} data-testid="password-form">
          <Form.Item
            label={t('password.current')}
            name="currentPassword"
            rules={[{ required: true, message: t('password.currentRequired') }]}
          >
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          <Form.Item
            label={t('password.new')}
            name="newPassword"
            rules={[{ required: true, message: t('password.newRequired') }]}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Form.Item
            label={t('password.confirm')}
            name="confirmPassword"
            dependencies={['newPassword']}
            rules={[
              { required: true, message: t('password.confirmRequired') },
              ({ getFieldValue }) => ({
                validator: (_, value) =>
                  !value || value === getFieldValue('newPassword')
                    ? Promise.resolve()
                    : Promise.reject(new Error(t('password.mismatch'))),
              }),
            ]}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={change.isPending}>
            {t('password.submit')}
          </Button>
        </Form>
      </Card>
    </>
  );
}
