import Type, { type TSchema } from 'typebox';
import {
  ANSWERS,
  ENTRY_KINDS,
  MAINTENANCE_KINDS,
  MAINTENANCE_STATUSES,
  PRIORITIES,
  TICKET_KINDS,
  TICKET_STATUSES,
} from './operations.table.ts';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Moment = (description?: string) => Type.String({ format: 'date-time', description });
const Named = Type.Object({ id: Type.String({ format: 'uuid' }), name: Type.String() });

export const TicketKindSchema = Type.Enum(TICKET_KINDS, {
  description: 'fault 故障, request 服务请求, consultation 咨询',
});
export const PrioritySchema = Type.Enum(PRIORITIES, { description: 'urgent 紧急, high 高, normal 一般, low 低' });
export const TicketStatusSchema = Type.Enum(TICKET_STATUSES, {
  description: 'open 待响应, responded 处理中, resolved 已解决待确认, confirmed 已确认关闭',
});
export const MaintenanceStatusSchema = Type.Enum(MAINTENANCE_STATUSES, {
  description: 'applied 已申请, consulting 已通知受影响单位, agreed 已同意, refused 未同意, withdrawn 已撤回',
});

const TicketFields = {
  id: Type.String({ format: 'uuid' }),
  number: Type.String({ description: '工单编号' }),
  unit: Named,
  provider: Named,
  kind: TicketKindSchema,
  priority: PrioritySchema,
  subject: Type.String(),
  description: Type.String(),
  resource: Nullable(Named),
  /** the information system concerned (the resource's, or the system a ticket was opened against) */
  system: Nullable(Named),
  status: TicketStatusSchema,
  response: Type.Object(
    {
      targetMinutes: Nullable(Type.Integer({ description: 'the pack’s response target (TZ 12), wall-clock 7x24' })),
      article: Nullable(Type.String()),
      dueAt: Nullable(Moment()),
      respondedAt: Nullable(Moment()),
      respondedInSeconds: Nullable(Type.Integer()),
      remainingSeconds: Nullable(Type.Integer({ description: 'while unanswered: seconds to the target' })),
      met: Nullable(Type.Boolean({ description: 'answered within the target; null while unanswered or no target' })),
      breached: Type.Boolean(),
      escalatedAt: Nullable(Moment()),
    },
    { additionalProperties: false },
  ),
  resolutionTarget: Type.Object(
    {
      targetHours: Nullable(
        Type.Integer({ description: 'hours to resolve at this priority (the pack), wall-clock unless workingTime' }),
      ),
      workingTime: Nullable(
        Type.Object(
          {
            hoursPerDay: Type.Integer({ description: 'service hours of each working day the target counts' }),
            startHour: Type.Integer({ description: 'Beijing-time hour the service hours start' }),
          },
          {
            additionalProperties: false,
            description: 'null: wall-clock 7x24; else counted in service hours of the calendar’s working days',
          },
        ),
      ),
      note: Nullable(Type.String({ description: 'what the pack says of the number (no regulation gives one)' })),
      article: Nullable(Type.String({ description: 'the provider’s duty of continuous service it serves' })),
      dueAt: Nullable(Moment()),
      resolvedInSeconds: Nullable(Type.Integer()),
      remainingSeconds: Nullable(Type.Integer({ description: 'while unresolved: seconds to the target' })),
      met: Nullable(Type.Boolean({ description: 'resolved within the target; null while unresolved or no target' })),
      escalatedAt: Nullable(Moment('when the missed target was told to the provider and the ops unit')),
      overdue: Type.Boolean({ description: 'unresolved past the target, or resolved after it' }),
    },
    { additionalProperties: false },
  ),
  resolvedAt: Nullable(Moment()),
  resolution: Nullable(Type.String()),
  confirmedAt: Nullable(Moment()),
  satisfaction: Nullable(Type.Integer({ minimum: 1, maximum: 5 })),
  satisfactionComment: Nullable(Type.String()),
  createdBy: Type.String(),
  createdAt: Moment(),
};

export const TicketSchema = Type.Object(TicketFields, { $id: 'ServiceTicket', title: 'ServiceTicket' });
export const TicketDetailSchema = Type.Object(
  {
    ...TicketFields,
    createdByName: Type.String({ description: 'the display name of who opened it' }),
    entries: Type.Array(
      Type.Object({
        kind: Type.Enum(ENTRY_KINDS),
        body: Type.String(),
        author: Type.String({ description: 'the user name (or system, a token’s name) recorded' }),
        authorName: Type.String({ description: 'the display name shown to people' }),
        at: Moment(),
      }),
    ),
  },
  { $id: 'ServiceTicketDetail', title: 'ServiceTicketDetail' },
);

const MaintenanceFields = {
  id: Type.String({ format: 'uuid' }),
  number: Type.String({ description: '维护申请编号' }),
  provider: Named,
  kind: Type.Enum(MAINTENANCE_KINDS, { description: 'planned 计划维护 (JQ 13), sudden 临时中断' }),
  title: Type.String(),
  impact: Type.String(),
  zone: Nullable(Type.String()),
  resourceIds: Type.Array(Type.String({ format: 'uuid' })),
  startsAt: Moment(),
  endsAt: Moment(),
  status: MaintenanceStatusSchema,
  leadTime: Nullable(
    Type.Object({
      workingDays: Type.Integer(),
      article: Nullable(Type.String()),
      lastDayBefore: Nullable(Type.String({ description: 'the window starts after this day' })),
    }),
  ),
  affectedResources: Type.Integer(),
  appliedBy: Type.String(),
  appliedAt: Moment(),
  notifiedAt: Nullable(Moment()),
  decidedAt: Nullable(Moment()),
  decidedBy: Nullable(Type.String()),
  decisionNote: Nullable(Type.String()),
};

export const MaintenanceSchema = Type.Object(MaintenanceFields, {
  $id: 'MaintenanceWindow',
  title: 'MaintenanceWindow',
});
export const MaintenanceDetailSchema = Type.Object(
  {
    ...MaintenanceFields,
    appliedByName: Type.String({ description: 'the display name of who applied' }),
    decidedByName: Nullable(Type.String({ description: 'the display name of who decided' })),
    units: Type.Array(
      Type.Object({
        unit: Named,
        resourceIds: Type.Array(Type.String({ format: 'uuid' })),
        notifiedAt: Nullable(Moment()),
        answer: Nullable(Type.Enum(ANSWERS)),
        answerNote: Nullable(Type.String()),
        answeredAt: Nullable(Moment()),
      }),
    ),
  },
  { $id: 'MaintenanceWindowDetail', title: 'MaintenanceWindowDetail' },
);

export const OPERATIONS_SCHEMAS = [TicketSchema, TicketDetailSchema, MaintenanceSchema, MaintenanceDetailSchema];

const Measured = {
  measuredSeconds: Type.Integer({ description: 'complete hours since the first heartbeat, less planned maintenance' }),
  downSeconds: Type.Integer({ description: 'the share of measured time the heartbeat said down or was silent' }),
  plannedSeconds: Type.Integer({ description: 'time inside agreed maintenance windows (JQ 13), not counted' }),
  availabilityPercent: Nullable(Type.Number({ description: '100 x (1 - down / measured); null: nothing measured' })),
};
const MeasuredGroup = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  resources: Type.Integer(),
  ...Measured,
});

/** Availability measured by the monitoring heartbeat, planned maintenance taken out (issue 18; JQ 11, 13). */
export const HeartbeatAvailabilitySchema = Type.Object({
  from: Moment(),
  to: Moment(),
  measuredUntil: Moment('the end of the last complete hour counted'),
  providers: Type.Array(MeasuredGroup),
  units: Type.Array(MeasuredGroup),
  systems: Type.Array(MeasuredGroup),
  resources: Type.Array(
    Type.Object({
      resource: Named,
      unit: Named,
      provider: Named,
      system: Nullable(Named),
      zone: Nullable(Type.String()),
      silentHours: Type.Integer({ description: 'measured hours without any heartbeat sample' }),
      ...Measured,
    }),
  ),
});
