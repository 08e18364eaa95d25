import type { OrderType, Step } from '../policy/index.ts';
import type { FulfilmentAction, WorkflowStep } from './orders.table.ts';

/**
 * The action a pack step asks of the provider: the pack's own `fulfilment` (every quota-bearing order type
 * ends in one, policy.pack.ts checks), never a table in code. Every other step is a review or approval.
 */
export function fulfilmentOf(step: Pick<Step, 'fulfilment'>): FulfilmentAction | null {
  return step.fulfilment ?? null;
}

/**
 * The unit's own roles: a step of one of them is acted on inside the ordering unit (the step's
 * `acting_organisation_id`), and only by a holder of that very role (a `unit_applicant` step is not the
 * unit administrator's). Every unit step of the packs is `unit_applicant`'s.
 */
export const UNIT_ROLES = ['unit_applicant', 'unit_admin'] as const;
export const isUnitRole = (role: string) => (UNIT_ROLES as readonly string[]).includes(role);

/**
 * Who is told when a step goes overdue besides its own role (the supervisor role). The authority has
 * nobody above it in the platform; the unit's applicant answers to the unit's administrator.
 */
export const SUPERVISOR_ROLE: Record<string, string | null> = {
  ops_reviewer: 'authority_approver',
  authority_approver: null,
  economy_it_approver: 'authority_approver',
  unit_applicant: 'unit_admin',
  unit_admin: null,
  provider_operator: 'ops_reviewer',
};

/** The snapshot of a pack's steps for one order: conditional steps kept only when their condition holds. */
export function snapshotSteps(steps: readonly Step[], conditions: { quotaOverrun: boolean }): WorkflowStep[] {
  return steps
    .filter((s) => s.when === undefined || (s.when === 'quota_overrun' && conditions.quotaOverrun))
    .map((s) => ({
      key: s.id,
      name: s.name,
      role: s.role,
      deadline: {
        value: s.deadline.value,
        unit: s.deadline.unit,
        article: s.deadline.article,
        ...(s.deadline.note ? { note: s.deadline.note } : {}),
      },
      ...(s.when ? { when: s.when } : {}),
      fulfilment: fulfilmentOf(s),
    }));
}

/**
 * Order types that take project quota (positive amounts; a change only when it grows something): each names
 * an approved project and a system of the unit (SH 18-24, JQ-proj 9). Reclaims give quota back; temporary
 * resources (SH 24) draw on a project not yet approved, on a quota the economy & IT authority sets.
 */
export const QUOTA_TYPES: readonly OrderType[] = [
  'new_resources',
  'scale_up',
  'change',
  'development',
  'emergency',
  'green_channel',
];
/** Time-limited order types and the pack value that caps their term. */
export const TERM_LIMITS = {
  development: 'developmentMonthsMax',
  emergency: 'emergencyMonthsMax',
  temporary: 'temporaryMonthsMax',
} as const;
/** Types refused while the unit's allocations are stopped. */
export const STOPPABLE_TYPES: readonly OrderType[] = [
  'new_resources',
  'scale_up',
  'development',
  'emergency',
  'temporary',
];
