import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import type { paths } from '../schema';

// Efficiency evaluation (效能评估, SH 27, 33-34; TZ 20; LZ 30): scorecards, survey, flow, appeals.

export type Evaluation = paths['/api/v1/evaluations/{id}']['get']['responses']['200']['content']['application/json'];
export type EvaluationCard = NonNullable<Evaluation['cards']>[number];
export type Appeal =
  paths['/api/v1/evaluations/{id}/appeals']['get']['responses']['200']['content']['application/json']['items'][number];
export interface SurveyForm {
  evaluationId: string;
  open: boolean;
  questions: { id: string; zh: string }[];
  providers: {
    providerId: string;
    providerName: string;
    answers: Record<string, number> | null;
    comment: string | null;
    submittedAt: string | null;
  }[];
}

export const exportUrl = (id: string) => `/api/v1/evaluations/${id}/export`;
const KEY = ['evaluations'] as const;

export function useEvaluations(enabled = true) {
  return useQuery({
    queryKey: [...KEY, 'list'],
    enabled,
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/evaluations', { signal })),
  });
}

export function useEvaluation(id: string | undefined) {
  return useQuery({
    queryKey: [...KEY, 'one', id],
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/evaluations/{id}', { params: { path: { id: id ?? '' } }, signal })),
    enabled: !!id,
  });
}

export function useSurvey(id: string | undefined, enabled: boolean) {
  return useQuery({
    queryKey: [...KEY, 'survey', id],
    queryFn: async ({ signal }) =>
      (await unwrap(
        api.GET('/api/v1/evaluations/{id}/survey', { params: { path: { id: id ?? '' } }, signal }),
      )) as SurveyForm,
    enabled: !!id && enabled,
  });
}

export function useAppeals(id: string | undefined, enabled: boolean) {
  return useQuery({
    queryKey: [...KEY, 'appeals', id],
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/evaluations/{id}/appeals', { params: { path: { id: id ?? '' } }, signal })),
    enabled: !!id && enabled,
  });
}

function useInvalidate() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: KEY });
}

export function useCreateEvaluation() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: { period: string; effectiveFrom?: string }) => unwrap(api.POST('/api/v1/evaluations', { body })),
    onSuccess: invalidate,
  });
}

export function useEvaluationStep() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async ({
      id,
      step,
      contentHash,
      effectiveFrom,
    }: {
      id: string;
      step: 'recompute' | 'review' | 'approve' | 'publish';
      contentHash?: string;
      effectiveFrom?: string;
    }) => {
      const path = { params: { path: { id } } };
      if (step === 'recompute') return unwrap(api.POST('/api/v1/evaluations/{id}/recompute', path));
      if (step === 'review')
        return unwrap(
          api.POST('/api/v1/evaluations/{id}/review', { ...path, body: { contentHash: contentHash ?? '' } }),
        );
      if (step === 'approve') return unwrap(api.POST('/api/v1/evaluations/{id}/approve', path));
      return unwrap(api.POST('/api/v1/evaluations/{id}/publish', { ...path, body: { effectiveFrom } }));
    },
    onSuccess: invalidate,
  });
}

export function useEnterScore() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({
      id,
      body,
    }: {
      id: string;
      body: { organisationId: string; indicator: string; score: string; evidence: string };
    }) => unwrap(api.PUT('/api/v1/evaluations/{id}/scores', { params: { path: { id } }, body })),
    onSuccess: invalidate,
  });
}

export function useAnswerSurvey() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({
      id,
      providerId,
      answers,
      comment,
    }: {
      id: string;
      providerId: string;
      answers: Record<string, number>;
      comment?: string;
    }) =>
      unwrap(
        api.PUT('/api/v1/evaluations/{id}/survey/{providerId}', {
          params: { path: { id, providerId } },
          body: { answers, comment },
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useFileAppeal() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ id, indicator, reason }: { id: string; indicator: string; reason: string }) =>
      unwrap(api.POST('/api/v1/evaluations/{id}/appeals', { params: { path: { id } }, body: { indicator, reason } })),
    onSuccess: invalidate,
  });
}

export function useDecideAppeal() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({
      id,
      decision,
      reason,
      score,
    }: {
      id: string;
      decision: 'upheld' | 'rejected';
      reason: string;
      score?: string;
    }) =>
      unwrap(
        api.POST('/api/v1/evaluations/appeals/{id}/decision', {
          params: { path: { id } },
          body: { decision, reason, score },
        }),
      ),
    onSuccess: invalidate,
  });
}

export interface TrendPoint {
  evaluationId: string;
  period: string;
  total: string;
  band: string | null;
  rank: number;
  ofCount: number;
}

/** One unit's or provider's published totals over the periods. */
export function useTrend(organisationId: string | undefined) {
  return useQuery({
    queryKey: [...KEY, 'trend', organisationId],
    queryFn: async ({ signal }) =>
      (await unwrap(
        api.GET('/api/v1/evaluations/trend/{organisationId}', {
          params: { path: { organisationId: organisationId ?? '' } },
          signal,
        }),
      )) as { items: TrendPoint[] },
    enabled: !!organisationId,
  });
}

// Issue 17, the rest: the printable report, evidence files on items, what publication produced.

export const reportUrl = (id: string) => `/api/v1/evaluations/${id}/report.pdf`;
export const evidenceUrl = (id: string) => `/api/v1/evaluations/evidence/${id}`;
export type Evidence =
  paths['/api/v1/evaluations/{id}/evidence']['get']['responses']['200']['content']['application/json']['items'][number];

export function useEvidence(id: string, organisationId: string) {
  return useQuery({
    queryKey: [...KEY, id, 'evidence', organisationId],
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/evaluations/{id}/evidence', {
          params: { path: { id }, query: { organisationId } },
          signal,
        }),
      ),
  });
}

/** Reads a chosen file as base64 for the JSON upload. */
async function base64Of(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function useAttachEvidence() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async ({
      id,
      organisationId,
      indicator,
      file,
    }: {
      id: string;
      organisationId: string;
      indicator: string;
      file: File;
    }) =>
      unwrap(
        api.POST('/api/v1/evaluations/{id}/evidence', {
          params: { path: { id } },
          body: {
            organisationId,
            indicator,
            fileName: file.name,
            mediaType: file.type || 'application/octet-stream',
            contentBase64: await base64Of(file),
          },
        }),
      ),
    onSuccess: invalidate,
  });
}

export interface ProjectAdvice {
  projectId: string;
  name: string;
  approvalNo: string;
  quota: Record<string, string>;
  suggested: Record<string, string> | null;
}
export interface UnitAdvice {
  organisationId: string;
  name: string;
  total: string;
  band: string | null;
  action: 'raise' | 'keep' | 'cut';
  reason: string;
  evidence: { indicator: string; score: string | null; value: string }[];
  projects: ProjectAdvice[];
}
export interface FeeAdjustment {
  providerId: string;
  name: string;
  total: string;
  band: string;
  adjustment: string;
  billed: string;
  adjustmentYuan: string;
}
export interface Outcomes {
  evaluationId: string;
  revision: number;
  allocation: {
    article: string | null;
    raiseFrom: string;
    cutBelow: string;
    cutShare: string;
    units: UnitAdvice[];
  } | null;
  providerFee: { article: string | null; note: string | null; months: string[]; providers: FeeAdjustment[] } | null;
}

export function useOutcomes(id: string, enabled: boolean) {
  return useQuery({
    queryKey: [...KEY, id, 'outcomes'],
    enabled,
    queryFn: async ({ signal }) =>
      (await unwrap(api.GET('/api/v1/evaluations/{id}/outcomes', { params: { path: { id } }, signal }))) as Outcomes,
  });
}
