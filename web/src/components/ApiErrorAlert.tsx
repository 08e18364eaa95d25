import { Alert, Button, Typography } from 'antd';
import type { ReactNode } from 'react';
import { ApiError, CLIENT_ERROR_CODES, localiseServerText } from '../api/errors';
import { type Translate, useI18n } from '../i18n';

export interface ApiErrorAlertProps {
  error: unknown;
  onRetry?: () => void;
  /** What to say instead of the server's title (e.g. a friendlier sentence for a known code). */
  title?: ReactNode;
  /**
   * The form already shows the field errors next to their fields: say only what failed and the request id,
   * without the detail and the list of fields.
   */
  compact?: boolean;
}

function errorTitle(error: unknown, t: Translate): string {
  if (!(error instanceof ApiError)) return t('error.loadFailed');
  if (error.code === CLIENT_ERROR_CODES.network) return t('error.network');
  if (error.code === CLIENT_ERROR_CODES.invalidResponse) return t('error.invalidResponse');
  return error.title || t('error.http', { status: error.status });
}

/** Shows why a request failed: the server's (localised) title and detail, field errors, and the request id. */
export function ApiErrorAlert({ error, onRetry, title, compact = false }: ApiErrorAlertProps) {
  const { t, language } = useI18n();
  const apiError = error instanceof ApiError ? error : undefined;
  const description = (
    <>
      {!compact && apiError?.detail && (
        <Typography.Paragraph style={{ marginBottom: 4 }}>
          {localiseServerText(apiError.detail, language)}
        </Typography.Paragraph>
      )}
      {!compact && apiError && apiError.fields.length > 0 && (
        <ul style={{ margin: '0 0 4px', paddingInlineStart: 20 }}>
          {apiError.fields.map((field) => (
            <li key={`${field.field}:${field.message}`}>
              <Typography.Text code>{field.field}</Typography.Text> {localiseServerText(field.message, language)}
            </li>
          ))}
        </ul>
      )}
      {apiError?.requestId && (
        <Typography.Text type="secondary">
          {/* the number support asks for: copied, not read (people never read an id) */}
          {t('error.requestId')}{' '}
          <Typography.Text copyable={{ text: apiError.requestId }} data-request-id={apiError.requestId} />
        </Typography.Text>
      )}
    </>
  );
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      title={title ?? errorTitle(error, t)}
      description={description}
      action={
        onRetry && (
          <Button size="small" onClick={onRetry}>
            {t('error.retry')}
          </Button>
        )
      }
    />
  );
}
