import { Col, Row } from 'antd';
import { PageHeader } from '../../components/PageHeader';
import { useI18n } from '../../i18n';
import { JurisdictionsCard } from '../overview/JurisdictionsCard';
import { SystemInfoCard } from '../overview/SystemInfoCard';

/** What this installation is (product, version, database) and its jurisdictions: for administrators. */
export function AboutPage() {
  const { t } = useI18n();
  return (
    <>
      <PageHeader title={t('nav.about')} description={t('overview.description')} />
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
