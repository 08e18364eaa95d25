import { Flex, Spin, Typography } from 'antd';
import { useI18n } from '../i18n';

/** Placeholder while a page's code or first data arrives. */
export function PageLoading() {
  const { t } = useI18n();
  return (
    <Flex vertical justify="center" align="center" gap={12} style={{ minHeight: 240 }} role="status">
      <Spin size="large" />
      <Typography.Text type="secondary">{t('common.loading')}</Typography.Text>
    </Flex>
  );
}
