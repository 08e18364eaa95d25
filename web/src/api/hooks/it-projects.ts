import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import type { paths } from '../schema';

// IT projects from declaration to acceptance (issue 19; JQ-proj 7-17, NB 17) and cloud spending in the budget.

export type Round =
  paths['/api/v1/it-projects/rounds']['get']['responses']['200']['content']['application/json']['items'][number];
export type Declaration =
  paths['/api/v1/it-projects/declarations/{id}']['get']['responses']['200']['content']['application/json'];
export type Budget = paths['/api/v1/it-projects/budget']['get']['responses']['200']['content']['application/json'];
export type BudgetUnit = Budget['units'][number];
type DeclarationQuery = NonNullable<paths['/api/v1/it-projects/declarations']['get']['parameters']['query']>;
type ChecklistAnswers = NonNullable<
  paths['/api/v1/it-projects/declarations/{id}/review']['post']['requestBody']
>['content']['application/json']['answers'];

export const budgetExportUrl = (year: number) => `/api/v1/it-projects/budget/export?year=${year}`;
export const declarationFormUrl = (id: string) => `/api/v1/it-projects/declarations/${id}/form`;
export const DECLARATION_TEMPLATE_URL = '/api/v1/it-projects/declaration-form/template';
const KEY = ['it-projects'] as const;

export function useRounds() {
  return useQuery({
    queryKey: [...KEY, 'rounds'],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/it-projects/rounds', { signal })),
  });
}

export function useDeclarations(query: DeclarationQuery) {
  return useQuery({
    queryKey: [...KEY, 'declarations', query],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/it-projects/declarations', { params: { query }, signal })),
  });
}

export function useBudget(year: number) {
  return useQuery({
    queryKey: [...KEY, 'budget', year],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/it-projects/budget', { params: { query: { year } }, signal })),
  });
}

function useInvalidating<T>(fn: (input: T) => Promise<unknown>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => client.invalidateQueries({ queryKey: KEY }) });
}

export function useOpenRound() {
  return useInvalidating((body: { jurisdiction: string; planYear: number; investmentCeiling: string }) =>
    unwrap(api.POST('/api/v1/it-projects/rounds', { body })),
  );
}

export function useSubmitDeclaration() {
  return useInvalidating((id: string) =>
    unwrap(api.POST('/api/v1/it-projects/declarations/{id}/submit', { params: { path: { id } } })),
  );
}

export function useReviewDeclaration() {
  return useInvalidating(({ id, answers }: { id: string; answers: ChecklistAnswers }) =>
    unwrap(api.POST('/api/v1/it-projects/declarations/{id}/review', { params: { path: { id } }, body: { answers } })),
  );
}

export function useApproveDeclaration() {
  return useInvalidating((id: string) =>
    unwrap(api.POST('/api/v1/it-projects/declarations/{id}/approve', { params: { path: { id } }, body: {} })),
  );
}

export function useDesignReview() {
  return useInvalidating(({ id, passed, note }: { id: string; passed: boolean; note: string }) =>
    unwrap(
      api.POST('/api/v1/it-projects/declarations/{id}/design-review', {
        params: { path: { id } },
        body: { passed, note },
      }),
    ),
  );
}

export function useSetBudget() {
  return useInvalidating(({ id, year, budget }: { id: string; year: number; budget: string }) =>
    unwrap(api.PUT('/api/v1/it-projects/budget/{id}', { params: { path: { id } }, body: { year, budget } })),
  );
}
