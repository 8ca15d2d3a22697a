/**
 * Outcomes: what happened to each input record — exactly one per record. `Accepted` (sent, no partial error),
 * `Rejected` (the service's BatchErrors for the item), `Invalid` (failed a local rule, with the code the service would
 * have returned, or the input line could not be read), `Duplicate` (a repeat of an earlier record of the same run),
 * `Failed` (its request never succeeded, with the cause) and `Ready` (dry run: it would be sent). Outcomes identify the
 * record by its 1-based input line and show only the click id, goal name and conversion time — never a raw email or
 * phone number, never a hashed identifier.
 */
import * as Data from "effect/Data"
import type { Retry } from "../retry/RetryTable.js"

/** What the results file shows of a record. Times are UTC ISO text when they parsed, else the input text. */
export interface Identity {
  readonly microsoftClickId: string | null
  readonly conversionName: string | null
  readonly conversionTime: string | null
}

/** One BatchError of the service, for one item. */
export interface ItemError {
  readonly code: number | null
  readonly errorCode: string | null
  readonly message: string | null
  readonly fieldPath: string | null
}

/** Why a request never succeeded. */
export interface FailureCause {
  readonly message: string
  readonly trackingId: string | null
  readonly code: number | null
  readonly errorCode: string | null
  /**
   * The class of the failure when it has no code of the service: `Timeout`, `ConnectionFailed`, `Http503`,
   * `NotSent` (read, but not sent because the run was stopped), … (see `DeliveryFailure.kind`).
   */
  readonly kind?: string | null | undefined
  /** How many times the request was sent (0: never). */
  readonly attempts: number
  /**
   * What sending the records again can do, from the retry table (retry/RetryTable.ts): `later` when they may pass in
   * a later run (credentials refused, not sent because the run stopped), `never` when they will fail the same way;
   * `now` and `afterWait` when the run's retries ran out. The server keeps the records for later unless `never`.
   */
  readonly retry: Retry
  /** The wait the service asked for before the records are sent again (a rate limit's `Retry-After`), in ms. */
  readonly retryAfterMs: number | null
}

interface Common {
  readonly line: number
  readonly id?: string | undefined
  readonly identity: Identity
}

export type Outcome = Data.TaggedEnum<{
  Accepted: Common
  Rejected: Common & { readonly errors: readonly [ItemError, ...Array<ItemError>] }
  Invalid: Common & {
    readonly code: number | null
    readonly errorCode: string
    readonly message: string
    /** The field the rule is about, when there is one. */
    readonly field: string | null
  }
  Duplicate: Common & { readonly firstLine: number }
  Failed: Common & { readonly cause: FailureCause }
  Ready: Common
}>

export const Outcome = Data.taggedEnum<Outcome>()

/** The statuses of the results file (`resultsRows.ts`). */
export type Status = "accepted" | "rejected" | "invalid" | "duplicate" | "failed" | "ready"

const statusByTag: Record<Outcome["_tag"], Status> = {
  Accepted: "accepted",
  Rejected: "rejected",
  Invalid: "invalid",
  Duplicate: "duplicate",
  Failed: "failed",
  Ready: "ready"
}

/** The results-file status of an outcome. */
export const status = (outcome: Outcome): Status => statusByTag[outcome._tag]

/**
 * The numeric code, symbolic code and message an outcome shows (the first error of a rejected record). A failed
 * record without a code of the service shows the kind of its failure as its symbolic code.
 */
export const describe = (
  outcome: Outcome
): { readonly code: number | null; readonly errorCode: string | null; readonly message: string | null } => {
  switch (outcome._tag) {
    case "Rejected": {
      const [first, ...rest] = outcome.errors
      const message = [first, ...rest]
        .map((error) => error.message)
        .filter((text): text is string => text !== null && text !== "")
        .join(" | ")
      return { code: first.code, errorCode: first.errorCode, message: message === "" ? null : message }
    }
    case "Invalid":
      return { code: outcome.code, errorCode: outcome.errorCode, message: outcome.message }
    case "Duplicate":
      return { code: null, errorCode: null, message: `duplicate of line ${outcome.firstLine}` }
    case "Failed": {
      const { cause } = outcome
      const tracking = cause.trackingId === null ? "" : ` (TrackingId ${cause.trackingId})`
      const attempts = cause.attempts === 0 ? "" : cause.attempts === 1 ? "; 1 attempt" : `; ${cause.attempts} attempts`
      return {
        code: cause.code,
        errorCode: cause.errorCode ?? cause.kind ?? (cause.code === null ? "DeliveryFailed" : null),
        message: `${cause.message}${tracking}${attempts}`
      }
    }
    default:
      return { code: null, errorCode: null, message: null }
  }
}
