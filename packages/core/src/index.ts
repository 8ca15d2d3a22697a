/**
 * @uplink/core: the Effect client for Microsoft Advertising Campaign Management v13 (configuration, OAuth, SOAP and
 * REST transports, typed errors, retries, a typed call of every operation) and the offline conversion pipeline built
 * on it (validate, hash, dedupe, batch, deliver, one outcome per record).
 *
 * This file is the public API: every name exported below, each with its one-line doc (the package README lists the
 * same names; `test/PublicApi.integration.test.ts` keeps the two in step and the count of runtime names, namespace members
 * included, at most 70). Everything else under `src/` is implementation, and `src/internal/` holds what is not API
 * at all (buffer pools, scanners, the fingerprint set, hashing tables). Three more entry points:
 * `@uplink/core/Limits` (the range of every numeric setting), `@uplink/core/reconciliation` (did it count: the
 * per-goal report and the ledger of what was sent) and `@uplink/core/client` (the Promise API).
 */

// ===== Configuration and credentials =====

/** The service's settings as a service: `.layer` (from `MSADS_*`), `.make(values)`, `.layerWith(values)`. */
export { MsadsConfig } from "./config/MsadsConfig.js"
export type {
  Endpoints,
  Environment,
  MsadsConfigOptions,
  MsadsConfigShape,
  TransportKind
} from "./config/MsadsConfig.js"
/** Access tokens: `.layerStatic(token)`, `.layerOAuth(options)`, `.layerConfig`; refreshed before expiry and on 109. */
export { Auth } from "./auth/Auth.js"
export type { AuthFailure, AuthShape, OAuthOptions } from "./auth/Auth.js"
/** Where refresh tokens are kept: `.layerFile(path)` (mode 0600), `.layerConfig`, `.layerMemory()`. */
export { TokenStore } from "./auth/TokenStore.js"
export type { TokenKey, TokenStoreShape } from "./auth/TokenStore.js"
/** The token file could not be read or written. */
export { TokenStoreError } from "./auth/TokenStore.js"
/** The token file's path from `UPLINK_TOKEN_FILE` (default `$XDG_CONFIG_HOME/uplink/tokens.json`), as a `Config`. */
export { tokenFileFromEnv } from "./auth/TokenStore.js"
/** OAuth device-code sign-in: shows the code, waits for the user, gives the refresh token to store. */
export { signInWithDeviceCode } from "./auth/DeviceCodeFlow.js"
export type { DeviceCode, SignInOptions } from "./auth/DeviceCodeFlow.js"

// ===== Calls =====

/** Typed calls of every operation: `.call(op, request)` with retries, `.callOnce`; `.layer`, `.layerConfig`. */
export { CampaignManagement } from "./CampaignManagement.js"
export type { CallResult, CampaignManagementShape } from "./CampaignManagement.js"
/**
 * How requests travel (encode, send, decode): the service tag; pick a layer below or
 * `CampaignManagement.layerTransportFromConfig`.
 */
export { Transport } from "./transport/Transport.js"
export type { TransportResponse, TransportShape } from "./transport/Transport.js"
/** The REST/JSON transport (the default). */
export { layer as layerRestTransport } from "./transport/RestTransport.js"
/** The SOAP 1.1 transport (Microsoft retires SOAP on 2027-01-31). */
export { layer as layerSoapTransport } from "./transport/SoapTransport.js"
/** `node:http`/`node:https` with keep-alive agents, reading whole responses. */
export { layerNodeHttpClient } from "./transport/NodeHttpClientLayer.js"
/**
 * When `call` sends again: `.make(options)`, `.never`, `.layer(schedule)`, `.backoffMillis` (the one backoff curve).
 */
export { RetryPolicy } from "./retry/RetryPolicy.js"
export type { RetryPolicyOptions, RetrySchedule } from "./retry/RetryPolicy.js"
export type { Retry } from "./retry/RetryTable.js"

// ===== Errors: one error, a reason per kind of failure, each with its `retry` =====

/** Every failed call: `operation`, `trackingId`, `reason`, `retry` (now, afterWait, later, never), `isRetryable`. */
export { CampaignManagementError } from "./errors/CampaignManagementError.js"
export type { CampaignManagementErrorReason, FaultError } from "./errors/CampaignManagementError.js"
/** The request or its answer did not get through (timeout, connection, cut body, bad URL). */
export { TransportError } from "./errors/CampaignManagementError.js"
/** An HTTP status that carried no fault (5xx and 408 are sent again). */
export { HttpStatusError } from "./errors/CampaignManagementError.js"
/** 117 CallRateExceeded or HTTP 429, with the `Retry-After` when given. */
export { RateLimitError } from "./errors/CampaignManagementError.js"
/** Credentials refused (105, 106, 108, 109 after a refresh, 120–126, 3101, HTTP 401, a refused refresh token). */
export { AuthenticationError } from "./errors/CampaignManagementError.js"
/** A fault of the service with its codes (operation, batch and editorial errors). */
export { ApiFaultError } from "./errors/CampaignManagementError.js"
/** An answer that could not be decoded (cut off, or not the contract). */
export { DecodeError } from "./errors/CampaignManagementError.js"
/** A request value the wire cannot carry (refused before sending). */
export { InvalidRequestError } from "./errors/CampaignManagementError.js"
/** A REST-only operation called over SOAP (refused before sending). */
export { RestOnlyOperationError } from "./errors/CampaignManagementError.js"
/** HTTP 404 or 501 on a REST route: the operation is not served over REST. */
export { NotAvailableOverRestError } from "./errors/CampaignManagementError.js"

// ===== Offline conversions: the pipeline =====

/**
 * `apply`, `adjust`, `dryRun` (a file, bytes or records in, one outcome per record out), `resolveTimeZone`,
 * `resolveDefaultRegion`, `NOT_SENT`.
 */
export * as OfflineConversions from "./pipeline/offlineConversions.js"
export type { PipelineInput, PipelineOptions } from "./pipeline/PipelineOptions.js"
export type { FieldName, FieldValues, Mode } from "./pipeline/columns.js"
export type { InputFormat } from "./pipeline/readers/format.js"
export type { SourceRecord } from "./pipeline/readers/item.js"
export type { CountryCode } from "./pipeline/hashing.js"
/** Bad options or an unreadable input: the only failure of a run's stream. */
export { PipelineError } from "./pipeline/PipelineOptions.js"
export type { Inspect } from "./pipeline/PipelineOptions.js"
/** What happened to each record: `Outcome` (the tagged union and its constructors), `status`, `describe`. */
export * as Outcome from "./pipeline/outcome.js"
/** Counts of a run: `empty`, `add`, `addAll`, `collect`, `codeOf`, `exitCode`. */
export * as Summary from "./pipeline/summary.js"
/** The results file: `write(path)` (a tee of the outcome stream), `checkTarget`, `ResultsWriteError`. */
export * as ResultsCsv from "./pipeline/resultsCsv.js"
/** Notes about the input that are not outcomes: `Warning` (the tagged union), `message`. */
export * as Warning from "./pipeline/warning.js"
/** The service's documented codes a record can be marked with before it is sent, with their messages. */
export { ServiceCodes } from "./pipeline/codes.js"
/** What delivery needs from outside: sending one batch (provide `CampaignManagementSender`, or a fake in tests). */
export { Sender } from "./pipeline/sender.js"
export type { BatchErrorLike, DeliveryFailure, SenderShape } from "./pipeline/sender.js"
export type { Send, Wait, WaitCause, WaitReason } from "./pipeline/deliveryEvents.js"
/** A ready-made `DeliveryFailure` (for fakes and adapters). */
export { DeliveryError } from "./pipeline/sender.js"
/** The `Sender` layer over `CampaignManagement` (one `callOnce` per attempt). */
export { CampaignManagementSender } from "./CampaignManagementSender.js"
/** The same `Sender` as an effect, to wrap or provide by hand. */
export { makeCampaignManagementSender } from "./CampaignManagementSender.js"
/** A customer's rate limiter: `make(options)` (learns the admitted rate after a 117), `liveStates()` for metrics. */
export * as RateLimiter from "./pipeline/rateLimiter.js"
/** Rate limiters by customer id, shared by every run of a process: `RateLimiters.layer()`. */
export { RateLimiters } from "./pipeline/rateLimiters.js"
export type { ConcurrencyLimit, ConcurrencySnapshot } from "./pipeline/concurrencyLimit.js"
/** A limit of exactly `n` requests in flight, whose state can be read while a run uses it (`concurrency` option). */
export { fixed as fixedConcurrency } from "./pipeline/concurrencyLimit.js"
/** The account's offline conversion goal names (one GetConversionGoalsByIds call), for `makeGoalCheck`. */
export { fetchOfflineGoalNames } from "./pipeline/goalCheck.js"
/** The `goals` option: records naming no known goal become `invalid` 5606 before sending. */
export { make as makeGoalCheck } from "./pipeline/goalCheck.js"
export type { GoalCheck, GoalsCall } from "./pipeline/goalCheck.js"
/** One record given as a JSON value, read and checked as a JSON Lines line is (the server's intake rule). */
export { checkJsonRecord } from "./pipeline/jsonRecord.js"
export type { JsonRecordCheck } from "./pipeline/jsonRecord.js"
export type { PreparedAdjustment, PreparedConversion } from "./pipeline/Prepared.js"
export type { ValidationContext } from "./pipeline/validation/context.js"
/** JSON text as Uplink's JSON inputs read it (a repeated key keeps its first value, long integers keep their text). */
export { parseJsonInput } from "./pipeline/jsonRecord.js"
export type { ParsedJson } from "./pipeline/readers/jsonText.js"

// ===== Conversion goals =====

/** Offline conversion goals: `list`, `create(spec)`, `GoalNotCreated`. */
export * as OfflineGoals from "./OfflineGoals.js"
export type { OfflineGoalSpec } from "./OfflineGoals.js"

// ===== Goal readiness and identifier hygiene (for the `goals` and `inspect` options) =====

/**
 * When a goal takes conversions, and the goal settings a record may break: `notReady`, `afterNotAccepted`,
 * `MAX_NOT_ACCEPTED_WINDOWS`, `fetchGoalFacts`, `GoalSettingsCheck`.
 */
export * as GoalReadiness from "./goals/GoalReadiness.js"
/** The creation times Uplink recorded for the goals it created: `recorded`, `record`. */
export * as GoalTimes from "./goals/GoalTimes.js"
/** Identifier hygiene of a run, per goal (fed through the `inspect` option): `tally()`, `HygieneTally`. */
export * as Hygiene from "./hygiene/IdentifierHygiene.js"
