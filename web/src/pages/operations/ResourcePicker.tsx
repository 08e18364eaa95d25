import { Select } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { type Resource, useResources } from '../../api/hooks/inventory';

type Props = {
  /** Several resources (a maintenance window, an incident) or one (a ticket). */
  multiple?: boolean;
  /** Only this provider's resources; `null`: none yet (no provider chosen). */
  providerId?: string | null;
  /** The option's words; the name by default. */
  labelOf?: (r: Resource) => string;
  /** Set by the enclosing Form.Item. */
  value?: string | string[] | null;
  onChange?: (value: string | string[] | undefined) => void;
  id?: string;
};

/**
 * The caller's live resources by name, for a form: the first 200 at once, and typing searches the whole inventory
 * on the server, so a unit or a provider with thousands of resources finds any of them. A chosen resource keeps its
 * name while another search is shown.
 */
export function ResourcePicker({ multiple, providerId, labelOf = (r) => r.name, value, onChange, id }: Props) {
  const [search, setSearch] = useState('');
  const [term, setTerm] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setTerm(search.trim()), 250);
    return () => clearTimeout(timer);
  }, [search]);
  const scope = providerId ? { providerId } : {};
  const enabled = providerId !== null;
  const first = useResources({ sort: 'name', order: 'asc', ...scope }, { limit: 200, offset: 0 }, { enabled });
  const found = useResources(
    { sort: 'name', order: 'asc', ...scope, q: term },
    { limit: 100, offset: 0 },
    { enabled: enabled && term !== '' },
  );
  const labels = useRef(new Map<string, string>());
  const isLive = (r: Resource) => r.state !== 'reclaimed' && (providerId === undefined || r.providerId === providerId);
  const shown = (term === '' ? (first.data?.items ?? []) : (found.data?.items ?? [])).filter(isLive);
  for (const r of shown) labels.current.set(r.id, labelOf(r));
  const chosen = value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
  const options = [
    ...shown.map((r) => ({ value: r.id, label: labelOf(r) })),
    ...chosen
      .filter((v) => !shown.some((r) => r.id === v))
      .map((v) => ({ value: v, label: labels.current.get(v) ?? '' })),
  ];
  return (
    <Select
      id={id}
      mode={multiple ? 'multiple' : undefined}
      allowClear
      showSearch
      filterOption={false}
      searchValue={search}
      onSearch={setSearch}
      value={value ?? undefined}
      onChange={(v) => {
        setSearch('');
        onChange?.(v);
      }}
      loading={first.isLoading || found.isFetching}
      options={options}
    />
  );
}

/** The zones of the caller's live resources (with `providerId`, that provider's). */
export function useResourceZones(providerId?: string | null): string[] {
  const scope = providerId ? { providerId } : {};
  const first = useResources(
    { sort: 'name', order: 'asc', ...scope },
    { limit: 200, offset: 0 },
    { enabled: providerId !== null },
  );
  const live = (first.data?.items ?? []).filter((r) => r.state !== 'reclaimed');
  return [...new Set(live.map((r) => r.zone).filter((z): z is string => !!z))];
}
