import { Card, Descriptions, type DescriptionsProps, Tag } from 'antd';
import { useSystemInfo } from '../../api/hooks/system';
import type { SystemInfo } from '../../api/types';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { type Language, type Translate, useI18n } from '../../i18n';

function items(info: SystemInfo, t: Translate, language: Language): DescriptionsProps['items'] {
  const jurisdiction = info.defaultJurisdiction;
  return [
    { key: 'product', label: t('overview.product'), children: language === 'zh-CN' ? info.name : info.nameEn },
    { key: 'version', label: t('overview.version'), children: <Tag>{info.version}</Tag> },
    {
      key: 'environment',
      label: t('overview.environment'),
      children: (
        <Tag color={info.environment === 'production' ? 'green' : 'gold'}>{t(`environment.${info.environment}`)}</Tag>
      ),
    },
    { key: 'database', label: t('overview.database'), children: t(`database.${info.database}`) },
    {
      key: 'jurisdiction',
      label: t('overview.defaultJurisdiction'),
      children: jurisdiction ? (language === 'zh-CN' ? jurisdiction.name : jurisdiction.nameEn) : t('common.none'),
    },
  ];
}

export function SystemInfoCard() {
  const { t, language } = useI18n();
  const info = useSystemInfo();
  return (
    <Card title={t('overview.systemCard')} loading={info.isPending} style={{ height: '100%' }}>
      {info.isError && <ApiErrorAlert error={info.error} onRetry={() => void info.refetch()} />}
      {info.isSuccess && (
        <Descriptions
          column={1}
          bordered
          size="small"
          items={items(info.data, t, language)}
          data-testid="system-info"
        />
      )}
    </Card>
  );
}
