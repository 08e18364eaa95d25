import type { AuthContext } from '../../platform/auth/auth.ts';
import { invalid } from '../../platform/errors.ts';
import { addDays, startOfShanghaiDay } from '../../platform/time/time.ts';
import type { Trx } from '../../schema.ts';
import { type HeartbeatAvailabilityRow, heartbeatAvailability } from '../monitoring/index.ts';
import * as repo from './operations.repository.ts';

// Availability measured by the monitoring heartbeat (JQ 11: 365x24 operation), the agreed maintenance windows taken
// out as planned time (JQ 13): never typed in. Per resource, and summed per information system (the service a unit
// runs), per using unit and per provider: availability = 1 - down seconds / measured seconds. Only complete hours
// count (a fold may still be adding to the current one); resources without any heartbeat are not measured.

const HOUR = 3_600_000;

const percent = (down: number, measured: number) =>
  measured <= 0 ? null : Math.round((1 - down / measured) * 1_000_000) / 10_000;

interface Tally {
  measuredSeconds: number;
  downSeconds: number;
  plannedSeconds: number;
  resources: number;
}

function group(rows: HeartbeatAvailabilityRow[], keyOf: (r: HeartbeatAvailabilityRow) => [string, string] | null) {
  const out = new Map<string, Tally & { id: string; name: string }>();
  for (const r of rows) {
    const k = keyOf(r);
    if (!k) continue;
    const g = out.get(k[0]) ?? {
      id: k[0],
      name: k[1],
      measuredSeconds: 0,
      downSeconds: 0,
      plannedSeconds: 0,
      resources: 0,
    };
    g.measuredSeconds += Math.round(Number(r.measured));
    g.downSeconds += Math.round(Number(r.down));
    g.plannedSeconds += Math.round(Number(r.planned));
    g.resources += 1;
    out.set(k[0], g);
  }
  return [...out.values()].map((g) => ({ ...g, availabilityPercent: percent(g.downSeconds, g.measuredSeconds) }));
}

/** Heartbeat availability in [fromAt, toAt) (clipped to the last complete hour before `now`). */
export async function heartbeatAvailabilityBetween(
  trx: Trx,
  auth: AuthContext,
  fromAt: Date,
  toAt: Date,
  providerId: string | null,
  now: Date,
) {
  const lastHour = new Date(Math.floor(now.getTime() / HOUR) * HOUR);
  const until = toAt < lastHour ? toAt : lastHour;
  const planned =
    until > fromAt
      ? (await repo.plannedSpans(trx, auth.visibility, fromAt, until)).map((p) => ({
          resourceId: p.resource_id,
          from: p.starts_at,
          to: p.ends_at,
        }))
      : [];
  const rows =
    until > fromAt
      ? await heartbeatAvailability(trx, auth.visibility, { from: fromAt, to: until, providerId, planned })
      : [];
  const resources = rows.map((r) => {
    const measuredSeconds = Math.round(Number(r.measured));
    const downSeconds = Math.round(Number(r.down));
    return {
      resource: { id: r.resource_id, name: r.resource_name },
      unit: { id: r.organisation_id, name: r.unit_name ?? '' },
      provider: { id: r.provider_id, name: r.provider_name ?? '' },
      system: r.system_id ? { id: r.system_id, name: r.system_name ?? '' } : null,
      zone: r.zone,
      measuredSeconds,
      downSeconds,
      plannedSeconds: Math.round(Number(r.planned)),
      silentHours: Number(r.silent_hours),
      availabilityPercent: percent(downSeconds, measuredSeconds),
    };
  });
  return {
    from: fromAt.toISOString(),
    to: toAt.toISOString(),
    measuredUntil: until.toISOString(),
    providers: group(rows, (r) => [r.provider_id, r.provider_name ?? '']),
    units: group(rows, (r) => [r.organisation_id, r.unit_name ?? '']),
    systems: group(rows, (r) => (r.system_id ? [r.system_id, r.system_name ?? ''] : null)),
    resources,
  };
}

export type HeartbeatAvailability = Awaited<ReturnType<typeof heartbeatAvailabilityBetween>>;

/** The same for calendar days [from, to) in Shanghai time, as the console and API ask for it. */
export async function heartbeatAvailabilityOfDays(
  trx: Trx,
  auth: AuthContext,
  q: { from: string; to: string; providerId?: string },
  now: Date,
) {
  if (q.to <= q.from) throw invalid('query.to', 'must be after from / 结束日期须晚于开始日期');
  if (addDays(q.from, 366) < q.to) throw invalid('query.to', 'at most a year / 区间不超过一年');
  let providerId = q.providerId ?? null;
  if (auth.organisationType === 'cloud_service_provider') providerId = auth.organisationId;
  return heartbeatAvailabilityBetween(trx, auth, startOfShanghaiDay(q.from), startOfShanghaiDay(q.to), providerId, now);
}
