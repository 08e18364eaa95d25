import { Table, type TableColumnsType, Typography } from 'antd';
import dayjs from 'dayjs';
import { useMemo } from 'react';
import type { Jurisdiction } from '../../api/types';
import { JurisdictionKindTag } from '../../components/JurisdictionKindTag';
import { type Language, type Translate, useI18n } from '../../i18n';
import { buildJurisdictionTree, type JurisdictionNode } from './tree';

function columns(t: Translate, language: Language): TableColumnsType<JurisdictionNode> {
  return [
    {
      key: 'code',
      title: t('jurisdictions.code'),
      dataIndex: 'code',
      render: (code: string) => <Typography.Text code>{code}</Typography.Text>,
    },
    {
      key: 'name',
      title: t('jurisdictions.name'),
      render: (_, row) => (language === 'zh-CN' ? row.name : row.nameEn),
    },
    {
      key: 'kind',
      title: t('jurisdictions.kind'),
      dataIndex: 'kind',
      render: (kind: JurisdictionNode['kind']) => <JurisdictionKindTag kind={kind} />,
    },
    { key: 'policyPack', title: t('jurisdictions.policyPack'), dataIndex: 'policyPack' },
    {
      key: 'createdAt',
      title: t('jurisdictions.createdAt'),
      dataIndex: 'createdAt',
      // The language is a dependency: dayjs formats with the locale switched alongside it.
      render: (createdAt: string) => (
        <time dateTime={createdAt} title={createdAt} lang={language}>
          {dayjs(createdAt).format('LL')}
        </time>
      ),
    },
  ];
}

/** Jurisdictions as a tree: each city cloud with its district clouds and dedicated domains, all expanded. */
export function JurisdictionTable({ items }: { items: readonly Jurisdiction[] }) {
  const { t, language } = useI18n();
  const tree = useMemo(() => buildJurisdictionTree(items), [items]);
  const cols = useMemo(() => columns(t, language), [t, language]);
  return (
    <Table<JurisdictionNode>
      rowKey="code"
      columns={cols}
      dataSource={tree}
      pagination={false}
      expandable={{ defaultExpandAllRows: true }}
      locale={{ emptyText: t('jurisdictions.empty') }}
    />
  );
}
