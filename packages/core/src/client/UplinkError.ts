/**
 * `UplinkError`: the one error class the Promise client throws, whatever went wrong — a call Microsoft refused or
 * that never got through (`CampaignManagementError`), bad options or an unreadable input of a run
 * (`PipelineError`), missing or wrong settings (`ConfigError`), a goal the service would not create. It carries what
 * a caller needs to decide and to report: the `reason`, the service's `codes`, the `trackingId` to give Microsoft's
 * support, and `isRetryable`. It never carries a secret (the messages it copies are already free of them).
 */
import * as Cause from "effect/Cause"
import * as ConfigError from "effect/ConfigError"
import { CampaignManagementError, OfflineGoals, PipelineError } from "../index.js"

/** Why a client call failed. */
export type UplinkErrorReason =
  /** Settings are missing or wrong (developer token, ids, credentials, ranges). */
  | "Configuration"
  /** A run's options are out of range, or its input cannot be read. */
  | "InvalidOptions"
  | "UnreadableInput"
  /** The request does not match the operation's contract. */
  | "InvalidRequest"
  /** The service answered with a fault (its codes are in `codes`). */
  | "ApiFault"
  | "Authentication"
  | "RateLimit"
  | "HttpStatus"
  /** The service could not be reached, or the connection broke. */
  | "Transport"
  /** The answer could not be read. */
  | "Decode"
  /** The operation is served over REST only (called over SOAP), or the service has no REST route for it. */
  | "NotAvailable"
  /** The service refused to create a goal. */
  | "GoalNotCreated"
  /** The call was aborted before it completed. */
  | "Aborted"
  | "Unexpected"

/** Options of an `UplinkError`. */
export interface UplinkErrorOptions {
  readonly reason: UplinkErrorReason
  readonly codes?: ReadonlyArray<number> | undefined
  readonly errorCodes?: ReadonlyArray<string> | undefined
  readonly trackingId?: string | undefined
  readonly operation?: string | undefined
  readonly isRetryable?: boolean | undefined
  readonly cause?: unknown
}

/** The error of every failed client call. */
export class UplinkError extends Error {
  override readonly name = "UplinkError"
  readonly reason: UplinkErrorReason
  /** The service's numeric codes (e.g. `[105]`), empty when it sent none. */
  readonly codes: ReadonlyArray<number>
  /** The service's symbolic codes (e.g. `["InvalidCredentials"]`). */
  readonly errorCodes: ReadonlyArray<string>
  readonly trackingId: string | undefined
  /** The operation called, when the failure concerns one. */
  readonly operation: string | undefined
  /** Whether the same call may succeed later (the client has already retried what it retries). */
  readonly isRetryable: boolean

  constructor(message: string, options: UplinkErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.reason = options.reason
    this.codes = options.codes ?? []
    this.errorCodes = options.errorCodes ?? []
    this.trackingId = options.trackingId
    this.operation = options.operation
    this.isRetryable = options.isRetryable ?? false
  }
}

const reasonOfCampaignManagement: Record<CampaignManagementError["reason"]["_tag"], UplinkErrorReason> = {
  ApiFaultError: "ApiFault",
  AuthenticationError: "Authentication",
  RateLimitError: "RateLimit",
  HttpStatusError: "HttpStatus",
  TransportError: "Transport",
  DecodeError: "Decode",
  InvalidRequestError: "InvalidRequest",
  RestOnlyOperationError: "NotAvailable",
  NotAvailableOverRestError: "NotAvailable"
}

/** The `UplinkError` for a failure of a client call (a typed failure, or a defect as `Unexpected`). */
export const fromFailure = (failure: unknown): UplinkError => {
  if (failure instanceof UplinkError) return failure
  if (failure instanceof CampaignManagementError) {
    const reason = failure.reason
    const coded: ReadonlyArray<{ readonly code: number | undefined; readonly errorCode: string | undefined }> =
      reason._tag === "ApiFaultError"
        ? reason.errors
        : reason._tag === "RateLimitError" || reason._tag === "AuthenticationError"
          ? [{ code: reason.code, errorCode: reason.errorCode }]
          : []
    return new UplinkError(failure.message, {
      reason: reasonOfCampaignManagement[reason._tag],
      codes: coded.flatMap((error) => (error.code === undefined ? [] : [error.code])),
      errorCodes: coded.flatMap((error) => (error.errorCode === undefined ? [] : [error.errorCode])),
      trackingId: failure.trackingId,
      operation: failure.operation,
      isRetryable: failure.isRetryable,
      cause: failure
    })
  }
  if (failure instanceof PipelineError) {
    return new UplinkError(failure.message, { reason: failure.reason, cause: failure })
  }
  if (failure instanceof OfflineGoals.GoalNotCreated) {
    return new UplinkError(failure.message, {
      reason: "GoalNotCreated",
      codes: failure.code === null ? [] : [failure.code],
      errorCodes: failure.errorCode === null ? [] : [failure.errorCode],
      trackingId: failure.trackingId,
      cause: failure
    })
  }
  if (ConfigError.isConfigError(failure)) {
    return new UplinkError(`configuration: ${String(failure)}`, { reason: "Configuration", cause: failure })
  }
  if (typeof failure === "object" && failure !== null && "_tag" in failure && "message" in failure) {
    const tag = String(failure._tag)
    const reason: UplinkErrorReason =
      tag === "AuthenticationError" ? "Authentication" : tag === "TokenStoreError" ? "Configuration" : "Unexpected"
    return new UplinkError(String(failure.message), { reason, cause: failure })
  }
  return new UplinkError(failure instanceof Error ? failure.message : String(failure), {
    reason: "Unexpected",
    cause: failure
  })
}

/** The `UplinkError` for a whole `Cause`: its first failure, else `Aborted` for an interruption, else `Unexpected`. */
export const fromCause = (cause: Cause.Cause<unknown>): UplinkError => {
  const failure = Cause.failureOption(cause)
  if (failure._tag === "Some") return fromFailure(failure.value)
  if (Cause.isInterruptedOnly(cause)) return new UplinkError("the call was aborted", { reason: "Aborted" })
  const defect = Cause.dieOption(cause)
  return fromFailure(defect._tag === "Some" ? defect.value : Cause.pretty(cause))
}
