import { SafetyOutlined } from '@ant-design/icons';
import { App, Button, Card, Col, Flex, Form, Input, QRCode, Result, Row, Skeleton, Steps, Typography } from 'antd';
import { useEffect, useRef } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { useConfirmTotpEnrolment, useStartTotpEnrolment } from '../../api/hooks/auth';
import { safeNext } from '../../app/redirects';
import { useSession } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { useServerErrors } from '../../components/formErrors';
import { PageHeader } from '../../components/PageHeader';
import { ServerErrorAlert } from '../../components/ServerErrorAlert';
import { useI18n } from '../../i18n';

/**
 * Setting up the second factor (TOTP): a new secret as a QR code and as text, then a code from the app to
 * prove it works. Required at first login for the three admin roles; for everyone else, from the user menu.
 */
export function TotpEnrolmentPage() {
  const { t } = useI18n();
  const me = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  if (me.user.totpEnabled) {
    return (
      <Result
        status="success"
        title={t('totp.alreadyEnabled')}
        subTitle={t('totp.alreadyEnabledBody')}
        extra={
          <Button type="primary" onClick={() => void navigate(safeNext(params.get('next')))}>
            {t('totp.continue')}
          </Button>
        }
      />
    );
  }
  return <Enrolment />;
}

function Enrolment() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const start = useStartTotpEnrolment();
  const confirm = useConfirmTotpEnrolment();
  const [form] = Form.useForm<{ code: string }>();
  const server = useServerErrors(form);

  // One secret per visit: the ref survives React's development double-run of effects.
  const started = useRef(false);
  const { mutate: startEnrolment } = start;
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    startEnrolment();
  }, [startEnrolment]);

  const onFinish = ({ code }: { code: string }) => {
    server.clear();
    // A promise rather than mutate callbacks: lifting the restriction swaps the layout, and this page with it.
    confirm.mutateAsync(code).then(
      () => {
        void message.success(t('totp.enabled'));
        void navigate(safeNext(params.get('next')), { replace: true });
      },
      (error: unknown) => {
        form.setFieldValue('code', '');
        server.onError(error);
      },
    );
  };

  const enrolment = start.data;
  return (
    <>
      <PageHeader title={t('totp.title')} description={t('totp.description')} />
      <Card>
        <Steps
          orientation="vertical"
          size="small"
          current={enrolment ? 1 : 0}
          items={[
            {
              title: t('totp.stepScan'),
              content: (
                <div style={{ paddingBlock: 8 }}>
                  {start.isError && <ApiErrorAlert error={start.error} onRetry={() => start.mutate()} />}
                  {start.isPending && <Skeleton.Node active style={{ width: 180, height: 180 }} />}
                  {enrolment && (
                    <Row gutter={[24, 16]} align="middle">
                      <Col flex="none">
                        <QRCode value={enrolment.uri} size={180} errorLevel="M" aria-label={t('totp.qrAria')} />
                      </Col>
                      <Col flex="auto" style={{ minWidth: 240 }}>
                        <Typography.Paragraph type="secondary">{t('totp.scanHint')}</Typography.Paragraph>
                        <Typography.Text type="secondary">{t('totp.secretLabel')}</Typography.Text>
                        <Typography.Paragraph
                          code
                          copyable={{ text: enrolment.secret }}
                          data-testid="totp-secret"
                          data-verbatim
                          style={{ fontSize: 16, wordBreak: 'break-all' }}
                        >
                          {enrolment.secret}
                        </Typography.Paragraph>
                      </Col>
                    </Row>
                  )}
                </div>
              ),
            },
            {
              title: t('totp.stepConfirm'),
              content: (
                <div style={{ paddingBlock: 8, maxWidth: 360 }}>
                  <ServerErrorAlert server={server} />
                  <Form form={form} layout="vertical" requiredMark={false} onFinish={onFinish} disabled={!enrolment}>
                    <Form.Item
                      label={t('totp.code')}
                      name="code"
                      rules={[{ required: true, pattern: /^\d{6}$/, message: t('login.totpInvalid') }]}
                    >
                      <Input
                        prefix={<SafetyOutlined />}
                        inputMode="numeric"
                        autoComplete="one-time-code"
                        maxLength={6}
                        placeholder="000000"
                      />
                    </Form.Item>
                    <Flex gap={8}>
                      <Button type="primary" htmlType="submit" loading={confirm.isPending}>
                        {t('totp.confirm')}
                      </Button>
                      <Button onClick={() => start.mutate()} disabled={start.isPending}>
                        {t('totp.newSecret')}
                      </Button>
                    </Flex>
                  </Form>
                </div>
              ),
            },
          ]}
        />
      </Card>
    </>
  );
}
