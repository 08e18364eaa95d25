/**
 * Every query key in one place, hierarchical so a whole domain can be invalidated at once
 * (`queryClient.invalidateQueries({ queryKey: queryKeys.jurisdictions.all })`).
 */
export const queryKeys = {
  system: {
    all: ['system'] as const,
    info: () => [...queryKeys.system.all, 'info'] as const,
  },
  jurisdictions: {
    all: ['jurisdictions'] as const,
    list: () => [...queryKeys.jurisdictions.all, 'list'] as const,
    detail: (code: string) => [...queryKeys.jurisdictions.all, 'detail', code] as const,
  },
};
