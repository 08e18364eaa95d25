import { App, Button, Card, Popconfirm, Space, Table, type TableColumnsType, Tabs, Tag, Typography } from 'antd';
import { useState } from 'react';
import { type AdminApprovalStatus, useAdminApprovals, useDecideAdminApproval } from '../../api/hooks/admin-approvals';
import type { components } from '../../api/schema';
import { useSession } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { DateTime, inBeijingTime } from '../../components/DateTime';
import { PageHeader } from '../../components/PageHeader';
import { type MessageKey, useI18n } from '../../i18n';

type Approval = components['schemas']['AdminApproval']['approval'];

const STATUS_COLORS: Record<AdminApprovalStatus, string> = { pending: 'gold', approved: 'green', rejected: 'red' };

/** The third admin's queue (三员分立): what another admin asked to do to an admin account, laid out to decide. */
export function AdminApprovalsPage() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const me = useSession();
  const [tab, setTab] = useState<'pending' | 'decided'>('pending');
  const approvals = useAdminApprovals(tab === 'pending' ? 'pending' : undefined);
  const decide = useDecideAdminApproval();
  const roleName = (role: string) => t(`role.${role}` as MessageKey);

  const changes = (a: Approval): string[] => {
    const lines: string[] = [];
    const c = a.changes;
    if (c.roles) {
      lines.push(
        c.roles.length === 0
          ? t('aa.change.noRoles')
          : t('aa.change.roles', { roles: c.roles.map(roleName).join('、') }),
      );
    }
    const shown = (v: string | null | undefined) => (v ? v : t('aa.change.cleared'));
    if (c.displayName !== undefined) lines.push(t('aa.change.displayName', { value: c.displayName }));
    if (c.email !== undefined) lines.push(t('aa.change.email', { value: shown(c.email) }));
    if (c.mobile !== undefined) lines.push(t('aa.change.mobile', { value: shown(c.mobile) }));
    if (c.disabled !== undefined) lines.push(t(c.disabled ? 'aa.change.disable' : 'aa.change.enable'));
    return lines;
  };

  const onDecide = async (a: Approval, decision: 'approve' | 'reject') => {
    await decide.mutateAsync({ id: a.id, decision });
    void message.success(t(decision === 'approve' ? 'aa.approved' : 'aa.rejected'));
  };

  const columns: TableColumnsType<Approval> = [
    {
      key: 'request',
      title: t('aa.col.request'),
      render: (_, a) => (
        <Space direction="vertical" size={0}>
          <Typography.Text strong>{t(`aa.action.${a.action}` as MessageKey)}</Typography.Text>
          {changes(a).map((line) => (
            <Typography.Text key={line} type="secondary">
              {line}
            </Typography.Text>
          ))}
        </Space>
      ),
    },
    {
      key: 'target',
      title: t('aa.col.target'),
      render: (_, a) => (
        <Space direction="vertical" size={0}>
          <span>{a.targetDisplayName}</span>
          <Typography.Text type="secondary">{roleName(a.targetRole)}</Typography.Text>
        </Space>
      ),
    },
    {
      key: 'requestedBy',
      title: t('aa.col.requestedBy'),
      render: (_, a) => (
        <Space direction="vertical" size={0}>
          <span>{a.requestedByDisplayName}</span>
          <Typography.Text type="secondary">{roleName(a.requestedRole)}</Typography.Text>
        </Space>
      ),
    },
    { key: 'approver', title: t('aa.col.approver'), render: (_, a) => roleName(a.approverRole) },
    {
      key: 'createdAt',
      title: t('aa.col.createdAt'),
      dataIndex: 'createdAt',
      render: (value: string) => <DateTime value={value} format="YYYY-MM-DD HH:mm" />,
    },
    {
      key: 'status',
      title: t('aa.col.status'),
      render: (_, a) => <Tag color={STATUS_COLORS[a.status]}>{t(`aa.status.${a.status}` as MessageKey)}</Tag>,
    },
    {
      key: 'decision',
      title: t('aa.col.decided'),
      render: (_, a) => {
        if (a.status !== 'pending') {
          return a.decidedAt
            ? t('aa.decidedBy', {
                name: a.decidedByDisplayName ?? '—',
                time: inBeijingTime(a.decidedAt).format('YYYY-MM-DD HH:mm'),
              })
            : '—';
        }
        // The server refuses the requester, the target and any other role; the page only says so.
        const mine =
          me.roles.includes(a.approverRole) && a.requestedBy !== me.user.username && a.targetUserId !== me.user.id;
        if (!mine)
          return (
            <Typography.Text type="secondary">{t('aa.notYours', { role: roleName(a.approverRole) })}</Typography.Text>
          );
        return (
          <Space>
            <Popconfirm title={t('aa.approveConfirm')} onConfirm={() => onDecide(a, 'approve')}>
              <Button type="primary" size="small" loading={decide.isPending}>
                {t('aa.approve')}
              </Button>
            </Popconfirm>
            <Popconfirm title={t('aa.rejectConfirm')} onConfirm={() => onDecide(a, 'reject')}>
              <Button danger size="small" loading={decide.isPending}>
                {t('aa.reject')}
              </Button>
            </Popconfirm>
          </Space>
        );
      },
    },
  ];

  return (
    <>
      <PageHeader title={t('aa.title')} description={t('aa.intro')} />
      <Card>
        <Tabs
          activeKey={tab}
          onChange={(key) => setTab(key as 'pending' | 'decided')}
          items={[
            { key: 'pending', label: t('aa.tab.pending') },
            { key: 'decided', label: t('aa.tab.decided') },
          ]}
        />
        {approvals.error ? <ApiErrorAlert error={approvals.error} /> : null}
        {decide.error ? <ApiErrorAlert error={decide.error} /> : null}
        <Table<Approval>
          rowKey="id"
          loading={approvals.isLoading}
          columns={columns}
          dataSource={(approvals.data ?? []).filter((a) => (tab === 'pending' ? true : a.status !== 'pending'))}
          locale={{ emptyText: t('aa.empty') }}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: 900 }}
        />
      </Card>
    </>
  );
}
