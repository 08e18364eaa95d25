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
export type AnnualUnit =
  paths['/api/v1/settlement/annual']['get']['responses']['200']['content']['application/json']['items'][number];
export type SettlementUnit =
  paths['/api/v1/settlement/units']['get']['responses']['200']['content']['application/json']['items'][number];

const keys = {
  all: ['settlement'] as const,
  runs: () => [...keys.all, 'runs'] as const,
  summary: (id: string) => [...keys.all, 'summary', id] as const,
  statements: (filter: object) => [...keys.all, 'statements', filter] as const,
  statement: (id: string) => [...keys.all, 'statement', id] as const,
  line: (id: string, lineNo: number) => [...keys.all, 'line', id, lineNo] as const,
  trends: (from: string, to: string) => [...keys.all, 'trends', from, to] as const,
  annual: (year: number) => [...keys.all, 'annual', year] as const,
  units: (month: string) => [...keys.all, 'units', month] as const,
};

export const MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;

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

/** A stored coefficient ("0.9000") as it is spoken ("0.9"). */
export function formatCoefficient(value: string): string {
  return value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') : value;
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

export function useStatements(filter: { month?: string }, enabled = true) {
  return useQuery({
    queryKey: keys.statements(filter),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/settlement/statements', { params: { query: filter }, signal })),
    enabled,
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

export function useTrends(from: string, to: string, enabled = true) {
  return useQuery({
    queryKey: keys.trends(from, to),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/settlement/trends', { params: { query: { from, to } }, signal })),
    enabled,
  });
}

/** Each unit's months of a year, its total and the parts billed to the city budget and to the unit (finance). */
export function useAnnual(year: number) {
  return useQuery({
    queryKey: keys.annual(year),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/settlement/annual', { params: { query: { year } }, signal })),
  });
}

/** The using units in scope with their budget mark, the month's coefficient and the month's run status. */
export function useSettlementUnits(month: string, enabled = true) {
  return useQuery({
    queryKey: keys.units(month),
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/settlement/units', { params: { query: { month } }, signal })),
    enabled,
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

export function useSetCoefficient() {
  const done = useInvalidate();
  return useMutation({
    mutationFn: (input: { organisationId: string; month: string; coefficient: string; note?: string }) =>
      unwrap(
        api.PUT('/api/v1/settlement/coefficients/{organisationId}/{month}', {
          params: { path: { organisationId: input.organisationId, month: input.month } },
          body: { coefficient: input.coefficient, note: input.note },
        }),
      ),
    onSuccess: done,
  });
}

export function useSetBudget() {
  const done = useInvalidate();
  return useMutation({
    mutationFn: (input: { organisationId: string; outsideCityBudget: boolean }) =>
      unwrap(
        api.PUT('/api/v1/settlement/budget/{organisationId}', {
          params: { path: { organisationId: input.organisationId } },
          body: { outsideCityBudget: input.outsideCityBudget },
        }),
      ),
    onSuccess: done,
  });
}
