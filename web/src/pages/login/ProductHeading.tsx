import { Flex, Skeleton, Tag, Typography } from 'antd';
import { useSystemInfo } from '../../api/hooks/system';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { Logo } from '../../components/Logo';
import { useI18n } from '../../i18n';

/** Product name, version and the jurisdiction this installation serves, as the server reports them. */
export function ProductHeading() {
  const { t, language } = useI18n();
  const info = useSystemInfo();
  const jurisdiction = info.data?.defaultJurisdiction;
  return (
    <Flex vertical align="center" gap={8} style={{ marginBottom: 24, textAlign: 'center' }}>
      <Logo size={48} />
      <Typography.Title level={3} style={{ margin: 0 }}>
        {info.data ? (language === 'zh-CN' ? info.data.name : info.data.nameEn) : t('app.fullName')}
      </Typography.Title>
      {info.isPending && <Skeleton active title={false} paragraph={{ rows: 1, width: 200 }} />}
      {info.isError && (
        <div style={{ width: '100%', textAlign: 'start' }}>
          <ApiErrorAlert error={info.error} onRetry={() => void info.refetch()} />
        </div>
      )}
      {info.isSuccess && (
        <Flex gap={8} wrap justify="center" data-testid="login-system">
          <Tag>{t('login.version', { version: info.data.version })}</Tag>
          {jurisdiction && (
            <Tag color="blue">
              {t('login.jurisdiction', { name: language === 'zh-CN' ? jurisdiction.name : jurisdiction.nameEn })}
            </Tag>
          )}
        </Flex>
      )}
    </Flex>
  );
}
