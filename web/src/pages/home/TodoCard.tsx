import { Badge, Card, Empty, Flex, List, Typography } from 'antd';
import { Link } from 'react-router';
import { useInbox } from '../../api/hooks/orders';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { useI18n } from '../../i18n';
import { StepDue, useStepName } from '../orders/StepDue';

/** How many to-dos the home page lists; the rest are one click away in the inbox. */
const SHOWN = 8;

/**
 * The steps waiting for the signed-in user (the order inbox, the same list the 待办 page shows, so the counts
 * agree), earliest due first, red when past the due time. "Overdue" comes from the due time, not the sweep.
 */
export function TodoCard() {
  const { t } = useI18n();
  const stepName = useStepName();
  const inbox = useInbox();
  const items = inbox.data?.items ?? [];
  const overdue = items.filter((i) => i.step.overdue).length;
  return (
    <Card
      title={
        <Flex gap={8} align="center">
          {t('home.todo.title')}
          <Badge count={items.length} showZero color="#1677ff" data-testid="home-todo-count" />
        </Flex>
      }
      extra={<Link to="/orders/inbox">{t('home.todo.all')}</Link>}
      loading={inbox.isPending}
      style={{ height: '100%' }}
    >
      {inbox.isError && <ApiErrorAlert error={inbox.error} onRetry={() => void inbox.refetch()} />}
      {inbox.isSuccess && (
        <>
          <Typography.Paragraph type={overdue ? 'danger' : 'secondary'} data-testid="home-todo-summary">
            {t('home.todo.summary', { total: items.length, overdue })}
          </Typography.Paragraph>
          {items.length === 0 ? (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('home.todo.empty')} />
          ) : (
            <List
              size="small"
              dataSource={items.slice(0, SHOWN)}
              renderItem={(i) => (
                <List.Item key={`${i.orderId}.${i.step.key}`}>
                  <Flex vertical gap={2} style={{ minWidth: 0, flex: 1 }}>
                    <Link to={`/orders/${i.orderId}`}>{i.orderTitle}</Link>
                    <Typography.Text type="secondary">
                      {i.orderNumber} · {stepName(i.step.name)}
                    </Typography.Text>
                  </Flex>
                  <StepDue step={i.step} />
                </List.Item>
              )}
            />
          )}
        </>
      )}
    </Card>
  );
}
