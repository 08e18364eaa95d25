/**
 * Where "now" comes from. Services take the clock from their deps instead of calling `new Date()`, so
 * that tests can put the whole application on a given day (a deadline across a holiday, an expiry) and
 * move it forward.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock the test sets and advances; it does not move by itself. */
export class ManualClock implements Clock {
  private current: number;

  constructor(start: Date | string) {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  set(at: Date | string): void {
    this.current = new Date(at).getTime();
  }

  advance(ms: number): void {
    this.current += ms;
  }
}
