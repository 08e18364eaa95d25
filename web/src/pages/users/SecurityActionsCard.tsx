import { App, Button, Card, Flex, Modal, Popconfirm, Typography } from 'antd';
import { useState } from 'react';
import { type SecurityAction, useSecurityAction } from '../../api/hooks/users';
import type { User } from '../../api/types';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { SecretOnce } from '../../components/SecretOnce';
import { type MessageKey, useI18n } from '../../i18n';

const ACTIONS: readonly { action: SecurityAction; label: MessageKey; confirm: MessageKey; danger?: boolean }[] = [
  { action: 'unlock', label: 'security.unlock', confirm: 'security.unlockConfirm' },
  { action: 'reset-password', label: 'security.resetPassword', confirm: 'security.resetPasswordConfirm', danger: true },
  { action: 'reset-totp', label: 'security.resetTotp', confirm: 'security.resetTotpConfirm', danger: true },
  {
    action: 'revoke-sessions',
    label: 'security.revokeSessions',
    confirm: 'security.revokeSessionsConfirm',
    danger: true,
  },
];

/** The security admin's actions on an account; a reset password is shown once. */
export function SecurityActionsCard({ user }: { user: User }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const run = useSecurityAction(user.id);
  const [temporaryPassword, setTemporaryPassword] = useState<string | null>(null);

  const disabled = (action: SecurityAction) =>
    (action === 'unlock' && !user.locked) || (action === 'reset-totp' && !user.totpEnabled);

  return (
    <Card title={t('security.title')}>
      <Typography.Paragraph type="secondary">{t('security.description')}</Typography.Paragraph>
      {run.isError && (
        <div style={{ marginBottom: 16 }}>
          <ApiErrorAlert error={run.error} />
        </div>
      )}
      <Flex gap={8} wrap>
        {ACTIONS.map(({ action, label, confirm, danger }) => (
          <Popconfirm
            key={action}
            title={t(confirm, { username: user.username })}
            okText={t('common.confirm')}
            cancelText={t('common.cancel')}
            okButtonProps={{ danger }}
            disabled={disabled(action)}
            onConfirm={() =>
              run.mutateAsync(action).then(
                (result) => {
                  if ('approval' in result) {
                    void message.success(t('users.approvalRequested'));
                    return;
                  }
                  void message.success(
                    result.passwordDelivery === 'mail'
                      ? t('users.passwordMailed')
                      : t('security.done', { action: t(label) }),
                  );
                  if (result.temporaryPassword) setTemporaryPassword(result.temporaryPassword);
                },
                () => undefined,
              )
            }
          >
            <Button danger={danger} disabled={disabled(action)} loading={run.isPending && run.variables === action}>
              {t(label)}
            </Button>
          </Popconfirm>
        ))}
      </Flex>
      <Modal
        open={temporaryPassword !== null}
        title={t('security.resetPasswordDone', { username: user.username })}
        onCancel={() => setTemporaryPassword(null)}
        onOk={() => setTemporaryPassword(null)}
        okText={t('common.done')}
        cancelButtonProps={{ style: { display: 'none' } }}
      >
        {temporaryPassword && (
          <SecretOnce
            label={t('users.temporaryPassword')}
            secret={temporaryPassword}
            hint={t('users.temporaryPasswordHint')}
            testId="temporary-password"
          />
        )}
      </Modal>
    </Card>
  );
}
