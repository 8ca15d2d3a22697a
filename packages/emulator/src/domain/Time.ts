/**
 * Time for the emulator's rules: an injectable clock (epoch milliseconds; tests use a fixed "now", the default is the
 * system clock) and the durations the documented rules are written in.
 */

/** Current time in epoch milliseconds. */
export type Clock = () => number

/** The system clock. */
export const systemClock: Clock = () => Date.now()

/** A clock that always answers the same instant (tests). */
export const fixedClock =
  (at: Date | string | number): Clock =>
  () =>
    new Date(at).getTime()

export const MINUTE_MS = 60_000
export const HOUR_MS = 60 * MINUTE_MS
export const DAY_MS = 24 * HOUR_MS

/** How far back a conversion (or adjustment) time may lie: 90 days (docs/microsoft-api.md §2). */
export const LOOKBACK_MS = 90 * DAY_MS

/** How long after its creation a goal refuses offline conversions (5615). */
export const GOAL_WARMUP_MS = 2 * HOUR_MS

/** ISO 8601 in UTC with milliseconds, e.g. `2026-08-01T17:02:35.000Z`. */
export const isoMillis = (ms: number): string => new Date(ms).toISOString()

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`)

/**
 * ISO 8601 in UTC truncated to the second, e.g. `2026-08-01T17:02:35Z` (the dedupe key's precision). Four-digit years
 * are written from the date's fields rather than through `toISOString` (this runs for every item received); other
 * years take `toISOString`'s form.
 */
export const isoSeconds = (ms: number): string => {
  const date = new Date(Math.floor(ms / 1000) * 1000)
  const year = date.getUTCFullYear()
  if (year < 1000 || year > 9999) return `${date.toISOString().slice(0, 19)}Z`
  const day = `${year}-${pad2(date.getUTCMonth() + 1)}-${pad2(date.getUTCDate())}`
  return `${day}T${pad2(date.getUTCHours())}:${pad2(date.getUTCMinutes())}:${pad2(date.getUTCSeconds())}Z`
}

/** Midnight UTC of the day that contains `ms`. */
export const startOfUtcDay = (ms: number): number => Math.floor(ms / DAY_MS) * DAY_MS
