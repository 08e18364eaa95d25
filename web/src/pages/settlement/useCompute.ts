import { App } from 'antd';
import { formatFen, useSettle } from '../../api/hooks/settlement';
import { useI18n } from '../../i18n';

/** Computes (or recomputes) a month's settlement and says what came of it. */
export function useCompute() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const settle = useSettle();
  const compute = (month: string, jurisdiction?: string) =>
    settle.mutate(
      { month, jurisdiction },
      {
        onSuccess: ({ run, changed }) =>
          void message.success(
            t(changed ? 'settlement.computed' : 'settlement.computedUnchanged', {
              month: run.month,
              count: run.statementCount,
              total: formatFen(run.totalFen),
            }),
          ),
      },
    );
  return { settle, compute };
}
