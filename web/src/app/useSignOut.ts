import { useQueryClient } from '@tanstack/react-query';
import { App } from 'antd';
import { useNavigate } from 'react-router';
import { signedOut, useLogout } from '../api/hooks/auth';
import { useI18n } from '../i18n';

/** Ends the session, leaves for the login page, then forgets the user's data. */
export function useSignOut() {
  const logout = useLogout();
  const navigate = useNavigate();
  const client = useQueryClient();
  const { message } = App.useApp();
  const { t } = useI18n();
  const signOut = () =>
    logout.mutate(undefined, {
      onSuccess: async () => {
        await navigate('/login', { replace: true });
        signedOut(client);
        void message.success({ key: 'signed-out', content: t('user.signedOut') });
      },
      onError: () => void message.error({ key: 'signed-out', content: t('user.signOutFailed') }),
    });
  return { signOut, pending: logout.isPending };
}
