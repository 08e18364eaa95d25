import { SearchOutlined } from '@ant-design/icons';
import { AutoComplete, Input } from 'antd';
import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { type Found, useGlobalSearch } from '../../api/hooks/search';
import { type MessageKey, useI18n } from '../../i18n';
import { useCan } from '../session';

const KINDS: Found['kind'][] = ['order', 'resource', 'project', 'system', 'unit'];

/** The header's search box (issue 16): type two characters, pick a result, land on its page. */
export function GlobalSearch() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [text, setText] = useState('');
  const [settled, setSettled] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setSettled(text), 300);
    return () => clearTimeout(timer);
  }, [text]);
  const scopes = {
    orders: useCan('order:read'),
    resources: useCan('inventory:read'),
    projects: useCan('project:read'),
    units: useCan('organisation:read'),
  };
  const found = useGlobalSearch(settled, scopes);
  const results = found.data ?? [];
  const options = KINDS.map((kind) => ({
    label: t(`search.kind.${kind}` as MessageKey),
    options: results
      .filter((r) => r.kind === kind)
      .map((r) => ({
        value: `${r.kind}:${r.id}`,
        label: (
          <span data-testid="search-result">
            {r.label}
            {r.detail ? <span style={{ opacity: 0.75 }}> · {r.detail}</span> : null}
          </span>
        ),
      })),
  })).filter((group) => group.options.length > 0);
  return (
    <AutoComplete
      style={{ width: 280 }}
      value={text}
      options={options}
      onChange={setText}
      notFoundContent={settled.trim().length >= 2 && found.isSuccess ? t('search.none') : undefined}
      onSelect={(value: string) => {
        const hit = results.find((r) => `${r.kind}:${r.id}` === value);
        setText('');
        if (hit) void navigate(hit.path);
      }}
    >
      <Input
        aria-label={t('search.label')}
        placeholder={t('search.placeholder')}
        prefix={<SearchOutlined aria-hidden />}
        allowClear
        data-testid="global-search"
      />
    </AutoComplete>
  );
}
