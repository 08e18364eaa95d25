import { RESOURCE_STATES, type ResourceFilter, type ResourcePage, type ResourceState } from '../../api/hooks/inventory';

// What the inventory page shows lives in its URL (filters, search, sort and page), so a link or a refresh
// shows the same list and the export buttons export it. Next and previous page carry the cursor the API
// gave with the page shown (`after` / `before`: an index range, however deep); a page number picked
// directly goes by offset.

export const PURPOSES = ['formal', 'test', 'trial', 'development', 'emergency', 'temporary'] as const;
export type Purpose = (typeof PURPOSES)[number];
export const SORT_KEYS = ['createdAt', 'name', 'expiresOn', 'state', 'deliveredAt'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export const PAGE_SIZES = [20, 50, 100, 200] as const;
const DEFAULT_SIZE = 50;

/** The filters that are ids of other objects; a link with anything but a UUID there is ignored. */
export const ID_FILTERS = ['organisationId', 'providerId', 'systemId', 'projectId'] as const;
export type IdFilter = (typeof ID_FILTERS)[number];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface InventoryView {
  filter: ResourceFilter;
  page: ResourcePage;
}

const oneOf = <T extends string>(values: readonly T[], value: string | null): T | undefined =>
  value !== null && (values as readonly string[]).includes(value) ? (value as T) : undefined;

const text = (value: string | null, max: number) => {
  const v = value?.trim();
  return v ? v.slice(0, max) : undefined;
};

export function viewOf(params: URLSearchParams): InventoryView {
  const filter: ResourceFilter = {
    q: text(params.get('q'), 100),
    state: oneOf<ResourceState>(RESOURCE_STATES, params.get('state')),
    purpose: oneOf<Purpose>(PURPOSES, params.get('purpose')),
    item: text(params.get('item'), 100),
    sort: oneOf(SORT_KEYS, params.get('sort')) ?? 'createdAt',
    order: params.get('order') === 'asc' ? 'asc' : 'desc',
  };
  for (const key of ID_FILTERS) {
    const id = params.get(key);
    if (id && UUID.test(id)) filter[key] = id;
  }
  const limit = oneOf(PAGE_SIZES.map(String), params.get('size')) ? Number(params.get('size')) : DEFAULT_SIZE;
  const page = Math.max(1, Math.min(200_000, Math.floor(Number(params.get('page'))) || 1));
  const view: InventoryView = { filter, page: { limit, offset: (page - 1) * limit } };
  const after = text(params.get('after'), 1000);
  const before = after ? undefined : text(params.get('before'), 1000);
  if (after) view.page.after = after;
  if (before) view.page.before = before;
  return view;
}

/** The URL of a view: only what differs from the defaults. */
export function paramsOf({ filter, page }: InventoryView): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined || value === '') continue;
    if ((key === 'sort' && value === 'createdAt') || (key === 'order' && value === 'desc')) continue;
    params.set(key, String(value));
  }
  const number = Math.floor(page.offset / page.limit) + 1;
  if (number > 1) params.set('page', String(number));
  if (page.limit !== DEFAULT_SIZE) params.set('size', String(page.limit));
  if (page.after) params.set('after', page.after);
  else if (page.before) params.set('before', page.before);
  return params;
}

/** Whether any filter or search narrows the list (sorting does not). */
export function isFiltered(filter: ResourceFilter): boolean {
  return Object.entries(filter).some(([key, value]) => key !== 'sort' && key !== 'order' && value !== undefined);
}
