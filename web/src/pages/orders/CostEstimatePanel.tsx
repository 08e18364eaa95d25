import { Alert, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { type EstimateLine, useCostEstimate } from '../../api/hooks/order-facts';
import { useI18n } from '../../i18n';

interface DraftLine {
  itemCode?: string;
  quantity?: number;
  specification?: Record<string, unknown>;
}

/** The lines being written, as the estimate takes them: only those with an item, empty fields left out. */
function estimateLines(lines: readonly (DraftLine | undefined)[] | undefined): EstimateLine[] {
  return (lines ?? [])
    .filter((l): l is DraftLine & { itemCode: string } => !!l?.itemCode)
    .map((l) => ({
      itemCode: l.itemCode,
      quantity: l.quantity && l.quantity >= 1 ? l.quantity : 1,
      specification: Object.fromEntries(
        Object.entries(l.specification ?? {}).filter(([, v]) => v !== undefined && v !== null && v !== ''),
      ),
    }));
}

/** `value`, once it has stayed the same for `ms` (no request per keystroke). */
function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/**
 * The order form's monthly cost estimate (issue 16), recomputed by the server from the catalogue in force as
 * lines are added and changed.
 */
export function CostEstimatePanel({ lines }: { lines: readonly (DraftLine | undefined)[] | undefined }) {
  const { t, language } = useI18n();
  const wanted = estimateLines(lines);
  const settled = useSettled(JSON.stringify(wanted), 400);
  const estimate = useCostEstimate(JSON.parse(settled) as EstimateLine[], true);
  const data = wanted.length ? estimate.data : undefined;
  return (
    <Alert
      type="info"
      style={{ marginBottom: 16 }}
      data-testid="order-estimate"
      aria-live="polite"
      message={
        <Typography.Text strong>
          {t('estimate.title')}：
          {data
            ? t('facts.costTotal', { amount: data.total })
            : wanted.length
              ? t('estimate.loading')
              : t('estimate.empty')}
        </Typography.Text>
      }
      description={
        data && (
          <>
            {data.lines.map((l) => (
              <div key={l.lineNo}>
                {l.monthly === null
                  ? `${language === 'en-US' ? l.itemNameEn : l.itemName}：${t('facts.notInCatalogue')}`
                  : t('facts.costLine', {
                      item: language === 'en-US' ? l.itemNameEn : l.itemName,
                      quantity: l.quantity,
                      amount: l.monthly,
                    })}
              </div>
            ))}
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('facts.costBasis', { version: data.catalogueVersionNo, from: data.catalogueEffectiveFrom })}
            </Typography.Text>
          </>
        )
      }
    />
  );
}
