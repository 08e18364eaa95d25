import { Alert, Flex, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useI18n } from '../i18n';

export interface SecretOnceProps {
  /** what the secret is, e.g. "临时密码" */
  label: ReactNode;
  secret: string;
  /** why it is shown only now, and what to do with it */
  hint: ReactNode;
  testId?: string;
}

/** A secret the server shows once (temporary password, API token): large, copyable, with a warning. */
export function SecretOnce({ label, secret, hint, testId }: SecretOnceProps) {
  const { t } = useI18n();
  return (
    <Flex vertical gap={12}>
      <Alert type="warning" showIcon title={t('secret.onceTitle')} description={hint} />
      <Typography.Text type="secondary">{label}</Typography.Text>
      <Typography.Paragraph
        copyable={{ text: secret, tooltips: [t('secret.copy'), t('secret.copied')] }}
        code
        data-testid={testId}
        // a secret a person copies into another system: shown as it is
        data-verbatim
        style={{ fontSize: 16, wordBreak: 'break-all', margin: 0 }}
      >
        {secret}
      </Typography.Paragraph>
    </Flex>
  );
}
