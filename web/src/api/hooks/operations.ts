import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../client';
import type { paths } from '../schema';

// Operations (issue 18): the service desk's tickets (TZ 12) and the maintenance calendar (JQ 13).

export type Ticket = paths['/api/v1/operations/tickets/{id}']['get']['responses']['200']['content']['application/json'];
export type TicketListItem =
  paths['/api/v1/operations/tickets']['get']['responses']['200']['content']['application/json']['items'][number];
export type TicketInput = NonNullable<
  paths['/api/v1/operations/tickets']['post']['requestBody']
>['content']['application/json'];
type TicketQuery = NonNullable<paths['/api/v1/operations/tickets']['get']['parameters']['query']>;
export type MaintenanceListItem =
  paths['/api/v1/operations/maintenance']['get']['responses']['200']['content']['application/json']['items'][number];

const KEY = ['operations'] as const;

function useInvalidate() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: KEY });
}

export function useTickets(query: TicketQuery) {
  return useQuery({
    queryKey: [...KEY, 'tickets', query],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/operations/tickets', { params: { query }, signal })),
  });
}

export function useTicket(id: string | undefined) {
  return useQuery({
    queryKey: [...KEY, 'ticket', id],
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/operations/tickets/{id}', { params: { path: { id: id ?? '' } }, signal })),
    enabled: !!id,
  });
}

export function useOpenTicket() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: TicketInput) => unwrap(api.POST('/api/v1/operations/tickets', { body })),
    onSuccess: invalidate,
  });
}

export function useRespondTicket() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: string }) =>
      unwrap(api.POST('/api/v1/operations/tickets/{id}/responses', { params: { path: { id } }, body: { body } })),
    onSuccess: invalidate,
  });
}

export function useResolveTicket() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ id, resolution }: { id: string; resolution: string }) =>
      unwrap(
        api.POST('/api/v1/operations/tickets/{id}/resolution', { params: { path: { id } }, body: { resolution } }),
      ),
    onSuccess: invalidate,
  });
}

export function useConfirmTicket() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ id, satisfaction, comment }: { id: string; satisfaction: number; comment: string | null }) =>
      unwrap(
        api.POST('/api/v1/operations/tickets/{id}/confirmation', {
          params: { path: { id } },
          body: { satisfaction, comment },
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useMaintenance() {
  return useQuery({
    queryKey: [...KEY, 'maintenance'],
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/operations/maintenance', { params: { query: { limit: 200, offset: 0 } }, signal })),
  });
}

// ------------------------------------------------------------------ maintenance workflow, incidents, reports

export type MaintenanceDetail =
  paths['/api/v1/operations/maintenance/{id}']['get']['responses']['200']['content']['application/json'];
export type MaintenanceInput = NonNullable<
  paths['/api/v1/operations/maintenance']['post']['requestBody']
>['content']['application/json'];
export type IncidentDetail =
  paths['/api/v1/operations/incidents/{id}']['get']['responses']['200']['content']['application/json'];
export type Incident = Omit<IncidentDetail, 'updates'>;
export type IncidentUpdate = IncidentDetail['updates'][number];
export type IncidentInput = NonNullable<
  paths['/api/v1/operations/incidents']['post']['requestBody']
>['content']['application/json'];
export type Availability =
  paths['/api/v1/operations/incidents/availability']['get']['responses']['200']['content']['application/json'];
export type ReportMeta =
  paths['/api/v1/operations/reports']['get']['responses']['200']['content']['application/json']['items'][number];
export type ReportInput = NonNullable<
  paths['/api/v1/operations/reports']['post']['requestBody']
>['content']['application/json'];

export const reportWorkbookUrl = (id: string) => `/api/v1/operations/reports/${id}/workbook`;
export const reportPdfUrl = (id: string) => `/api/v1/operations/reports/${id}/pdf`;

export function useMaintenanceWindow(id: string | undefined) {
  return useQuery({
    queryKey: [...KEY, 'maintenance', id],
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/operations/maintenance/{id}', { params: { path: { id: id ?? '' } }, signal })),
    enabled: !!id,
  });
}

export function useApplyMaintenance() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: MaintenanceInput) => unwrap(api.POST('/api/v1/operations/maintenance', { body })),
    onSuccess: invalidate,
  });
}

export type MaintenanceStep =
  | { id: string; step: 'notify' }
  | { id: string; step: 'answer'; answer: 'confirmed' | 'objected'; note?: string | null }
  | { id: string; step: 'decide'; decision: 'agree' | 'refuse'; note?: string | null };

export function useMaintenanceStep() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (step: MaintenanceStep) => {
      const params = { path: { id: step.id } };
      if (step.step === 'notify')
        return unwrap(api.POST('/api/v1/operations/maintenance/{id}/notification', { params }));
      if (step.step === 'answer')
        return unwrap(
          api.POST('/api/v1/operations/maintenance/{id}/answer', {
            params,
            body: { answer: step.answer, note: step.note ?? null },
          }),
        );
      return unwrap(
        api.POST('/api/v1/operations/maintenance/{id}/decision', {
          params,
          body: { decision: step.decision, note: step.note ?? null },
        }),
      );
    },
    onSuccess: invalidate,
  });
}

export function useIncidents() {
  return useQuery({
    queryKey: [...KEY, 'incidents'],
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/operations/incidents', { params: { query: { limit: 200, offset: 0 } }, signal })),
  });
}

/** One incident with its timeline (the declaration, updates, the end, the report). */
export function useIncident(id: string | null) {
  return useQuery({
    queryKey: [...KEY, 'incidents', id],
    enabled: id !== null,
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/operations/incidents/{id}', { params: { path: { id: id ?? '' } }, signal })),
  });
}

export function usePostIncidentUpdate() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (u: { id: string; body: string; status: Exclude<Incident['status'], 'ended'> | null }) =>
      unwrap(
        api.POST('/api/v1/operations/incidents/{id}/updates', {
          params: { path: { id: u.id } },
          body: { body: u.body, status: u.status },
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useAvailability(from: string, to: string) {
  return useQuery({
    queryKey: [...KEY, 'availability', from, to],
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/operations/incidents/availability', { params: { query: { from, to } }, signal })),
  });
}

export function useDeclareIncident() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: IncidentInput) => unwrap(api.POST('/api/v1/operations/incidents', { body })),
    onSuccess: invalidate,
  });
}

export function useIncidentStep() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (
      step: { id: string; step: 'end'; endedAt: string } | { id: string; step: 'report'; report: string },
    ) =>
      step.step === 'end'
        ? unwrap(
            api.POST('/api/v1/operations/incidents/{id}/end', {
              params: { path: { id: step.id } },
              body: { endedAt: step.endedAt },
            }),
          )
        : unwrap(
            api.POST('/api/v1/operations/incidents/{id}/report', {
              params: { path: { id: step.id } },
              body: { report: step.report },
            }),
          ),
    onSuccess: invalidate,
  });
}

export function useReports() {
  return useQuery({
    queryKey: [...KEY, 'reports'],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/operations/reports', { signal })),
  });
}

export function useGenerateReport() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: ReportInput) => unwrap(api.POST('/api/v1/operations/reports', { body })),
    onSuccess: invalidate,
  });
}

export type MeasuredAvailability =
  paths['/api/v1/operations/availability']['get']['responses']['200']['content']['application/json'];

/** Availability measured by the heartbeat, agreed maintenance taken out, for calendar days [from, to). */
export function useMeasuredAvailability(from: string, to: string) {
  return useQuery({
    queryKey: [...KEY, 'measured-availability', from, to],
    queryFn: ({ signal }) =>
      unwrap(api.GET('/api/v1/operations/availability', { params: { query: { from, to } }, signal })),
  });
}

export type ReportSchedules =
  paths['/api/v1/operations/report-schedules']['get']['responses']['200']['content']['application/json'];
export type ReportSchedule = ReportSchedules['items'][number];
export type ReportScheduleInput = NonNullable<
  paths['/api/v1/operations/report-schedules']['post']['requestBody']
>['content']['application/json'];

export function useReportSchedules() {
  return useQuery({
    queryKey: [...KEY, 'report-schedules'],
    queryFn: ({ signal }) => unwrap(api.GET('/api/v1/operations/report-schedules', { signal })),
  });
}

export function useCreateReportSchedule() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: ReportScheduleInput) => unwrap(api.POST('/api/v1/operations/report-schedules', { body })),
    onSuccess: invalidate,
  });
}

export function useUpdateReportSchedule() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ id, ...body }: { id: string; active?: boolean; recipientRoles?: string[] }) =>
      unwrap(api.PATCH('/api/v1/operations/report-schedules/{id}', { params: { path: { id } }, body })),
    onSuccess: invalidate,
  });
}
