/**
 * The offline conversion pipeline of `@uplink/core`: `OfflineConversions.apply / adjust / dryRun` turn a file, a byte
 * stream or parsed records into one `Outcome` per record; `Summary` counts them; `ResultsCsv` writes the results file;
 * `Sender` is what the application provides to deliver batches; the other modules are the steps, exported for reuse
 * (the server validates with `Validate`, the CLI checks goals with `GoalCheck`).
 */
export * as Batching from "./batching.js"
export * as Codes from "./codes.js"
export * as Columns from "./columns.js"
export * as ConcurrencyLimit from "./concurrencyLimit.js"
export * as Dedupe from "./dedupe.js"
export * as Deliver from "./deliver.js"
export type { Send, Wait, WaitCause, WaitReason } from "./deliveryEvents.js"
export * as GoalCheck from "./goalCheck.js"
export * as Hashing from "./hashing.js"
export * as OfflineConversions from "./offlineConversions.js"
export { type Inspect, PipelineError, type PipelineInput, type PipelineOptions } from "./offlineConversions.js"
export * as Outcome from "./outcome.js"
export * as RateLimiter from "./rateLimiter.js"
export { RateLimiters } from "./rateLimiter.js"
export * as Readers from "./readers/index.js"
export * as ResultsCsv from "./resultsCsv.js"
export * as Stop from "./stop.js"
export { type BatchErrorLike, type DeliveryFailure, DeliveryError, Sender, type SenderShape } from "./sender.js"
export * as Summary from "./summary.js"
export * as Time from "./time.js"
export * as Validate from "./validate.js"
export * as Warning from "./warning.js"
