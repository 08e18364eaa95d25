import { Alert } from 'antd';
import { PASSWORD_RULES } from '../../api/identity';
import { useI18n } from '../../i18n';

/** The password rules, before the user types; the server's own findings appear next to the field. */
export function PasswordPolicyHint() {
  const { t } = useI18n();
  return (
    <Alert
      type="info"
      showIcon
      title={t('password.policyTitle')}
      description={
        <ul style={{ margin: 0, paddingInlineStart: 20 }} data-testid="password-policy">
          <li>{t('password.ruleLength', { min: PASSWORD_RULES.minLength })}</li>
          <li>{t('password.ruleClasses', { classes: PASSWORD_RULES.classes })}</li>
          <li>{t('password.ruleUsername')}</li>
          <li>{t('password.ruleHistory', { history: PASSWORD_RULES.history })}</li>
        </ul>
      }
      style={{ marginBottom: 24 }}
    />
  );
}
