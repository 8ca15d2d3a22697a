/**
 * The one error type of every Campaign Management call: `CampaignManagementError`, carrying the operation, the
 * TrackingId the service gave (when it gave one) and a `reason` that says what went wrong and whether trying again
 * can help (`isRetryable`). Modelled on @effect/platform's `HttpClientError`: a tagged error with a reason union and
 * a formatted message. Messages never contain credentials: reasons hold descriptions, not requests.
 */
import type * as Schemas from "@uplink/campaign-management/schemas"
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"

/** The request or the response did not get through: connection refused or reset, lost response, timeout. */
export class TransportError extends Data.TaggedError("TransportError")<{
  readonly kind: "Timeout" | "RequestFailed" | "ResponseBodyFailed" | "InvalidUrl"
  readonly detail: string
}> {
  /** Every transport failure but a malformed URL may succeed when sent again. */
  get isRetryable(): boolean {
    return this.kind !== "InvalidUrl"
  }
  override get message(): string {
    return `${this.kind}: ${this.detail}`
  }
}

/** An HTTP status that carried no recognisable fault. 5xx and 408 are retryable; other statuses are not. */
export class HttpStatusError extends Data.TaggedError("HttpStatusError")<{
  readonly status: number
  /** The first characters of the body, for diagnosis. */
  readonly bodyExcerpt: string
}> {
  get isRetryable(): boolean {
    return this.status >= 500 || this.status === 408
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
  get isRetryable(): boolean {
    return true
  }
  override get message(): string {
    return `rate limit: ${this.code} ${this.errorCode}: ${this.detail}`
  }
}

/**
 * Credentials were refused. `kind`:
 * - `Credentials`: the service refused them (105, 106, 108, 120–126, 3101);
 * - `TokenExpired`: 109 even after a refresh, or a static access token that expired;
 * - `InvalidGrant`: the refresh token was refused by the token endpoint (expired or revoked): log in again;
 * - `OAuth`: another error from the token endpoint (client id, secret, scope);
 * - `NotLoggedIn`: no refresh token anywhere.
 */
export class AuthenticationError extends Data.TaggedError("AuthenticationError")<{
  readonly kind: "Credentials" | "TokenExpired" | "InvalidGrant" | "OAuth" | "NotLoggedIn"
  readonly code: number | undefined
  readonly errorCode: string | undefined
  readonly detail: string
}> {
  get isRetryable(): boolean {
    return false
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
  /** Which fault detail the service sent (`undefined` when the fault had no detail). */
  readonly faultType: "AdApiFaultDetail" | "ApiFaultDetail" | "EditorialApiFaultDetail" | undefined
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
  get isRetryable(): boolean {
    return this.transient
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
 * well-formed body that does not match the contract, which sending again will not fix.
 */
export class DecodeError extends Data.TaggedError("DecodeError")<{
  readonly wireReason: string
  readonly path: string | undefined
  readonly detail: string
}> {
  get isRetryable(): boolean {
    return this.wireReason === "NotWellFormed" || this.wireReason === "TooLarge"
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
  get isRetryable(): boolean {
    return false
  }
  override get message(): string {
    return `invalid request at ${this.path}: ${this.detail}`
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

/** The failure of a Campaign Management call. */
export class CampaignManagementError extends Data.TaggedError("CampaignManagementError")<{
  readonly operation: string
  readonly trackingId: string | undefined
  readonly reason: CampaignManagementErrorReason
}> {
  /** Whether sending the same request again can succeed. */
  get isRetryable(): boolean {
    return this.reason.isRetryable
  }
  override get message(): string {
    const tracking = this.trackingId === undefined ? "" : ` (TrackingId ${this.trackingId})`
    return `${this.operation} failed: ${this.reason._tag}: ${this.reason.message}${tracking}`
  }
}
