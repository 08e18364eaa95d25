import { Alert, Card, Col, Row, Steps, Typography } from 'antd';
import { Link } from 'react-router';
import { useGuide } from '../../api/hooks/shared-data';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { CitedText } from '../../components/Citation';
import { PageHeader } from '../../components/PageHeader';
import { PageLoading } from '../../components/PageLoading';
import { useI18n } from '../../i18n';

/** The service guide (NB 15): how to find, apply for, connect to and use shared data, and how to provide it. */
export function GuidePage() {
  const { t } = useI18n();
  const guide = useGuide();
  if (guide.isLoading) return <PageLoading />;
  if (guide.error || !guide.data) return <ApiErrorAlert error={guide.error} onRetry={() => guide.refetch()} />;
  const g = guide.data;
  const days = g.errorCorrectionWorkingDays;
  return (
    <>
      <PageHeader title={t('sd.guide.title')} description={t('sd.guide.description')} />
      <Alert
        showIcon
        type={g.provided ? 'info' : 'warning'}
        style={{ marginBottom: 16 }}
        message={
          g.provided ? (
            <CitedText
              text={t('sd.guide.provided', {
                policy: g.policyTitle,
                article: g.providedArticle ?? '',
                resources: g.publishedResources,
                providers: g.providers,
              })}
            />
          ) : (
            t('sd.guide.notProvided', { policy: g.policyTitle })
          )
        }
        description={
          g.errorCorrectionOverridden && g.errorCorrectionNote
            ? t('sd.guide.note', { note: g.errorCorrectionNote })
            : undefined
        }
      />
      <Card title={t('sd.guide.steps')} style={{ marginBottom: 16 }}>
        <Steps
          direction="vertical"
          current={-1}
          items={[
            { title: <Link to="/shared-data">{t('sd.nav.catalogue')}</Link>, description: t('sd.guide.step1') },
            {
              title: <Link to="/shared-data/applications">{t('sd.nav.applications')}</Link>,
              description: t('sd.guide.step2'),
            },
            { title: <Link to="/api-tokens">{t('nav.apiTokens')}</Link>, description: t('sd.guide.step3') },
            { title: <Link to="/shared-data/traces">{t('sd.nav.traces')}</Link>, description: t('sd.guide.step4') },
            {
              title: <Link to="/shared-data/errors">{t('sd.nav.errors')}</Link>,
              description:
                days === null
                  ? t('sd.guide.step5NoDays')
                  : t('sd.guide.step5', { days: t('sd.guide.workingDays', { n: days }) }),
            },
          ]}
        />
      </Card>
      <Row gutter={16}>
        <Col xs={24} md={12}>
          <Card title={t('sd.guide.providers')} style={{ marginBottom: 16 }}>
            {(['sd.guide.provider1', 'sd.guide.provider2', 'sd.guide.provider3'] as const).map((k) => (
              <Typography.Paragraph key={k}>{t(k)}</Typography.Paragraph>
            ))}
          </Card>
        </Col>
        <Col xs={24} md={12}>
          <Card title={t('sd.guide.sharingTypes')} style={{ marginBottom: 16 }}>
            {(['sd.guide.unconditional', 'sd.guide.conditional', 'sd.guide.notShared'] as const).map((k) => (
              <Typography.Paragraph key={k}>{t(k)}</Typography.Paragraph>
            ))}
          </Card>
        </Col>
      </Row>
    </>
  );
}
