import { Card, Empty, Typography } from 'antd';
import { Link } from 'react-router';
import { useJurisdictions } from '../../api/hooks/jurisdictions';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { useI18n } from '../../i18n';
import { JurisdictionKindChart } from './JurisdictionKindChart';

export function JurisdictionsCard() {
  const { t } = useI18n();
  const jurisdictions = useJurisdictions();
  const count = jurisdictions.data?.length ?? 0;
  return (
    <Card
      title={t('overview.chartCard')}
      loading={jurisdictions.isPending}
      extra={jurisdictions.isSuccess && <Link to="/jurisdictions">{t('overview.chartTotal', { count })}</Link>}
      style={{ height: '100%' }}
    >
      {jurisdictions.isError && (
        <ApiErrorAlert error={jurisdictions.error} onRetry={() => void jurisdictions.refetch()} />
      )}
      {jurisdictions.isSuccess &&
        (count === 0 ? (
          <Empty description={<Typography.Text type="secondary">{t('overview.chartEmpty')}</Typography.Text>} />
        ) : (
          <JurisdictionKindChart items={jurisdictions.data} />
        ))}
    </Card>
  );
}
