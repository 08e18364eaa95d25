import {
  AuditOutlined,
  InfoCircleOutlined,
  KeyOutlined,
  SafetyCertificateOutlined,
  TeamOutlined,
} from '@ant-design/icons';
import { Card, Col, List, Row, Space, Typography } from 'antd';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { useSession } from '../../app/session';
import { PageHeader } from '../../components/PageHeader';
import { RoleTag } from '../../components/RoleTag';
import { type MessageKey, useI18n } from '../../i18n';
import {
  MonitoringCard,
  OrdersCard,
  OverdueCard,
  QuotaCard,
  ReconciliationCard,
  SpendingByUnitCard,
  SpendingCard,
  WorkOrdersCard,
} from './cards';
import { TodoCard } from './TodoCard';

interface Section {
  key: string;
  /** shown when the acting roles hold every one of these permissions */
  needs: readonly string[];
  /** and none of these (a unit's cost card is not the authorities') */
  not?: readonly string[];
  wide?: boolean;
  node: ReactNode;
}

/** Each role's work, in the order the role reads it; a section shows when the role may open its list. */
const SECTIONS: readonly Section[] = [
  { key: 'todo', needs: ['order:act'], node: <TodoCard /> },
  { key: 'orders', needs: ['order:place'], node: <OrdersCard /> },
  { key: 'workOrders', needs: ['work-order:fulfil'], wide: true, node: <WorkOrdersCard /> },
  { key: 'overdue', needs: ['order:oversee'], node: <OverdueCard /> },
  { key: 'monitoring', needs: ['monitoring:manage'], node: <MonitoringCard /> },
  { key: 'reconciliation', needs: ['inventory:reconcile'], node: <ReconciliationCard /> },
  { key: 'quota', needs: ['order:place', 'project:read'], node: <QuotaCard /> },
  { key: 'spending', needs: ['settlement:read'], node: <SpendingCard /> },
  { key: 'spendingByUnit', needs: ['settlement:read', 'budget:set'], node: <SpendingByUnitCard /> },
];

/** Where an administrator or auditor starts: the pages they work in. */
const ADMIN_LINKS: readonly { to: string; label: MessageKey; icon: ReactNode; needs: string }[] = [
  { to: '/users', label: 'nav.users', icon: <TeamOutlined />, needs: 'user:read' },
  {
    to: '/security-policy',
    label: 'nav.securityPolicy',
    icon: <SafetyCertificateOutlined />,
    needs: 'security-policy:manage',
  },
  { to: '/audit', label: 'nav.audit', icon: <AuditOutlined />, needs: 'audit:read' },
  { to: '/api-tokens', label: 'nav.apiTokens', icon: <KeyOutlined />, needs: 'token:manage' },
  { to: '/about', label: 'nav.about', icon: <InfoCircleOutlined />, needs: 'user:read' },
];

/** The home page: the signed-in role's to-dos with their due times, its counts and the figures it answers for. */
export function HomePage() {
  const { t } = useI18n();
  const me = useSession();
  const holds = (p: string) => me.permissions.includes(p);
  const sections = SECTIONS.filter((s) => s.needs.every(holds) && !(s.not ?? []).some(holds));
  const links = ADMIN_LINKS.filter((l) => holds(l.needs));
  return (
    <>
      <PageHeader
        title={t('home.title', { name: me.user.displayName })}
        description={
          <Space wrap size={4}>
            <span data-testid="home-organisation">{me.organisation.name}</span>
            {me.roles.map((r) => (
              <RoleTag key={r} role={r} />
            ))}
          </Space>
        }
      />
      <Row gutter={[16, 16]}>
        {sections.map((s) => (
          <Col key={s.key} xs={24} xl={s.wide ? 24 : 12} data-testid={`home-section-${s.key}`}>
            {s.node}
          </Col>
        ))}
        {links.length > 0 && (
          <Col xs={24} xl={12} data-testid="home-section-admin">
            <Card title={t('home.admin.title')}>
              <List
                dataSource={links}
                renderItem={(l) => (
                  <List.Item key={l.to}>
                    <Link to={l.to}>
                      <Space>
                        {l.icon}
                        {t(l.label)}
                      </Space>
                    </Link>
                  </List.Item>
                )}
              />
            </Card>
          </Col>
        )}
        {sections.length === 0 && links.length === 0 && (
          <Col xs={24}>
            <Card>
              <Typography.Paragraph>{t('home.nothing')}</Typography.Paragraph>
            </Card>
          </Col>
        )}
      </Row>
    </>
  );
}
