import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../platform/audit/audit.ts';
import type { AuthContext } from '../../platform/auth/auth.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { Db, Trx } from '../../schema.ts';
import { displayNamesByUsername } from '../identity/index.ts';
import { notify } from '../notifications/index.ts';
import { jurisdictionScope, loadPrices, priceIntervals, ratedPieces } from './metering.engine.ts';
import { period, yuan } from './metering.period.ts';
import * as repo from './metering.repository.ts';

export { settle } from './metering.engine.ts';

const COEFFICIENT = /^(?:10(?:\.0{1,4})?|\d(?:\.\d{1,4})?)$/;

function jurisdictionsOf(auth: AuthContext): readonly string[] {
  if (auth.visibility.kind !== 'jurisdiction') {
    throw new AppError('forbidden', 'settlement runs and summaries are for jurisdiction-wide roles / 仅限辖区级角色');
  }
  return auth.visibility.jurisdictions;
}

/** A run as the API shows it, with whether (and why) it is out of date. */
async function runView(
  db: Db,
  run: NonNullable<Awaited<ReturnType<typeof repo.findRun>>>,
  people?: ReadonlyMap<string, string>,
) {
  const outdated = run.status === 'closed' ? null : await repo.outdatedReason(db, run, period(run.period).end);
  return repo.toRun(run, outdated, people ?? (await displayNamesByUsername(db, repo.runAccounts(run))));
}

export async function listRuns(db: Db, auth: AuthContext, query: { year?: number }) {
  const rows = await repo.listRuns(db, jurisdictionsOf(auth), query.year);
  const people = await displayNamesByUsername(db, rows.flatMap(repo.runAccounts));
  const items = [];
  for (const row of rows) items.push(await runView(db, row, people));
  return { items };
}

/** A run just changed, as the API shows it (its people by name). */
async function changedRun(
  trx: Trx,
  updated: Parameters<typeof repo.runAccounts>[0],
  run: { jurisdiction_code: string; jurisdiction_name: string },
) {
  const people = await displayNamesByUsername(trx as unknown as Db, repo.runAccounts(updated));
  const { jurisdiction_code, jurisdiction_name } = run;
  return repo.toRun({ ...updated, jurisdiction_code, jurisdiction_name }, null, people);
}

const OUTDATED_BECAUSE: Record<repo.OutdatedReason, string> = {
  late_events: 'events of the month were recorded after it was computed / 计算后又登记了本月的资源变更',
  earlier_month_closed: 'an earlier month was closed after it was computed / 计算后上月已核定关账',
  coefficient_changed: 'a coefficient of the month was set after it was computed / 计算后调整了效能系数',
};

/** Refuses to review or confirm a run whose figures a recompute would change. */
async function refuseOutdated(trx: Trx, run: NonNullable<Awaited<ReturnType<typeof repo.findRun>>>) {
  const reason = await repo.outdatedReason(trx, run, period(run.period).end);
  if (reason) {
    throw new AppError(
      'settlement_outdated',
      `${run.period} is out of date: ${OUTDATED_BECAUSE[reason]}; recompute it first / 请先重新计算`,
    );
  }
}

async function visibleRun(db: Db, auth: AuthContext, id: string) {
  // A run the caller may not see is not found, for unit roles too: never a hint that it exists.
  const visible = auth.visibility.kind === 'jurisdiction' ? auth.visibility.jurisdictions : [];
  const run = await repo.findRun(db, id);
  if (!run || !visible.includes(run.jurisdiction_id)) throw notFound(`settlement run ${id}`);
  return run;
}

export async function getRun(db: Db, auth: AuthContext, id: string) {
  return runView(db, await visibleRun(db, auth, id));
}

/** draft -> reviewed (the operations unit), audited. */
export async function review(db: Db, auth: AuthContext, actor: Actor, id: string, now: Date) {
  const run = await visibleRun(db, auth, id);
  return db.transaction().execute(async (trx) => {
    if (run.status === 'draft') await refuseOutdated(trx, run);
    const updated = await trx
      .updateTable('settlement_run')
      .set({ status: 'reviewed', reviewed_by: auth.name, reviewed_at: now })
      .where('id', '=', run.id)
      .where('status', '=', 'draft')
      .returningAll()
      .executeTakeFirst();
    if (!updated) throw new AppError('conflict', `the run is ${run.status}; only a draft is reviewed / 仅草稿可审核`);
    await writeAudit(trx, actor, {
      action: 'settlement.reviewed',
      objectType: 'settlement_run',
      objectId: run.id,
      detail: { month: run.period, contentHash: run.content_hash, totalFen: String(run.total_fen) },
    });
    await notify(trx, {
      jurisdictionId: run.jurisdiction_id,
      to: { role: 'economy_it_approver' },
      kind: 'settlement.reviewed',
      title: {
        zh: `${run.period} 费用结算已审核，待核定`,
        en: `Settlement for ${run.period} reviewed, awaiting confirmation`,
      },
      link: '/settlement',
      entity: { type: 'settlement_run', id: run.id },
    });
    return changedRun(trx, updated, run);
  });
}

/** reviewed -> closed: the economy & IT authority's confirmation (核定). A closed month never changes. */
export async function confirm(db: Db, auth: AuthContext, actor: Actor, id: string, now: Date) {
  const run = await visibleRun(db, auth, id);
  return db.transaction().execute(async (trx) => {
    if (run.status === 'reviewed') await refuseOutdated(trx, run);
    const updated = await trx
      .updateTable('settlement_run')
      .set({ status: 'closed', confirmed_by: auth.name, confirmed_at: now })
      .where('id', '=', run.id)
      .where('status', '=', 'reviewed')
      .returningAll()
      .executeTakeFirst();
    if (!updated) {
      throw new AppError('conflict', `the run is ${run.status}; only a reviewed run is confirmed / 须先经运管审核`);
    }
    await writeAudit(trx, actor, {
      action: 'settlement.confirmed',
      objectType: 'settlement_run',
      objectId: run.id,
      detail: { month: run.period, contentHash: run.content_hash, totalFen: String(run.total_fen) },
    });
    // Each unit learns that its statement is confirmed (核定) and what it comes to.
    const statements = await trx
      .selectFrom('statement')
      .select(['id', 'organisation_id', 'jurisdiction_id', 'total_fen'])
      .where('run_id', '=', run.id)
      .execute();
    for (const st of statements) {
      await notify(trx, {
        jurisdictionId: st.jurisdiction_id,
        to: { organisationId: st.organisation_id },
        kind: 'settlement.confirmed',
        title: {
          zh: `${run.period} 结算单已核定：${yuan(st.total_fen)} 元`,
          en: `Statement for ${run.period} confirmed: ${yuan(st.total_fen)} yuan`,
        },
        link: `/settlement/statements/${st.id}`,
        entity: { type: 'statement', id: st.id },
      });
    }
    return changedRun(trx, updated, run);
  });
}

export async function summary(db: Db, auth: AuthContext, id: string) {
  const run = await visibleRun(db, auth, id);
  const people = await displayNamesByUsername(db, repo.runAccounts(run));
  return { run: repo.toRun(run, null, people), ...(await repo.summary(db, run.id)) };
}

export async function listStatements(trx: Trx, query: { month?: string; year?: number; organisationId?: string }) {
  return { items: (await repo.listStatements(trx, query)).map(repo.toStatement) };
}

export async function getStatement(trx: Trx, id: string) {
  const row = await repo.findStatement(trx, id);
  if (!row) throw notFound(`statement ${id}`);
  const lines = (await repo.statementLines(trx, id)).map(repo.toLine);
  return { ...repo.toStatement(row), lines, ...breakdown(lines) };
}

/** Subtotals per project and per project and system, exact (bigint fen), ordered by name (none last). */
function breakdown(lines: ReturnType<typeof repo.toLine>[]) {
  const group = <K extends Record<string, string | null>>(keyOf: (l: (typeof lines)[number]) => K, name: keyof K) => {
    const groups = new Map<string, K & { lineCount: number; fen: bigint }>();
    for (const l of lines) {
      const key = keyOf(l);
      const id = JSON.stringify(key);
      const g = groups.get(id) ?? { ...key, lineCount: 0, fen: 0n };
      g.lineCount += 1;
      g.fen += BigInt(l.amountFen);
      groups.set(id, g);
    }
    return [...groups.values()]
      .sort((a, b) => {
        const x = a[name] as string | null;
        const y = b[name] as string | null;
        return x === y ? 0 : x === null ? 1 : y === null ? -1 : x < y ? -1 : 1;
      })
      .map(({ fen, ...g }) => ({ ...g, totalFen: String(fen), total: yuan(fen) }));
  };
  return {
    byProject: group((l) => ({ projectId: l.projectId, projectName: l.projectName }), 'projectName'),
    bySystem: group((l) => ({ projectId: l.projectId, systemId: l.systemId, systemName: l.systemName }), 'systemName'),
  };
}

/**
 * One line explained: the priced pieces that made it (event, quantity, from, to, seconds, unit price,
 * catalogue version), recomputed from the append-only events recorded by the run's cut-off.
 */
export async function explainLine(trx: Trx, id: string, lineNo: number) {
  const statement = await repo.findStatement(trx, id);
  if (!statement) throw notFound(`statement ${id}`);
  const line = (await repo.statementLines(trx, id)).find((l) => l.line_no === lineNo);
  if (!line) throw notFound(`line ${lineNo} of statement ${id}`);
  const month = line.adjusts_period ?? statement.period;
  const p = period(month);
  const scope = await jurisdictionScope(trx, statement.root_code);
  await loadPrices(trx, await priceIntervals(trx, scope));
  const asOf = new Date(statement.as_of);
  const { rows } = await sql<{
    id: string;
    quantity: string;
    unit_price: string;
    version_id: string;
    piece_from: Date;
    piece_to: Date;
    secs: string;
  }>`select id::text, quantity::text, unit_price::text, version_id, piece_from, piece_to, secs::text
     from (${ratedPieces(scope, p, asOf, { ids: [line.resource_id] })}) x
     where dimension = ${line.dimension} order by piece_from, id`.execute(trx);
  return {
    line: repo.toLine(line),
    month,
    monthSeconds: p.seconds,
    asOf: asOf.toISOString(),
    rule: 'amountFen = roundHalfUp(100 x coefficient x Σ(quantity x seconds x unitPrice) / monthSeconds)',
    pieces: rows.map((r) => ({
      eventId: r.id,
      quantity: r.quantity,
      from: new Date(r.piece_from).toISOString(),
      to: new Date(r.piece_to).toISOString(),
      seconds: r.secs.replace(/\.0+$/, ''),
      unitPrice: r.unit_price,
      versionId: r.version_id,
    })),
  };
}

export async function annual(trx: Trx, year: number) {
  return { year, items: await repo.annual(trx, year) };
}

export async function trends(trx: Trx, query: { from: string; to: string }) {
  return { items: await repo.trends(trx, query.from, query.to) };
}

async function openMonth(trx: Trx, organisationId: string, month: string) {
  const org = await trx
    .selectFrom('organisation')
    .select(['id', 'jurisdiction_id', 'type', 'code'])
    .where('id', '=', organisationId)
    .executeTakeFirst();
  if (org?.type !== 'using_unit') throw notFound(`using unit ${organisationId}`);
  // The city's run decides, not the unit's statement: a unit without usage that month has none, and a late
  // event of that month is re-rated with the month's coefficient as an adjustment later on.
  if ((await repo.monthStatusOfUnit(trx, organisationId, month)) === 'closed') {
    throw new AppError('conflict', `${month} is closed for this unit / 该月已核定关账`);
  }
  return org;
}

/** The efficiency coefficient of a unit for a month (default 1), set by an authority; audited. */
export async function setCoefficient(
  trx: Trx,
  auth: AuthContext,
  actor: Actor,
  input: { organisationId: string; month: string; coefficient: string; note?: string; now: Date },
) {
  if (!COEFFICIENT.test(input.coefficient)) {
    throw new AppError('validation_failed', 'coefficient is a decimal between 0 and 10 with up to 4 places', [
      {
        field: 'body.coefficient',
        message: '效能系数须为 0 至 10 之间的数，最多 4 位小数 / a decimal between 0 and 10, at most 4 decimal places',
      },
    ]);
  }
  // Evaluations set coefficients (SH 27); a person's coefficient is an override and says why (issue 17).
  if (!input.note?.trim()) {
    throw new AppError('validation_failed', 'a manual coefficient is an override and needs its reason', [
      { field: 'body.note', message: '请填写调整理由（人工系数为对效能评估结果的调整）/ the reason for the override' },
    ]);
  }
  const org = await openMonth(trx, input.organisationId, input.month);
  const before = await trx
    .selectFrom('efficiency_coefficient')
    .select(['coefficient', 'source', 'evaluation_id', 'band'])
    .where('organisation_id', '=', org.id)
    .where('period', '=', input.month)
    .executeTakeFirst();
  await trx
    .insertInto('efficiency_coefficient')
    .values({
      organisation_id: org.id,
      jurisdiction_id: org.jurisdiction_id,
      period: input.month,
      coefficient: input.coefficient,
      note: input.note ?? null,
      set_by: auth.name,
      set_at: input.now,
      source: 'manual',
    })
    .onConflict((oc) =>
      oc.columns(['organisation_id', 'period']).doUpdateSet({
        coefficient: input.coefficient,
        note: input.note ?? null,
        set_by: auth.name,
        set_at: input.now,
        source: 'manual',
        evaluation_id: null,
        band: null,
      }),
    )
    .execute();
  await writeAudit(trx, actor, {
    action: 'settlement.coefficient_set',
    objectType: 'organisation',
    objectId: org.id,
    detail: {
      month: input.month,
      coefficient: input.coefficient,
      before: before?.coefficient ?? '1',
      beforeSource: before?.source ?? null,
      overridesEvaluation: before?.evaluation_id ?? null,
      overridesBand: before?.band ?? null,
      note: input.note,
      override: true,
    },
  });
  return { organisationId: org.id, month: input.month, coefficient: input.coefficient, note: input.note ?? null };
}

export async function listCoefficients(trx: Trx, month: string) {
  const rows = await trx
    .selectFrom('efficiency_coefficient as c')
    .innerJoin('organisation as o', 'o.id', 'c.organisation_id')
    .select(['c.organisation_id', 'o.code', 'o.name', 'c.period', 'c.coefficient', 'c.note', 'c.set_by', 'c.set_at'])
    .where('c.period', '=', month)
    .orderBy('o.code')
    .execute();
  return {
    items: rows.map((r) => ({
      organisationId: r.organisation_id,
      organisationCode: r.code,
      organisationName: r.name,
      month: r.period,
      coefficient: String(r.coefficient),
      note: r.note,
      setBy: r.set_by,
      setAt: new Date(r.set_at).toISOString(),
    })),
  };
}

/** The using units in the caller's scope with their budget mark and the month's coefficient (default 1). */
export async function unitsOfMonth(trx: Trx, month: string) {
  const rows = await repo.unitsOfMonth(trx, month);
  const people = await displayNamesByUsername(
    trx as unknown as Db,
    rows.flatMap((r) => (r.set_by === null ? [] : [r.set_by])),
  );
  return {
    month,
    items: rows.map((r) => ({
      organisationId: r.id,
      code: r.code,
      name: r.name,
      jurisdiction: r.jurisdiction,
      outsideCityBudget: r.outside_city_budget,
      coefficient: r.coefficient ?? '1',
      coefficientSet: r.coefficient !== null,
      note: r.note,
      setBy: r.set_by,
      setByName: r.set_by === null ? null : (people.get(r.set_by) ?? null),
      setAt: r.set_at === null ? null : new Date(r.set_at).toISOString(),
      runStatus: r.run_status,
    })),
  };
}

/** Marks a unit as outside the city budget (it is billed to itself), or back; audited. */
export async function setOutsideBudget(trx: Trx, actor: Actor, organisationId: string, outside: boolean) {
  const { rows } = await sql<{ id: string; before: boolean; type: string }>`
    select id, outside_city_budget as before, type from organisation where id = ${organisationId}`.execute(trx);
  const org = rows[0];
  if (org?.type !== 'using_unit') throw notFound(`using unit ${organisationId}`);
  await sql`update organisation set outside_city_budget = ${outside}, updated_at = now() where id = ${organisationId}`.execute(
    trx,
  );
  await writeAudit(trx, actor, {
    action: 'settlement.budget_flag_set',
    objectType: 'organisation',
    objectId: organisationId,
    detail: { outsideCityBudget: outside, before: org.before },
  });
  return { organisationId, outsideCityBudget: outside };
}

export async function recordExport(
  trx: Trx,
  actor: Actor,
  what: { objectType: string; objectId: string; format: string; rows: number },
) {
  await writeAudit(trx, actor, {
    action: 'settlement.exported',
    objectType: what.objectType,
    objectId: what.objectId,
    detail: { format: what.format, rows: what.rows },
  });
}

export { yuan };

/**
 * A published evaluation sets its units' coefficients from `fromMonth` for `months` months (SH 27: 单价 x 实际使用量 x
 * 效能评估结果). Months already closed for a unit keep theirs; a month a person overrode keeps the override. One
 * audit entry; the caller's transaction. Returns the months whose coefficients changed (their runs are outdated).
 */
export async function applyEvaluatedCoefficients(
  trx: Trx,
  actor: Actor,
  input: {
    evaluationId: string;
    fromMonth: string;
    months: number;
    units: { organisationId: string; coefficient: string; band: string }[];
    setBy: string;
    now: Date;
  },
) {
  const months = monthsFrom(input.fromMonth, input.months);
  const open = await repo.openUnitMonths(
    trx,
    input.units.map((u) => u.organisationId),
    months,
  );
  const rows = input.units.flatMap((u) =>
    months.filter((m) => open.has(`${u.organisationId}:${m}`)).map((m) => ({ ...u, month: m })),
  );
  const written = await repo.upsertEvaluatedCoefficients(trx, rows, input.evaluationId, input.setBy, input.now);
  const changedMonths = [...new Set(written.map((w) => w.period))].sort();
  await writeAudit(trx, actor, {
    action: 'settlement.coefficient_evaluated',
    objectType: 'evaluation',
    objectId: input.evaluationId,
    detail: {
      fromMonth: input.fromMonth,
      months,
      written: written.map((w) => ({ organisationId: w.organisation_id, month: w.period, coefficient: w.coefficient })),
      skippedClosedOrOverridden: rows.length === 0 ? input.units.length * months.length : undefined,
    },
  });
  return { changedMonths, written: written.length };
}

function monthsFrom(first: string, count: number): string[] {
  const [y, m] = first.split('-').map(Number) as [number, number];
  return Array.from({ length: count }, (_, k) => {
    const n = y * 12 + (m - 1) + k;
    return `${Math.floor(n / 12)}-${String((n % 12) + 1).padStart(2, '0')}`;
  });
}

/** Of `months`, those with a settlement run of the city that is not closed yet (to re-settle after new coefficients). */
export async function openRunMonths(db: Db, jurisdictionCode: string, months: string[]): Promise<string[]> {
  if (months.length === 0) return [];
  const scope = await jurisdictionScope(db, jurisdictionCode);
  const rows = await db
    .selectFrom('settlement_run')
    .select('period')
    .where('jurisdiction_id', '=', scope.rootId)
    .where('period', 'in', months)
    .where('status', '!=', 'closed')
    .orderBy('period')
    .execute();
  return rows.map((r) => r.period);
}

/** The fen billed per provider on a jurisdiction's closed statements of those months (SH 34: the provider's fee). */
export async function providerBilledFen(trx: Trx, jurisdictionId: string, months: readonly string[]) {
  const r = await repo.providerBilled(trx, jurisdictionId, months);
  return { months: r.months, providers: r.providers.map((p) => ({ providerId: p.provider_id, fen: BigInt(p.fen) })) };
}
