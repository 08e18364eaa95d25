import { ClearOutlined } from '@ant-design/icons';
import { Button, Flex, Input, Select } from 'antd';
import { useEffect, useState } from 'react';
import { useCatalogue } from '../../api/hooks/catalogue';
import { RESOURCE_STATES, type ResourceFilter, type ResourceState } from '../../api/hooks/inventory';
import { useOrganisations } from '../../api/hooks/organisations';
import { useProjects, useSystems } from '../../api/hooks/projects';
import { useCan, useSession } from '../../app/session';
import { type Language, type MessageKey, useI18n } from '../../i18n';
import { organisationName } from '../organisations/names';
import { isFiltered, PURPOSES, type Purpose } from './inventoryView';

type Change = (patch: Partial<ResourceFilter>) => void;
interface Option {
  value: string;
  label: string;
}

const byLabel = (a: Option, b: Option) => a.label.localeCompare(b.label, 'zh-CN');

/** A select the user can type in; each option list comes from the list API of its module, in the caller's scope. */
function SearchSelect(props: {
  label: string;
  width: number;
  value: string | undefined;
  options: Option[];
  loading: boolean;
  onChange: (value: string | undefined) => void;
}) {
  return (
    <Select
      allowClear
      aria-label={props.label}
      placeholder={props.label}
      style={{ width: props.width }}
      showSearch={{ optionFilterProp: 'label' }}
      loading={props.loading}
      value={props.value}
      onChange={(v?: string) => props.onChange(v)}
      options={props.options}
      popupMatchSelectWidth={false}
    />
  );
}

/** Using units in the caller's scope; shown when there is a choice (a unit with sub-units, or a jurisdiction). */
function UnitFilter({ value, onChange }: { value?: string; onChange: Change }) {
  const { t, language } = useI18n();
  const units = useOrganisations({ type: 'using_unit' });
  const options = (units.data ?? []).map((o) => ({ value: o.id, label: organisationName(o, language) }));
  if (units.isSuccess && options.length < 2 && !value) return null;
  return (
    <SearchSelect
      label={t('inventory.unit')}
      width={220}
      value={value}
      loading={units.isLoading}
      options={options.sort(byLabel)}
      onChange={(v) => onChange({ organisationId: v })}
    />
  );
}

function ProviderFilter({ value, onChange }: { value?: string; onChange: Change }) {
  const { t, language } = useI18n();
  const providers = useOrganisations({ type: 'cloud_service_provider' });
  return (
    <SearchSelect
      label={t('inventory.provider')}
      width={200}
      value={value}
      loading={providers.isLoading}
      options={(providers.data ?? []).map((o) => ({ value: o.id, label: organisationName(o, language) })).sort(byLabel)}
      onChange={(v) => onChange({ providerId: v })}
    />
  );
}

/** "name" or, when the list spans several units, "name（unit）". */
function ownedOptions(
  rows: { id: string; name: string; organisationName?: string | null }[],
  unit: string | undefined,
) {
  const units = new Set(rows.map((r) => r.organisationName));
  return rows
    .map((r) => ({
      value: r.id,
      label: units.size > 1 && !unit && r.organisationName ? `${r.name}（${r.organisationName}）` : r.name,
    }))
    .sort(byLabel);
}

/** Information systems and projects; narrowed to the chosen unit's. Only for roles that may read them. */
function SystemFilter({ filter, onChange }: { filter: ResourceFilter; onChange: Change }) {
  const { t } = useI18n();
  const systems = useSystems();
  const rows = (systems.data?.items ?? []).filter(
    (s) => !filter.organisationId || s.organisationId === filter.organisationId || s.id === filter.systemId,
  );
  return (
    <SearchSelect
      label={t('inventory.system')}
      width={220}
      value={filter.systemId}
      loading={systems.isLoading}
      options={ownedOptions(rows, filter.organisationId)}
      onChange={(v) => onChange({ systemId: v })}
    />
  );
}

function ProjectFilter({ filter, onChange }: { filter: ResourceFilter; onChange: Change }) {
  const { t } = useI18n();
  const projects = useProjects();
  const rows = (projects.data?.items ?? []).filter(
    (p) => !filter.organisationId || p.organisationId === filter.organisationId || p.id === filter.projectId,
  );
  return (
    <SearchSelect
      label={t('inventory.project')}
      width={220}
      value={filter.projectId}
      loading={projects.isLoading}
      options={ownedOptions(rows, filter.organisationId)}
      onChange={(v) => onChange({ projectId: v })}
    />
  );
}

const itemName = (i: { name: string; nameEn?: string | null }, language: Language) =>
  language === 'zh-CN' ? i.name : (i.nameEn ?? i.name);

/** Items of the catalogue in force; an item code from a link that is no longer offered still shows as itself. */
function ItemFilter({ value, onChange }: { value?: string; onChange: Change }) {
  const { t, language } = useI18n();
  const catalogue = useCatalogue(undefined);
  return (
    <SearchSelect
      label={t('inventory.item')}
      width={200}
      value={value}
      loading={catalogue.isLoading}
      options={(catalogue.data?.items ?? []).map((i) => ({
        value: i.code,
        label: `${itemName(i, language)} · ${i.code}`,
      }))}
      onChange={(v) => onChange({ item: v })}
    />
  );
}

/** The inventory's filter bar: the text search and one select per filter the list API offers. */
export function InventoryFilters({
  filter,
  onChange,
  onClear,
}: {
  filter: ResourceFilter;
  onChange: Change;
  onClear: () => void;
}) {
  const { t } = useI18n();
  const me = useSession();
  const canReadProjects = useCan('project:read');
  // A provider's list is what it runs: no provider to choose, and the units it serves are not in its scope's
  // organisation list.
  const provider = me.organisation.type === 'cloud_service_provider';
  const [text, setText] = useState(filter.q ?? '');
  // The box follows the URL (back and forward, the clear button).
  useEffect(() => setText(filter.q ?? ''), [filter.q]);

  return (
    <Flex gap={8} wrap style={{ marginBottom: 16 }} data-testid="inventory-filters">
      <Input.Search
        allowClear
        style={{ width: 240 }}
        aria-label={t('inventory.search')}
        placeholder={t('inventory.search')}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onSearch={(v) => onChange({ q: v.trim() || undefined })}
      />
      {provider ? null : <UnitFilter value={filter.organisationId} onChange={onChange} />}
      {provider ? null : <ProviderFilter value={filter.providerId} onChange={onChange} />}
      {canReadProjects ? <SystemFilter filter={filter} onChange={onChange} /> : null}
      {canReadProjects ? <ProjectFilter filter={filter} onChange={onChange} /> : null}
      <ItemFilter value={filter.item} onChange={onChange} />
      <Select
        allowClear
        aria-label={t('inventory.state')}
        style={{ width: 120 }}
        placeholder={t('inventory.state')}
        value={filter.state}
        onChange={(v?: ResourceState) => onChange({ state: v })}
        options={RESOURCE_STATES.map((s) => ({ value: s, label: t(`inventory.states.${s}` as MessageKey) }))}
      />
      <Select
        allowClear
        aria-label={t('inventory.purpose')}
        style={{ width: 120 }}
        placeholder={t('inventory.purpose')}
        value={filter.purpose}
        onChange={(v?: Purpose) => onChange({ purpose: v })}
        options={PURPOSES.map((s) => ({ value: s, label: t(`inventory.purposes.${s}` as MessageKey) }))}
      />
      {isFiltered(filter) ? (
        <Button icon={<ClearOutlined />} onClick={onClear}>
          {t('inventory.clearFilters')}
        </Button>
      ) : null}
    </Flex>
  );
}
