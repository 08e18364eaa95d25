import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import type { paths } from '../schema';

export type SettlementRun =
  paths['/api/v1/settlement/runs']['get']['responses']['200']['content']['application/json']['items'][number];
export type SettlementSummary =
  paths['/api/v1/settlement/runs/{id}']['get']['responses']['200']['content']['application/json'];
export type StatementSummary =
  paths['/api/v1/settlement/statements']['get']['responses']['200']['content']['application/json']['items'][number];
export type Statement =
  paths['/api/v1/settlement/statements/{id}']['get']['responses']['200']['content']['application/json'];
export type StatementLine = Statement['lines'][number];
export type LineExplanation =
  paths['/api/v1/settlement/statements/{id}/lines/{lineNo}']['get']['responses']['200']['content']['application/json'];
export type Trend =
  paths['/api/v1/settlement/trends']['get']['responses']['200']['content']['application/json']['items'][number];

const keys = {
  all: ['settlement'] as const,
  runs: () => [...keys.all, 'runs'] as const,
  summary: (id: string) => [...keys.all, 'summary', id] as const,
  statements: (filter: object) => [...keys.all, 'statements', filter] as const,
  statement: (id: string) => [...keys.all, 'statement', id] as const,
  line: (id: string, lineNo: number) => [...keys.all, 'line', id, lineNo] as const,
  trends: (from: string, to: string) => [...keys.all, 'trends', from, to] as const,
};

/** Download and print links (plain links: the session cookie suffices; the server audits every export). */
export const statementExportUrl = (id: string, format: 'xlsx' | 'csv') =>
  `/api/v1/settlement/statements/${encodeURIComponent(id)}/export?format=${format}`;
export const statementPrintUrl = (id: string) => `/api/v1/settlement/statements/${encodeURIComponent(id)}/print`;

/** Fen as yuan with thousands separators, exact (string arithmetic, never floats). */
export function formatFen(fen: string): string {
  const negative = fen.startsWith('-');
  const digits = (negative ? fen.slice(1) : fen).padStart(3, '0');
  const whole = digits.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${whole}.${digits.slice(-2)}`;
}

export function useRuns(enabled: boolean) {
  return useQuery({
    queryKey: keys.runs(),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/settlement/runs', { params: { query: {} }, signal })),
    enabled,
  });
}

export function useRunSummary(id: string | undefined) {
  return useQuery({
    queryKey: keys.summary(id ?? ''),
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/settlement/runs/{id}', { params: { path: { id: id ?? '' } }, signal })),
    enabled: id !== undefined,
  });
}

export function useStatements(filter: { month?: string }) {
  return useQuery({
    queryKey: keys.statements(filter),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/settlement/statements', { params: { query: filter }, signal })),
  });
}

export function useStatement(id: string | undefined) {
  return useQuery({
    queryKey: keys.statement(id ?? ''),
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/settlement/statements/{id}', { params: { path: { id: id ?? '' } }, signal })),
    enabled: id !== undefined,
  });
}

export function useLineExplanation(id: string, lineNo: number | undefined) {
  return useQuery({
    queryKey: keys.line(id, lineNo ?? 0),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/settlement/statements/{id}/lines/{lineNo}', {
          params: { path: { id, lineNo: lineNo ?? 0 } },
          signal,
        }),
      ),
    enabled: lineNo !== undefined,
  });
}

export function useTrends(from: string, to: string) {
  return useQuery({
    queryKey: keys.trends(from, to),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/settlement/trends', { params: { query: { from, to } }, signal })),
  });
}

function useInvalidate() {
  const client = useQueryClient();
  return () => void client.invalidateQueries({ queryKey: keys.all });
}

export function useSettle() {
  const done = useInvalidate();
  return useMutation({
    mutationFn: (body: { month: string; jurisdiction?: string }) =>
      unwrap(api.POST('/api/v1/settlement/runs', { body })),
    onSuccess: done,
  });
}

export function useReviewRun() {
  const done = useInvalidate();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.POST('/api/v1/settlement/runs/{id}/review', { params: { path: { id } } })),
    onSuccess: done,
  });
}

export function useConfirmRun() {
  const done = useInvalidate();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.POST('/api/v1/settlement/runs/{id}/confirm', { params: { path: { id } } })),
    onSuccess: done,
  });
}
