import { ApiErrorAlert } from './ApiErrorAlert';
import type { ServerErrors } from './formErrors';

/** What a form's server-side failure left after its field errors went onto their fields; nothing when all is well. */
export function ServerErrorAlert({ server }: { server: Pick<ServerErrors, 'error' | 'compact'> }) {
  if (!server.error) return null;
  return (
    <div style={{ marginBottom: 16 }}>
      <ApiErrorAlert error={server.error} compact={server.compact} />
    </div>
  );
}
