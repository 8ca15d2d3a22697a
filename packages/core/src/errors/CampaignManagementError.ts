/**
 * The one error type of every Campaign Management call: `CampaignManagementError`, carrying the operation, the
 * TrackingId the service gave (when it gave one) and a `reason` that says what went wrong and whether trying again
 * can help (`retry`, `isRetryable`: each reason reads its row of the retry table, retry/RetryTable.ts). Modelled on
 * @effect/platform's `HttpClientError`: a tagged error with a reason union and a formatted message. Messages never
 * contain credentials: reasons hold descriptions, not requests.
 */
import type * as Schemas from "@uplink/campaign-management/schemas"
import type { RestFaultDetailName } from "@uplink/campaign-management/wire"
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import {
  type AuthenticationKind,
  apiFaultKind,
  authenticationKinds,
  decodeReason,
  faultClasses,
  fixedReasons,
  type Retry,
  retriesInRun,
  statusKind,
  statusRetry,
  type TransportErrorKind,
  transportErrorKinds
} from "../retry/RetryTable.js"

/** The request or the response did not get through: connection refused or reset, lost response, timeout. */
export class TransportError extends Data.TaggedError("TransportError")<{
  readonly kind: TransportErrorKind
  readonly detail: string
}> {
  /** Every transport failure but a malformed URL may succeed when sent again (`transportErrorKinds`). */
  get retry(): Retry {
    return transportErrorKinds[this.kind].retry
  }
  get failureKind(): string {
    return transportErrorKinds[this.kind].failureKind
  }
  get isRetryable(): boolean {
    return retriesInRun(this.retry)
  }
  override get message(): string {
    return `${this.kind}: ${this.detail}`
  }
}

/** An HTTP status that carried no recognisable fault. 5xx and 408 are retryable; other statuses are not (`statusRetry`). */
export class HttpStatusError extends Data.TaggedError("HttpStatusError")<{
  readonly status: number
  /** The first characters of the body, for diagnosis. */
  readonly bodyExcerpt: string
}> {
  get retry(): Retry {
    return statusRetry(this.status)
  }
  get failureKind(): string {
    return statusKind(this.status)
  }
  get isRetryable(): boolean {
    return retriesInRun(this.retry)
  }
  override get message(): string {
    return `HTTP status ${this.status} without a recognisable fault`
  }
}

/** Code 117 CallRateExceeded (or HTTP 429): wait (60 s is the documented guidance) and send again. */
export class RateLimitError extends Data.TaggedError("RateLimitError")<{
  readonly code: number
  readonly errorCode: string
  readonly detail: string
  /** The wait the service asked for (a `Retry-After` header), when it gave one. */
  readonly retryAfter: Duration.Duration | undefined
}> {
  get retry(): Retry {
    return fixedReasons.RateLimitError.retry
  }
  get failureKind(): string {
    return fixedReasons.RateLimitError.failureKind
  }
  get isRetryable(): boolean {
    return retriesInRun(this.retry)
  }
  override get message(): string {
    return `rate limit: ${this.code} ${this.errorCode}: ${this.detail}`
  }
}

/**
 * Credentials were refused. `kind`:
 * - `Credentials`: the service refused them (105, 106, 108, 120–126, 3101, an `AdCenterAuthenticationFault` or
 *   `AdCenterAuthorizationFault` REST body, or HTTP 401);
 * - `TokenExpired`: 109 even after a refresh, or a static access token that expired;
 * - `InvalidGrant`: the refresh token was refused by the token endpoint (expired or revoked): log in again;
 * - `OAuth`: another error from the token endpoint (client id, secret, scope);
 * - `NotLoggedIn`: no refresh token anywhere.
 */
export class AuthenticationError extends Data.TaggedError("AuthenticationError")<{
  readonly kind: AuthenticationKind
  readonly code: number | undefined
  readonly errorCode: string | undefined
  readonly detail: string
  /**
   * The service's answer asks for a new access token and one more try: HTTP 401 (whatever the body, as Microsoft's
   * .NET SDK treats it) or an `AdCenterAuthenticationFault`. 109 (`TokenExpired`) always does.
   */
  readonly resendAfterRefresh?: boolean | undefined
  /** The HTTP status the refusal came with, when it came from the service. */
  readonly httpStatus?: number | undefined
}> {
  /** `later`: never sent again within a run, kept by the server until the credentials work (`authenticationKinds`). */
  get retry(): Retry {
    return authenticationKinds[this.kind].retry
  }
  get failureKind(): string {
    return authenticationKinds[this.kind].failureKind
  }
  get isRetryable(): boolean {
    return retriesInRun(this.retry)
  }
  /** Whether a refreshed access token may succeed: 109, HTTP 401, an AdCenterAuthenticationFault. */
  get refreshesToken(): boolean {
    return this.kind === "TokenExpired" || this.resendAfterRefresh === true
  }
  override get message(): string {
    const code = this.code === undefined ? "" : `${this.code} `
    const errorCode = this.errorCode === undefined ? "" : `${this.errorCode}: `
    return `authentication failed (${this.kind}): ${code}${errorCode}${this.detail}`
  }
}

/** An error of an API fault: an AdApiError, an OperationError or a BatchError, with its code. */
export interface FaultError {
  readonly code: number
  readonly errorCode: string
  readonly message: string
}

/** A SOAP or REST fault that is neither a rate limit nor an authentication failure. */
export class ApiFaultError extends Data.TaggedError("ApiFaultError")<{
  /**
   * Which fault the service sent (`undefined` when the fault had no detail): a WSDL fault detail, or over REST one of
   * the `AdCenterFault`, `AdCenterInternalErrorFault`, `AdCenterSystemFault` bodies (no error codes; their
   * `ErrorMessage` is the `faultString`).
   */
  readonly faultType: RestFaultDetailName | undefined
  readonly faultCode: string
  readonly faultString: string
  readonly httpStatus: number
  readonly adApiErrors: ReadonlyArray<Schemas.AdApiError>
  readonly operationErrors: ReadonlyArray<Schemas.OperationError>
  readonly batchErrors: ReadonlyArray<Schemas.BatchErrorUnion>
  /** Every error above with its code, flattened. */
  readonly errors: ReadonlyArray<FaultError>
  /** Whether the fault-code table calls every code in this fault transient (0, 833, 1010, 5612). */
  readonly transient: boolean
}> {
  get retry(): Retry {
    return this.transient ? faultClasses.transient : faultClasses.permanent
  }
  get failureKind(): string {
    return apiFaultKind
  }
  get isRetryable(): boolean {
    return retriesInRun(this.retry)
  }
  /** The numeric codes of the fault, in order. */
  get codes(): ReadonlyArray<number> {
    return this.errors.map((error) => error.code)
  }
  override get message(): string {
    const errors = this.errors.map((error) => `${error.code} ${error.errorCode}: ${error.message}`).join("; ")
    return `${this.faultType ?? "fault"} ${errors === "" ? this.faultString : errors}`
  }
}

/**
 * The response body could not be read as the contract. `wireReason` comes from the codec: `NotWellFormed` and
 * `TooLarge` mean the bytes are not a complete document (a cut connection) and are retryable; the others mean a
 * well-formed body that does not match the contract, which sending again will not fix (`decodeReasons`).
 */
export class DecodeError extends Data.TaggedError("DecodeError")<{
  readonly wireReason: string
  readonly path: string | undefined
  readonly detail: string
}> {
  get retry(): Retry {
    return decodeReason(this.wireReason).retry
  }
  get failureKind(): string {
    return decodeReason(this.wireReason).failureKind
  }
  get isRetryable(): boolean {
    return retriesInRun(this.retry)
  }
  override get message(): string {
    return `response could not be decoded (${this.wireReason}${this.path === undefined ? "" : ` at ${this.path}`}): ${this.detail}`
  }
}

/** The request holds a value that cannot be put on the wire (NaN, a control character XML cannot carry). */
export class InvalidRequestError extends Data.TaggedError("InvalidRequestError")<{
  readonly path: string
  readonly detail: string
}> {
  get retry(): Retry {
    return fixedReasons.InvalidRequestError.retry
  }
  get failureKind(): string {
    return fixedReasons.InvalidRequestError.failureKind
  }
  get isRetryable(): boolean {
    return retriesInRun(this.retry)
  }
  override get message(): string {
    return `invalid request at ${this.path}: ${this.detail}`
  }
}

/**
 * The operation is not in the WSDL (a REST-only operation of the REST overlay, e.g. GetOfflineConversionReportByGoalIds)
 * and the transport is SOAP: refused before anything is sent.
 */
export class RestOnlyOperationError extends Data.TaggedError("RestOnlyOperationError")<{
  readonly detail: string
}> {
  get retry(): Retry {
    return fixedReasons.RestOnlyOperationError.retry
  }
  get failureKind(): string {
    return fixedReasons.RestOnlyOperationError.failureKind
  }
  get isRetryable(): boolean {
    return retriesInRun(this.retry)
  }
  override get message(): string {
    return `only available over REST: ${this.detail}`
  }
}

/**
 * The service does not serve the operation over REST: HTTP 404 or 501 on its REST route (Microsoft's .NET SDK reads
 * both so), or an operation without a REST route. Sending again will not help.
 */
export class NotAvailableOverRestError extends Data.TaggedError("NotAvailableOverRestError")<{
  /** 404 or 501; undefined when the operation has no REST route at all (nothing was sent). */
  readonly status: number | undefined
  readonly detail: string
}> {
  get retry(): Retry {
    return fixedReasons.NotAvailableOverRestError.retry
  }
  get failureKind(): string {
    return fixedReasons.NotAvailableOverRestError.failureKind
  }
  get isRetryable(): boolean {
    return retriesInRun(this.retry)
  }
  override get message(): string {
    return `not available over REST: ${this.detail}`
  }
}

/** Why a call failed. */
export type CampaignManagementErrorReason =
  | TransportError
  | HttpStatusError
  | RateLimitError
  | AuthenticationError
  | ApiFaultError
  | DecodeError
  | InvalidRequestError
  | RestOnlyOperationError
  | NotAvailableOverRestError

/** The failure of a Campaign Management call. */
export class CampaignManagementError extends Data.TaggedError("CampaignManagementError")<{
  readonly operation: string
  readonly trackingId: string | undefined
  readonly reason: CampaignManagementErrorReason
}> {
  /** What sending the same request again can do (its reason's row of the retry table). */
  get retry(): Retry {
    return this.reason.retry
  }
  /** Whether sending the same request again within this run can succeed (`now` or `afterWait`). */
  get isRetryable(): boolean {
    return this.reason.isRetryable
  }
  /** The wait the service asked for before sending again (a rate limit's `Retry-After`), when it gave one. */
  get retryAfter(): Duration.Duration | undefined {
    return this.reason._tag === "RateLimitError" ? this.reason.retryAfter : undefined
  }
  override get message(): string {
    const tracking = this.trackingId === undefined ? "" : ` (TrackingId ${this.trackingId})`
    return `${this.operation} failed: ${this.reason._tag}: ${this.reason.message}${tracking}`
  }
}
