/**
 * Warnings: things a user should hear about once that are not an outcome of a record (an unknown column, a goal
 * younger than two hours, a partial error the service sent for no item of the batch). The pipeline hands them to
 * `onWarning` (default: `Effect.logWarning`); they never carry a raw email or phone number.
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
    UnmappedBatchError: ({ index, code, errorCode, message, batchLines }) =>
      `the service returned a partial error for index ${index ?? "(none)"} of the batch of lines ${batchLines}, ` +
      `which has no such item: ${code ?? ""} ${errorCode ?? ""} ${message ?? ""}`.trim()
  })
