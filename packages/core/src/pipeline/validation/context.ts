/**
 * What validation needs besides the record: the current time (read from the Effect Clock by the caller, once per
 * chunk), the time context for zone-less times and the region for phone numbers without a country code.
 */
import type * as Hashing from "../hashing.js"
import type * as Time from "../time.js"

/** What validation needs besides the record. */
export interface ValidationContext {
  /** The current time (ms since the epoch), from the Effect Clock. */
  readonly nowMs: number
  readonly time: Time.TimeContext
  /** Region for phone numbers written without a country code. */
  readonly defaultRegion?: Hashing.CountryCode | undefined
}

/** The service's window for conversion and adjustment times: the last 90 days (docs/microsoft-api.md §2). */
export const WINDOW_MS = 90 * 24 * 60 * 60 * 1000
