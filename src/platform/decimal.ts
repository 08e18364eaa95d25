// Quantities and quota amounts are decimal strings with at most 6 fractional digits (numeric(20, 6) in
// SQL). Arithmetic is done on bigint micro-units (10^-6), never on floats. Money has its own rules
// (whole fen, rounded once per statement line: modules/metering).

const SCALE = 1_000_000n;
const SIGNED = /^(-)?(\d{1,14})(?:\.(\d{1,6}))?$/;
const NON_NEGATIVE = /^(\d{1,14})(?:\.(\d{1,6}))?$/;

/** A decimal string (or an integer) as micro-units; throws on anything else (callers validate first). */
export function toMicro(text: string | number): bigint {
  const m = SIGNED.exec(String(text).trim());
  if (!m) throw new Error(`not a decimal quantity: ${text}`);
  const value = BigInt(m[2] as string) * SCALE + BigInt(`${m[3] ?? ''}000000`.slice(0, 6));
  return m[1] ? -value : value;
}

/** Micro-units back to the shortest decimal string ("8", "0.5", "-12.000001"). */
export function fromMicro(value: bigint): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const frac = (abs % SCALE).toString().padStart(6, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${abs / SCALE}${frac ? `.${frac}` : ''}`;
}

/** "8.000000" -> "8": the form the API answers with. */
export function normalise(text: string): string {
  return fromMicro(toMicro(text));
}

/** A non-negative decimal quantity of at most 14 whole and 6 fractional digits. */
export function isDecimal(text: string): boolean {
  return NON_NEGATIVE.test(text);
}

/** a * ratio, ratio a decimal string like "0.15" (rounded down to a micro-unit). */
export function timesRatio(a: bigint, ratio: string): bigint {
  return (a * toMicro(ratio)) / SCALE;
}

/** Amounts per key (a dimension): micro-units. */
export type Amounts = Map<string, bigint>;

export function amountsOf(record: Record<string, string | number>): Amounts {
  return new Map(Object.entries(record).map(([k, v]) => [k, toMicro(v)]));
}

export function addAmounts(...all: Amounts[]): Amounts {
  const out: Amounts = new Map();
  for (const a of all) for (const [k, v] of a) out.set(k, (out.get(k) ?? 0n) + v);
  return out;
}

/** Amounts as decimal strings, keys sorted. */
export function recordOf(a: Amounts): Record<string, string> {
  return Object.fromEntries([...a].sort(([x], [y]) => x.localeCompare(y)).map(([k, v]) => [k, fromMicro(v)]));
}

/** Sum per key of several records of decimal strings. */
export function addRecords(records: Record<string, string>[]): Record<string, string> {
  return recordOf(addAmounts(...records.map(amountsOf)));
}
