/** The source of "now" for everything time-dependent (token expiry), injectable so tests can move time. */
export interface Clock {
  now(): Date;
}

/** The real clock. */
export const systemClock: Clock = { now: () => new Date() };
