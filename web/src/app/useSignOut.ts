import { useQueryClient } from '@tanstack/react-query';
import { App } from 'antd';
import { signedOut, useLogout } from '../api/hooks/auth';
import { useI18n } from '../i18n';
import { markSigningOut } from './redirects';

/**
 * Ends the session and forgets the user; the frame then leaves for the login page (without a way back: the
 * user chose to go). The login page clears the mark when it opens.
 */
export function useSignOut() {
  const logout = useLogout();
  const client = useQueryClient();
  const { message } = App.useApp();
  const { t } = useI18n();
  const signOut = () =>
    logout.mutate(undefined, {
      onSuccess: () => {
        markSigningOut(true);
        signedOut(client);
        void message.success({ key: 'signed-out', content: t('user.signedOut') });
      },
      onError: () => void message.error({ key: 'signed-out', content: t('user.signOutFailed') }),
    });
  return { signOut, pending: logout.isPending };
}
