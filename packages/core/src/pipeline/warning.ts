/**
 * Warnings: things a user should hear about once that are not an outcome of a record (an unknown column, a goal
 * younger than two hours, a partial error the service sent for no item of the batch, a raw identifier that was
 * already hashed, a conversion its goal's settings may not count). The pipeline hands them to `onWarning` (default:
 * `Effect.logWarning`); they never carry a raw email or phone number, nor a hashed one.
 */
import * as Data from "effect/Data"

export type Warning = Data.TaggedEnum<{
  /** Columns (or JSON keys) that match no field; their values are ignored. Reported once per name. */
  UnknownColumns: { readonly columns: ReadonlyArray<string> }
  /** Several columns mean the same field; the first one is used. */
  DuplicateColumns: { readonly field: string; readonly columns: ReadonlyArray<string> }
  /** A Bulk file whose first row is not the `Format Version` row Microsoft requires. */
  MissingFormatVersion: {}
  /** A goal created less than two hours ago: the service may answer 5615 until `readyAt`. */
  GoalTooRecent: { readonly name: string; readonly createdAt: string; readonly readyAt: string }
  /** A raw `Email` / `Phone` value that already is a SHA-256 digest: sent as it is, not hashed twice (first one). */
  AlreadyHashed: { readonly field: "Email" | "Phone"; readonly line: number }
  /** A conversion dated longer ago than its goal's conversion window (first one per goal). */
  OlderThanGoalWindow: { readonly name: string; readonly line: number; readonly windowMinutes: number }
  /** A conversion dated before its goal was created (first one per goal; creation time known to Uplink). */
  BeforeGoalCreated: { readonly name: string; readonly line: number; readonly createdAt: string }
  /** Hashed email/phone without a click id for a goal not enabled for enhanced conversions (first one per goal). */
  NotEnhancedGoal: { readonly name: string; readonly line: number }
  /** A partial error whose Index names no item of the batch it came with. */
  UnmappedBatchError: {
    readonly index: number | null
    readonly code: number | null
    readonly errorCode: string | null
    readonly message: string | null
    readonly batchLines: string
  }
}>

export const Warning = Data.taggedEnum<Warning>()

/** A goal's conversion window in words ("30 days", "90 minutes"). */
const windowText = (minutes: number): string =>
  minutes % 1440 === 0
    ? `${minutes / 1440} day${minutes === 1440 ? "" : "s"}`
    : minutes % 60 === 0
      ? `${minutes / 60} hour${minutes === 60 ? "" : "s"}`
      : `${minutes} minute${minutes === 1 ? "" : "s"}`

/** One line of text for a person. */
export const message = (warning: Warning): string =>
  Warning.$match(warning, {
    UnknownColumns: ({ columns }) => `unknown column(s) ignored: ${columns.map((c) => JSON.stringify(c)).join(", ")}`,
    DuplicateColumns: ({ field, columns }) =>
      new Set(columns).size === 1
        ? `${JSON.stringify(columns[0])} is given ${columns.length} times; the first one is used`
        : `columns ${columns.map((c) => JSON.stringify(c)).join(", ")} all mean ${field}; the first one is used`,
    MissingFormatVersion: () => "Bulk file without a leading Format Version row (Microsoft requires one)",
    GoalTooRecent: ({ name, createdAt, readyAt }) =>
      `conversion goal ${JSON.stringify(name)} was created at ${createdAt}; the service may reject its conversions ` +
      `with 5615 until ${readyAt}`,
    AlreadyHashed: ({ field, line }) =>
      `line ${line}: the ${field} value is already a SHA-256 digest; it is sent as it is, not hashed again ` +
      `(put digests in the Hashed ${field === "Email" ? "Email Address" : "Phone Number"} column)`,
    OlderThanGoalWindow: ({ name, line, windowMinutes }) =>
      `line ${line}: the conversion is dated more than the conversion window of goal ${JSON.stringify(name)} ` +
      `(${windowText(windowMinutes)}) ago; it counts only if its click came less than ${windowText(windowMinutes)} ` +
      "before it (else OutsideGoalLookbackWindow): check the conversion time",
    BeforeGoalCreated: ({ name, line, createdAt }) =>
      `line ${line}: the conversion is dated before goal ${JSON.stringify(name)} was created (${createdAt}); ` +
      "check the conversion time and the goal name",
    NotEnhancedGoal: ({ name, line }) =>
      `line ${line}: goal ${JSON.stringify(name)} is not enabled for enhanced conversions, but records carry only a ` +
      "hashed email or phone (no click id): Microsoft cannot match them (enable enhanced conversions on the goal)",
    UnmappedBatchError: ({ index, code, errorCode, message, batchLines }) =>
      `the service returned a partial error for index ${index ?? "(none)"} of the batch of lines ${batchLines}, ` +
      `which has no such item: ${code ?? ""} ${errorCode ?? ""} ${message ?? ""}`.trim()
  })
