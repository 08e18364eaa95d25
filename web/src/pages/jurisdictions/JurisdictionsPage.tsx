import { Card } from 'antd';
import { useJurisdictions } from '../../api/hooks/jurisdictions';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { PageHeader } from '../../components/PageHeader';
import { PageLoading } from '../../components/PageLoading';
import { useI18n } from '../../i18n';
import { JurisdictionTable } from './JurisdictionTable';

export function JurisdictionsPage() {
  const { t } = useI18n();
  const jurisdictions = useJurisdictions();
  return (
    <>
      <PageHeader title={t('nav.jurisdictions')} description={t('jurisdictions.description')} />
      <Card>
        {jurisdictions.isPending && <PageLoading />}
        {jurisdictions.isError && (
          <ApiErrorAlert error={jurisdictions.error} onRetry={() => void jurisdictions.refetch()} />
        )}
        {jurisdictions.isSuccess && <JurisdictionTable items={jurisdictions.data} />}
      </Card>
    </>
  );
}
