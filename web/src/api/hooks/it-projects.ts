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

function useInvalidating<T, R>(fn: (input: T) => Promise<R>) {
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

export type Lifecycle =
  paths['/api/v1/it-projects/projects/{id}']['get']['responses']['200']['content']['application/json'];
export type ProjectBudget =
  paths['/api/v1/it-projects/budget/projects']['get']['responses']['200']['content']['application/json'];
export type NewDeclaration = NonNullable<
  paths['/api/v1/it-projects/declarations']['post']['requestBody']
>['content']['application/json'];
type AcceptanceInput = NonNullable<
  paths['/api/v1/it-projects/projects/{id}/acceptances']['post']['requestBody']
>['content']['application/json'];
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A project's lifecycle: declaration, changes, acceptances, warranty, the evaluation (JQ-proj 12-17). */
export function useLifecycle(projectId: string | undefined) {
  return useQuery({
    queryKey: [...KEY, 'lifecycle', projectId],
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/it-projects/projects/{id}', { params: { path: { id: projectId ?? '' } }, signal })),
    enabled: projectId !== undefined,
  });
}

export function useProjectBudget(year: number, enabled = true) {
  return useQuery({
    queryKey: [...KEY, 'project-budget', year],
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/it-projects/budget/projects', { params: { query: { year } }, signal })),
    enabled,
  });
}

export function useCreateDeclaration() {
  return useInvalidating((body: NewDeclaration) => unwrap(api.POST('/api/v1/it-projects/declarations', { body })));
}

/** Imports a filled-in declaration form (.xlsx) as a draft; a bad cell answers 400 naming row and column. */
export function useImportDeclaration() {
  return useInvalidating(({ file, projectId, roundId }: { file: File; projectId: string; roundId?: string }) =>
    unwrap(
      api.POST('/api/v1/it-projects/declarations/import', {
        params: { query: { projectId, ...(roundId ? { roundId } : {}) } },
        body: file as unknown as never,
        bodySerializer: (body: unknown) => body as BodyInit,
        headers: { 'Content-Type': XLSX },
      }),
    ),
  );
}

export function useAssemblePlan() {
  return useInvalidating(({ id, declarationIds }: { id: string; declarationIds: string[] }) =>
    unwrap(api.POST('/api/v1/it-projects/rounds/{id}/plan', { params: { path: { id } }, body: { declarationIds } })),
  );
}

export function useRequestChange() {
  return useInvalidating(
    ({ projectId, investment, reason }: { projectId: string; investment: string; reason: string }) =>
      unwrap(
        api.POST('/api/v1/it-projects/projects/{id}/changes', {
          params: { path: { id: projectId } },
          body: { investment, reason },
        }),
      ),
  );
}

export function useDecideChange() {
  return useInvalidating(({ id, approve, comment }: { id: string; approve: boolean; comment: string }) =>
    unwrap(
      api.POST('/api/v1/it-projects/changes/{id}/decision', { params: { path: { id } }, body: { approve, comment } }),
    ),
  );
}

export function useRecordAcceptance() {
  return useInvalidating(({ projectId, ...body }: AcceptanceInput & { projectId: string }) =>
    unwrap(api.POST('/api/v1/it-projects/projects/{id}/acceptances', { params: { path: { id: projectId } }, body })),
  );
}
