import { BankOutlined } from '@ant-design/icons';
import { Skeleton, Space, Tooltip, Typography } from 'antd';
import { useSystemInfo } from '../../api/hooks/system';
import { useI18n } from '../../i18n';

/** The organisation this console belongs to: the installation's default jurisdiction. */
export function Organisation() {
  const { t, language } = useI18n();
  const { data, isPending, isError } = useSystemInfo();
  if (isPending) return <Skeleton.Input active size="small" style={{ width: 160 }} />;
  const jurisdiction = data?.defaultJurisdiction;
  const name = jurisdiction ? (language === 'zh-CN' ? jurisdiction.name : jurisdiction.nameEn) : undefined;
  return (
    <Tooltip title={t('header.organisation')}>
      <Space size={8} data-testid="organisation">
        <BankOutlined />
        <Typography.Text strong={Boolean(name)} type={name ? undefined : 'secondary'}>
          {name ?? (isError ? '—' : t('header.noOrganisation'))}
        </Typography.Text>
      </Space>
    </Tooltip>
  );
}
