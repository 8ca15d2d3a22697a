/**
 * The Promise client's plain data: the records a caller gives (typed from the generated contracts, with `Date | string`
 * for times and the raw `Email` / `Phone` columns besides the hashed ones) and the outcomes it gets back (plain
 * objects: a status, the service's code and message, the record's position and id). A record becomes the pipeline's
 * `SourceRecord` as a JSON Lines record would — field names matched like the readers match them, unknown names
 * reported once — so the same validation, hashing and dedupe apply, and the same messages come out.
 */
import type * as Schemas from "@uplink/campaign-management/schemas"
import { roleOf } from "../pipeline/columns.js"
import { type FieldName, type FieldValues, type Mode, Outcome, type SourceRecord } from "../index.js"

/** A time as a caller gives it: a `Date`, or ISO 8601 text with `Z` or an offset. */
export type TimeInput = Date | string

/** Fields a record may carry besides the operation's own: an id echoed in its outcome, and raw email / phone. */
interface RecordExtras {
  /** Your identifier for the record, echoed in its outcome. */
  readonly id?: string | number | undefined
  /** A raw email address: normalised and SHA-256-hashed here, never sent. */
  readonly Email?: string | undefined
  /** A raw phone number (E.164, or with `defaultRegion`): normalised and SHA-256-hashed here, never sent. */
  readonly Phone?: string | undefined
}

/** An offline conversion to apply: `Schemas.OfflineConversion` with a plain time. */
export type ConversionRecord = Omit<Schemas.OfflineConversion, "ConversionTime"> &
  RecordExtras & { readonly ConversionTime: TimeInput }

/** A restatement or retraction: `Schemas.OfflineConversionAdjustment` with plain times. */
export type AdjustmentRecord = Omit<Schemas.OfflineConversionAdjustment, "ConversionTime" | "AdjustmentTime"> &
  RecordExtras & { readonly ConversionTime: TimeInput; readonly AdjustmentTime: TimeInput }

/** What became of a record (`ready`: a dry run would send it). */
export type OutcomeStatus = "accepted" | "rejected" | "invalid" | "duplicate" | "failed" | "ready"

/** One error the service returned for a rejected record. */
export interface ItemError {
  readonly code: number | null
  readonly errorCode: string | null
  readonly message: string | null
  readonly fieldPath: string | null
}

/** The outcome of one record. */
export interface RecordOutcome {
  readonly status: OutcomeStatus
  /** The record's 0-based position in the records given (`undefined` for a file, whose records have lines). */
  readonly index: number | undefined
  /** The record's 1-based position: its line in a file, or `index + 1`. */
  readonly line: number
  /** The record's `id`, when it had one. */
  readonly id: string | undefined
  /** The service's numeric code (rejected, invalid, failed), when there is one. */
  readonly code: number | null
  /** The symbolic code: the service's ErrorCode, Uplink's own code for a local rule, or the kind of a failure. */
  readonly errorCode: string | null
  readonly message: string | null
  /** An invalid record: the field the rule is about. */
  readonly field: string | null
  /** A rejected record: every error the service returned for it. */
  readonly errors: ReadonlyArray<ItemError>
  /** A duplicate: the 1-based position of the record it repeats. */
  readonly duplicateOf: number | null
  /** A failed record: the TrackingId of its last attempt, when the service answered. */
  readonly trackingId: string | null
  readonly microsoftClickId: string | null
  readonly conversionName: string | null
  /** The conversion time as UTC ISO text when it parsed, else as given. */
  readonly conversionTime: string | null
}

/** The `SourceRecord` of a caller's record at `index`; `unknown` collects field names that mean nothing. */
export const toSourceRecord = (record: unknown, index: number, mode: Mode, unknown: Set<string>): SourceRecord => {
  const values: { [K in FieldName]?: unknown } = {}
  let id: string | undefined
  if (typeof record === "object" && record !== null && !Array.isArray(record)) {
    for (const [key, value] of Object.entries(record)) {
      const role = roleOf(key, mode, false)
      if (role._tag === "Field") {
        if (values[role.field] === undefined) values[role.field] = plainValue(value)
      } else if (role._tag === "Id") {
        if (value !== null && value !== undefined && typeof value !== "object") id = String(value)
      } else if (value !== undefined) {
        unknown.add(key)
      }
    }
  }
  return { line: index + 1, values: values as FieldValues, id }
}

/** A value as validation reads it: a `Date` as its ISO text, a bigint as its decimal text. */
const plainValue = (value: unknown): unknown => {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString()
  if (typeof value === "bigint") return value.toString()
  return value
}

/** The plain outcome of a pipeline outcome; `fromRecords` when the records came as values (so they have an index). */
export const toRecordOutcome = (outcome: Outcome.Outcome, fromRecords: boolean): RecordOutcome => {
  const { code, errorCode, message } = Outcome.describe(outcome)
  return {
    status: Outcome.status(outcome),
    index: fromRecords ? outcome.line - 1 : undefined,
    line: outcome.line,
    id: outcome.id,
    code,
    errorCode,
    message,
    field: outcome._tag === "Invalid" ? outcome.field : null,
    errors: outcome._tag === "Rejected" ? outcome.errors.map((error) => ({ ...error })) : [],
    duplicateOf: outcome._tag === "Duplicate" ? outcome.firstLine : null,
    trackingId: outcome._tag === "Failed" ? outcome.cause.trackingId : null,
    microsoftClickId: outcome.identity.microsoftClickId,
    conversionName: outcome.identity.conversionName,
    conversionTime: outcome.identity.conversionTime
  }
}
