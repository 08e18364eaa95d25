import type { Compilable, CompiledQuery, Kysely } from 'kysely';

/**
 * A hot statement of fixed shape, built and compiled by Kysely once and then run with new values: building the
 * operation tree (parsing the arguments, freezing and cloning its nodes) and compiling it cost more of the Node
 * process's time per order than anything but the socket writes (docs/decisions.md, issue 24, lane orders25).
 * The text sent is exactly what the builder compiles to, so a statement keeps its identity (its `prepared` mark,
 * what a bench mirrors).
 *
 * `build` receives the database and one placeholder per declared parameter (`build.length - 1` of them: plain
 * parameters, no defaults or rest); every placeholder must end up as a bound value of the statement (checked at
 * the first compilation), and each value given at a run takes its placeholders' places. Values that are not
 * parameters of `build` stay as compiled. Both databases compile with PostgreSQL's compiler and no plugin, so
 * one compilation serves both. `record`: the first argument is an object with these keys (an insert's row),
 * each key a placeholder of its own; `rows`: the first argument is an array of `count` such objects (a
 * multi-row insert).
 */
export function reusable<D, A extends any[], O>(
  build: (db: Kysely<D>, ...args: A) => Compilable<O>,
  options: { record?: readonly string[]; rows?: { count: number; columns: readonly string[] } } = {},
) {
  let compiled: { query: CompiledQuery<O>; slots: (Placeholder | null)[] } | undefined;
  const compile = (db: Kysely<D>) => {
    const all: Placeholder[] = [];
    const stand = (index: number, key?: string, row?: number) => {
      const p = new Placeholder(index, key, row);
      all.push(p);
      return p;
    };
    const record = (keys: readonly string[], row?: number) =>
      Object.fromEntries(keys.map((k) => [k, stand(0, k, row)]));
    const { rows } = options;
    const args = Array.from({ length: build.length - 1 }, (_, i) =>
      i > 0
        ? stand(i)
        : rows
          ? Array.from({ length: rows.count }, (_, r) => record(rows.columns, r))
          : options.record
            ? record(options.record)
            : stand(0),
    );
    const query = build(db, ...(args as unknown as A)).compile();
    const slots = query.parameters.map((p) => (p instanceof Placeholder ? p : null));
    for (const p of all)
      if (!slots.includes(p))
        throw new Error(`reusable: argument ${p.index + 1}${p.key ? `.${p.key}` : ''} is not a bound value`);
    compiled = { query, slots };
    return compiled;
  };
  const run = (db: Kysely<D>, args: A) => {
    const { query, slots } = compiled ?? compile(db);
    const parameters = query.parameters.map((p, i) => {
      const slot = slots[i];
      if (!slot) return p;
      const value = args[slot.index];
      if (slot.key === undefined) return value;
      const row = slot.row === undefined ? value : (value as unknown[])[slot.row];
      return (row as Record<string, unknown>)[slot.key];
    });
    return db.executeQuery<O>({ ...query, parameters });
  };
  return {
    /** The rows. */
    async execute(db: Kysely<D>, ...args: A): Promise<O[]> {
      return (await run(db, args)).rows;
    },
    /** The first row, if any. */
    async first(db: Kysely<D>, ...args: A): Promise<O | undefined> {
      return (await run(db, args)).rows[0];
    },
    /** The number of rows written (insert, update, delete). */
    async affected(db: Kysely<D>, ...args: A): Promise<number> {
      return Number((await run(db, args)).numAffectedRows ?? 0);
    },
  };
}

/** The stand-in for a run's value at compilation. */
class Placeholder {
  constructor(
    readonly index: number,
    readonly key?: string,
    readonly row?: number,
  ) {}
}

/**
 * `reusable` for statements whose shape is the set of keys of one object (an update's `set`): one compilation
 * per set of keys given (keys whose value is undefined left out, as Kysely leaves them out), at most `limit`;
 * past that, `fallback` builds the statement as before.
 */
export function reusableByKeys<D, T extends Record<string, unknown>, A extends unknown[], O>(
  build: (db: Kysely<D>, values: T, ...args: A) => Compilable<O>,
  limit = 32,
) {
  const byKeys = new Map<string, ReturnType<typeof reusable<D, [T, ...A], O>>>();
  return async (db: Kysely<D>, values: T, ...args: A): Promise<O[]> => {
    const keys = Object.keys(values).filter((k) => values[k] !== undefined);
    const key = keys.join(',');
    let statement = byKeys.get(key);
    if (!statement) {
      if (byKeys.size >= limit) return (await db.executeQuery(build(db, values, ...args))).rows;
      // its `length` counts the parameters (see `reusable`)
      const fixed = Object.defineProperty((d: Kysely<D>, v: T, ...rest: A) => build(d, v, ...rest), 'length', {
        value: build.length,
      });
      statement = reusable<D, [T, ...A], O>(fixed, { record: keys });
      byKeys.set(key, statement);
    }
    return statement.execute(db, values, ...args);
  };
}

/**
 * `reusable` for a multi-row insert: one compilation per number of rows (at most `limit`; past that, or with no
 * row, `build` as before). Every row gives every one of `columns`.
 */
export function reusableRows<D, T extends Record<string, unknown>, O>(
  columns: readonly (keyof T & string)[],
  build: (db: Kysely<D>, rows: T[]) => Compilable<O>,
  limit = 16,
) {
  const byCount = new Map<number, ReturnType<typeof reusable<D, [T[]], O>>>();
  return async (db: Kysely<D>, rows: T[]): Promise<O[]> => {
    let statement = byCount.get(rows.length);
    if (!statement) {
      if (byCount.size >= limit || rows.length === 0) return (await db.executeQuery(build(db, rows))).rows;
      statement = reusable<D, [T[]], O>(build, { rows: { count: rows.length, columns } });
      byCount.set(rows.length, statement);
    }
    return statement.execute(db, rows);
  };
}
