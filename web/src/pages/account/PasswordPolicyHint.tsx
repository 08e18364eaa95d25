import { Alert } from 'antd';
import { usePasswordPolicy } from '../../api/hooks/auth';
import { PASSWORD_RULES } from '../../api/identity';
import { useI18n } from '../../i18n';

/** The password rules, before the user types; the server's own findings appear next to the field. */
export function PasswordPolicyHint() {
  const { t } = useI18n();
  // The defaults until the server's answer arrives; they are the policy's minimums.
  const { data } = usePasswordPolicy();
  const rules = {
    minLength: data?.minLength ?? PASSWORD_RULES.minLength,
    classes: data?.characterClasses ?? PASSWORD_RULES.classes,
    history: data?.history ?? PASSWORD_RULES.history,
  };
  return (
    <Alert
      type="info"
      showIcon
      title={t('password.policyTitle')}
      description={
        <ul style={{ margin: 0, paddingInlineStart: 20 }} data-testid="password-policy">
          <li>{t('password.ruleLength', { min: rules.minLength })}</li>
          <li>{t('password.ruleClasses', { classes: rules.classes })}</li>
          <li>{t('password.ruleUsername')}</li>
          <li>{t('password.ruleHistory', { history: rules.history })}</li>
        </ul>
      }
      style={{ marginBottom: 24 }}
    />
  );
}
