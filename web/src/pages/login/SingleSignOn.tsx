import { SafetyCertificateOutlined } from '@ant-design/icons';
import { Button, Divider } from 'antd';
import { beginSingleSignOn, singleSignOnUrl } from '../../api/hooks/auth';
import { useSystemInfo } from '../../api/hooks/system';
import { useI18n } from '../../i18n';

/** Sign-in through the unified identity platform (统一身份认证), offered when the server has it configured. */
export function SingleSignOn({ next }: { next: string }) {
  const { t } = useI18n();
  const info = useSystemInfo();
  if (!info.data?.sso) return null;
  return (
    <>
      <Divider plain>{t('login.or')}</Divider>
      <Button block icon={<SafetyCertificateOutlined />} href={singleSignOnUrl(next)} onClick={beginSingleSignOn}>
        {t('login.sso')}
      </Button>
    </>
  );
}
