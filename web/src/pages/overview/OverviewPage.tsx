import { Col, Row } from 'antd';
import { PageHeader } from '../../components/PageHeader';
import { useI18n } from '../../i18n';
import { JurisdictionsCard } from './JurisdictionsCard';
import { SystemInfoCard } from './SystemInfoCard';

export function OverviewPage() {
  const { t } = useI18n();
  return (
    <>
      <PageHeader title={t('nav.overview')} description={t('overview.description')} />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <SystemInfoCard />
        </Col>
        <Col xs={24} xl={12}>
          <JurisdictionsCard />
        </Col>
      </Row>
    </>
  );
}
