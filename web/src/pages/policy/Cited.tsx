import { Flex, Tag, Tooltip, Typography } from 'antd';
import type { ReactNode } from 'react';
import { CitedText } from '../../components/Citation';
import { useI18n } from '../../i18n';

export interface CitedProps {
  /** the value as text; null: the regulation gives none */
  text: string | null;
  article: string | null;
  note?: string;
  overridden?: boolean;
  overrideReason?: string;
  /** the pack's own value, as text, when overridden */
  packText?: string | null;
}

/** A cited policy value: the value with its article, "no statutory deadline" when null, and a local adjustment. */
export function Cited({ text, article, note, overridden, overrideReason, packText }: CitedProps) {
  const { t } = useI18n();
  let body: ReactNode;
  if (text === null) {
    body = (
      <Tag color="default" style={{ marginInlineEnd: 0 }}>
        {t('policyPack.noDeadline')}
      </Tag>
    );
  } else {
    body = <Typography.Text strong>{text}</Typography.Text>;
  }
  return (
    <Flex vertical gap={2}>
      <Flex gap={6} align="center" wrap>
        {body}
        {article && (
          <Typography.Text type="secondary">
            (<CitedText text={article} />)
          </Typography.Text>
        )}
        {overridden && (
          <Tooltip
            title={
              <>
                {overrideReason && <div>{t('policyPack.overrideReason', { reason: overrideReason })}</div>}
                {packText !== undefined && (
                  <div>{t('policyPack.packValue', { value: packText ?? t('policyPack.noDeadline') })}</div>
                )}
              </>
            }
          >
            <Tag color="orange" style={{ marginInlineEnd: 0 }}>
              {t('policyPack.overridden')}
            </Tag>
          </Tooltip>
        )}
      </Flex>
      {overridden && overrideReason && (
        <Typography.Text type="warning" style={{ fontSize: 12 }}>
          {t('policyPack.overrideReason', { reason: overrideReason })}
        </Typography.Text>
      )}
      {note && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          <CitedText text={note} />
        </Typography.Text>
      )}
    </Flex>
  );
}
