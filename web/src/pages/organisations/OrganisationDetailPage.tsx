import { EditOutlined, TeamOutlined } from '@ant-design/icons';
import {
  Button,
  Card,
  Descriptions,
  type DescriptionsProps,
  Flex,
  Table,
  type TableColumnsType,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useParams } from 'react-router';
import { useJurisdictions } from '../../api/hooks/jurisdictions';
import { useContactHistory, useContacts, useOrganisation, useOrganisations } from '../../api/hooks/organisations';
import type { Contact, Organisation } from '../../api/types';
import { useCan } from '../../app/session';
import { ApiErrorAlert } from '../../components/ApiErrorAlert';
import { DateTime } from '../../components/DateTime';
import { OrganisationTypeTag } from '../../components/OrganisationTypeTag';
import { PageHeader } from '../../components/PageHeader';
import { PageLoading } from '../../components/PageLoading';
import { type Translate, useI18n } from '../../i18n';
import { ContactKindTag } from './ContactKindTag';
import { ContactsModal } from './ContactsModal';
import { organisationName } from './names';
import { OrganisationFormModal } from './OrganisationFormModal';

/** One organisation: what it is, who its contacts are, and who they were. */
export function OrganisationDetailPage() {
  const { id = '' } = useParams();
  const { t, language } = useI18n();
  const organisation = useOrganisation(id);
  const canManage = useCan('organisation:manage');
  const [editing, setEditing] = useState(false);

  if (organisation.isPending) return <PageLoading />;
  if (organisation.isError) {
    return <ApiErrorAlert error={organisation.error} onRetry={() => void organisation.refetch()} />;
  }
  const data = organisation.data;
  return (
    <>
      <PageHeader
        title={organisationName(data, language)}
        description={<OrganisationTypeTag type={data.type} />}
        extra={
          canManage && (
            <Button icon={<EditOutlined />} onClick={() => setEditing(true)}>
              {t('organisations.edit')}
            </Button>
          )
        }
      />
      <Flex vertical gap={16}>
        <Card title={t('organisations.basics')}>
          <Basics organisation={data} />
        </Card>
        <ContactsCard organisationId={data.id} />
        <ContactHistoryCard organisationId={data.id} />
      </Flex>
      {editing && <OrganisationFormModal organisation={data} onClose={() => setEditing(false)} />}
    </>
  );
}

function Basics({ organisation }: { organisation: Organisation }) {
  const { t, language } = useI18n();
  const jurisdictions = useJurisdictions();
  const directory = useOrganisations({}, { enabled: organisation.parentId !== null });
  const jurisdiction = jurisdictions.data?.find((j) => j.id === organisation.jurisdictionId);
  const parent = directory.data?.find((o) => o.id === organisation.parentId);
  const items: DescriptionsProps['items'] = [
    {
      key: 'code',
      label: t('organisations.code'),
      children: <Typography.Text code>{organisation.code}</Typography.Text>,
    },
    { key: 'name', label: t('organisations.name'), children: organisation.name },
    { key: 'nameEn', label: t('organisations.nameEn'), children: organisation.nameEn ?? '—' },
    { key: 'type', label: t('organisations.type'), children: <OrganisationTypeTag type={organisation.type} /> },
    {
      key: 'jurisdiction',
      label: t('organisations.jurisdiction'),
      children: jurisdiction ? (language === 'zh-CN' ? jurisdiction.name : jurisdiction.nameEn) : '—',
    },
    {
      key: 'parent',
      label: t('organisations.parent'),
      children: parent ? organisationName(parent, language) : '—',
    },
    { key: 'creditCode', label: t('organisations.creditCode'), children: organisation.creditCode ?? '—' },
    { key: 'createdAt', label: t('organisations.createdAt'), children: <DateTime value={organisation.createdAt} /> },
    { key: 'updatedAt', label: t('organisations.updatedAt'), children: <DateTime value={organisation.updatedAt} /> },
  ];
  return (
    <Descriptions bordered size="small" column={{ xs: 1, md: 2 }} items={items} data-testid="organisation-basics" />
  );
}

function contactColumns(t: Translate, history: boolean): TableColumnsType<Contact> {
  const columns: TableColumnsType<Contact> = [
    {
      key: 'kind',
      title: t('contacts.kind'),
      dataIndex: 'kind',
      render: (kind: Contact['kind']) => <ContactKindTag kind={kind} />,
    },
    { key: 'name', title: t('contacts.name'), dataIndex: 'name' },
    { key: 'position', title: t('contacts.position'), render: (_, row) => row.position ?? '—' },
    { key: 'phone', title: t('contacts.phone'), render: (_, row) => row.phone ?? '—' },
    { key: 'mobile', title: t('contacts.mobile'), render: (_, row) => row.mobile ?? '—' },
    { key: 'email', title: t('contacts.email'), render: (_, row) => row.email ?? '—' },
    {
      key: 'validFrom',
      title: t('contacts.validFrom'),
      dataIndex: 'validFrom',
      render: (value: string) => <DateTime value={value} format="YYYY-MM-DD HH:mm" />,
    },
  ];
  if (!history) return columns;
  return [
    ...columns,
    {
      key: 'validTo',
      title: t('contacts.validTo'),
      render: (_, row) =>
        row.validTo ? (
          <DateTime value={row.validTo} format="YYYY-MM-DD HH:mm" />
        ) : (
          <Tag color="green">{t('contacts.current')}</Tag>
        ),
    },
    { key: 'changedBy', title: t('contacts.changedBy'), render: (_, row) => row.changedBy ?? '—' },
  ];
}

function ContactsCard({ organisationId }: { organisationId: string }) {
  const { t } = useI18n();
  const contacts = useContacts(organisationId);
  const canManage = useCan('contact:manage');
  const [editing, setEditing] = useState(false);
  return (
    <Card
      title={t('contacts.title')}
      extra={
        canManage &&
        contacts.isSuccess && (
          <Button icon={<TeamOutlined />} onClick={() => setEditing(true)}>
            {t('contacts.edit')}
          </Button>
        )
      }
    >
      {contacts.isError ? (
        <ApiErrorAlert error={contacts.error} onRetry={() => void contacts.refetch()} />
      ) : (
        <Table<Contact>
          rowKey="id"
          size="small"
          loading={contacts.isPending}
          columns={contactColumns(t, false)}
          dataSource={contacts.data}
          pagination={false}
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: t('contacts.empty') }}
          data-testid="contacts"
        />
      )}
      {editing && contacts.data && (
        <ContactsModal organisationId={organisationId} contacts={contacts.data} onClose={() => setEditing(false)} />
      )}
    </Card>
  );
}

function ContactHistoryCard({ organisationId }: { organisationId: string }) {
  const { t } = useI18n();
  const history = useContactHistory(organisationId);
  return (
    <Card title={t('contacts.history')}>
      {history.isError ? (
        <ApiErrorAlert error={history.error} onRetry={() => void history.refetch()} />
      ) : (
        <Table<Contact>
          rowKey="id"
          size="small"
          loading={history.isPending}
          columns={contactColumns(t, true)}
          dataSource={history.data}
          pagination={{ pageSize: 10, hideOnSinglePage: true }}
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: t('contacts.historyEmpty') }}
          data-testid="contact-history"
        />
      )}
    </Card>
  );
}
