import { App, Button, Flex, Input, Modal } from 'antd';
import { useState } from 'react';
import { ApiError, localiseServerText } from '../../api/errors';
import { type Decision, useActOnOrder } from '../../api/hooks/orders';
import { useI18n } from '../../i18n';

/** Approve / reject / return one order's current step, with an optional comment. */
export function ActButtons({ orderId, stepKey, disabled }: { orderId: string; stepKey: string; disabled?: boolean }) {
  const { t, language } = useI18n();
  const { message } = App.useApp();
  const act = useActOnOrder();
  const [decision, setDecision] = useState<Decision | undefined>(undefined);
  const [comment, setComment] = useState('');

  const submit = () => {
    if (!decision) return;
    act.mutate(
      { id: orderId, body: { decision, stepKey, comment: comment.trim() || undefined } },
      {
        onSuccess: () => {
          void message.success(t(`orders.decided.${decision}`));
          setDecision(undefined);
          setComment('');
        },
        onError: (error) =>
          void message.error(
            error instanceof ApiError ? localiseServerText(error.detail ?? error.title, language) : String(error),
          ),
      },
    );
  };

  return (
    <>
      <Flex gap={8}>
        <Button type="primary" disabled={disabled} onClick={() => setDecision('approve')}>
          {t('orders.approve')}
        </Button>
        <Button danger disabled={disabled} onClick={() => setDecision('reject')}>
          {t('orders.reject')}
        </Button>
        <Button disabled={disabled} onClick={() => setDecision('return')}>
          {t('orders.return')}
        </Button>
      </Flex>
      {decision && (
        <Modal
          open
          title={t(`orders.confirm.${decision}`)}
          okText={t('common.confirm')}
          cancelText={t('common.cancel')}
          okButtonProps={{ danger: decision === 'reject' }}
          confirmLoading={act.isPending}
          onOk={submit}
          onCancel={() => setDecision(undefined)}
        >
          <Input.TextArea
            rows={3}
            placeholder={t('orders.comment')}
            value={comment}
            onChange={(e) => setComment(e.target.value)}
            maxLength={2000}
          />
        </Modal>
      )}
    </>
  );
}
