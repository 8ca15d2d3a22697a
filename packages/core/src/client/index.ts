/**
 * @uplink/core/client: Uplink as a plain Promise API for Node code that does not use Effect — `createClient(options)`
 * returns an object with async methods (apply, adjust, stream variants, goals, report, any operation with `call`)
 * over the same core the CLI and the server use. Nothing here exposes an Effect type.
 */
export {
  type CallResult,
  type ClientOptions,
  createClient,
  type DailyReport,
  type RecordSource,
  type RunOptions,
  type RunResult,
  type RunSummary,
  type UplinkClient
} from "./createClient.js"
export type { OfflineGoalSpec } from "../OfflineGoals.js"
export type { PlainRequest, PlainResponse } from "./plain.js"
export type {
  AdjustmentRecord,
  ConversionRecord,
  ItemError,
  OutcomeStatus,
  RecordOutcome,
  TimeInput
} from "./records.js"
export { UplinkError, type UplinkErrorOptions, type UplinkErrorReason } from "./UplinkError.js"
