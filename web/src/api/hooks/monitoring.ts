import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import type { paths } from '../schema';

export type MonitoringFinding =
  paths['/api/v1/monitoring/findings']['get']['responses']['200']['content']['application/json']['items'][number];
/** A row of the rectification list: the rectification with its unit, resource, finding rule and overdue flag. */
export type Rectification =
  paths['/api/v1/monitoring/rectifications']['get']['responses']['200']['content']['application/json']['items'][number];
export type UtilisationReport =
  paths['/api/v1/monitoring/reports/utilisation']['get']['responses']['200']['content']['application/json'];
export type UtilisationRow = UtilisationReport['units'][number];
export interface Heatmap {
  days: string[];
  units: { id: string; name: string }[];
  /** [day index, unit index, average CPU %] as ECharts' heatmap series takes them */
  cells: [number, number, number][];
}
/** The monthly analysis (TZ 12(5)): one right-sizing suggestion per resource with CPU samples in the month. */
export type MonthlyAnalysis =
  paths['/api/v1/monitoring/reports/analysis']['get']['responses']['200']['content']['application/json'];
type FindingQuery = NonNullable<paths['/api/v1/monitoring/findings']['get']['parameters']['query']>;
export type RectificationQuery = NonNullable<paths['/api/v1/monitoring/rectifications']['get']['parameters']['query']>;

const KEY = ['monitoring'] as const;

export function useMonitoringFindings(query: FindingQuery) {
  return useQuery({
    queryKey: [...KEY, 'findings', query],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/monitoring/findings', { params: { query }, signal })),
    placeholderData: keepPreviousData,
  });
}

/** One finding with its evidence (the drawer asks for it when opened). */
export function useMonitoringFinding(id: string | undefined) {
  return useQuery({
    queryKey: [...KEY, 'finding', id],
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/monitoring/findings/{id}', { params: { path: { id: id as string } }, signal })),
    enabled: id !== undefined,
    staleTime: 60_000,
  });
}

/** One page of rectifications, filtered (state, unit) and paged on the server, every row complete. */
export function useRectifications(query: RectificationQuery) {
  return useQuery({
    queryKey: [...KEY, 'rectifications', query],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/monitoring/rectifications', { params: { query }, signal })),
    placeholderData: keepPreviousData,
  });
}

export function useUtilisationReport(period: 'week' | 'month', start: string) {
  return useQuery({
    queryKey: [...KEY, 'report', period, start],
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/monitoring/reports/utilisation', {
          params: { query: { period, start, format: 'json' } },
          signal,
        }),
      ) as Promise<UtilisationReport>,
  });
}

export function useHeatmap(from: string, days: number) {
  return useQuery({
    queryKey: [...KEY, 'heatmap', from, days],
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/monitoring/reports/heatmap', { params: { query: { from, days } }, signal })).then(
        (body) => body as unknown as Heatmap,
      ),
  });
}

export function useMonthlyAnalysis(month: string) {
  return useQuery({
    queryKey: [...KEY, 'analysis', month],
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/monitoring/reports/analysis', { params: { query: { month } }, signal })),
  });
}

/** The report as .xlsx (a plain link: the session cookie suffices; the server audits the export). */
export const utilisationExportUrl = (period: 'week' | 'month', start: string) =>
  `/api/v1/monitoring/reports/utilisation?period=${period}&start=${start}&format=xlsx`;

function useInvalidate() {
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: KEY });
}

export function useRunDetection() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/monitoring/detection-runs')),
    onSuccess: invalidate,
  });
}

export function useProposeRectification() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (v: { findingId: string; reason: string; workingDays?: number }) =>
      unwrap(
        api.POST('/api/v1/monitoring/findings/{id}/rectifications', {
          params: { path: { id: v.findingId } },
          body: { reason: v.reason, workingDays: v.workingDays },
        }),
      ),
    onSuccess: invalidate,
  });
}

export type RectificationStep = 'decision' | 'response' | 'review' | 'consent' | 'reversal';
export function useRectificationStep() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ id, step, body }: { id: string; step: RectificationStep; body: Record<string, string> }) => {
      const params = { path: { id } };
      if (step === 'decision')
        return unwrap(api.POST('/api/v1/monitoring/rectifications/{id}/decision', { params, body: body as never }));
      if (step === 'response')
        return unwrap(api.POST('/api/v1/monitoring/rectifications/{id}/response', { params, body: body as never }));
      if (step === 'review')
        return unwrap(api.POST('/api/v1/monitoring/rectifications/{id}/review', { params, body: body as never }));
      if (step === 'consent')
        return unwrap(api.POST('/api/v1/monitoring/rectifications/{id}/consent', { params, body: body as never }));
      return unwrap(api.POST('/api/v1/monitoring/rectifications/{id}/reversal', { params, body: body as never }));
    },
    onSuccess: invalidate,
  });
}
