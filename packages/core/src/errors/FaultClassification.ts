/**
 * The fault-code classification table: which Campaign Management error codes are transient, a rate limit or an
 * authentication failure (api-facts.md §3.3, §4). Every other code is permanent. `reasonFromFault` turns a decoded
 * SOAP or REST fault into the `reason` of a `CampaignManagementError` using this table alone (plus the fault types
 * that carry no codes: the REST `AdCenter*Fault` bodies). `reasonFromReply` puts the HTTP status rules first:
 *
 * | answer | reason |
 * |---|---|
 * | HTTP 429, any body | `RateLimitError` (the body's 117 if it has one), with the `Retry-After` wait (seconds or date) |
 * | HTTP 401, any body | `AuthenticationError` with `resendAfterRefresh`: one token refresh and one resend |
 * | REST, HTTP 404 or 501, any body | `NotAvailableOverRestError` (the service does not serve it over REST) |
 * | a fault (any other status) | `reasonFromFault` |
 * | another non-2xx without fault | `HttpStatusError` (5xx and 408 retryable) |
 */
import type * as Schemas from "@uplink/campaign-management/schemas"
import { faultErrorCodes, type WireFault } from "@uplink/campaign-management/wire"
import type * as Duration from "effect/Duration"
import {
  ApiFaultError,
  AuthenticationError,
  type CampaignManagementErrorReason,
  HttpStatusError,
  NotAvailableOverRestError,
  RateLimitError
} from "./CampaignManagementError.js"

/** What a fault code means for the caller. */
export type FaultClass = "transient" | "rateLimit" | "authentication" | "tokenExpired" | "permanent"

/** The classification table. Codes that are not listed are permanent. */
export const faultCodeTable: ReadonlyArray<readonly [code: number, faultClass: FaultClass, name: string]> = [
  [0, "transient", "InternalError"],
  [833, "transient", "ServiceTimeOut"],
  [1010, "transient", "CampaignServiceSystemInReadOnlyMode"],
  [5612, "transient", "OfflineConversionsApplyFailed"],
  [117, "rateLimit", "CallRateExceeded"],
  [109, "tokenExpired", "AuthenticationTokenExpired"],
  [105, "authentication", "InvalidCredentials"],
  [106, "authentication", "UserIsNotAuthorized"],
  [108, "authentication", "UserCompromised"],
  [120, "authentication", "UserLoginAccessDenied"],
  [121, "authentication", "UserLoginAccessDenied"],
  [122, "authentication", "PersonalIdentityNotAvailable"],
  [123, "authentication", "WorkIdentityNotAvailable"],
  [124, "authentication", "PersonalIdentityMigratedToWork"],
  [125, "authentication", "PersonalIdentityNotAllowedByCustomer"],
  [126, "authentication", "IdentityTypeMismatch"],
  [3101, "authentication", "OAuthTokenInvalid"]
]

const classByCode: ReadonlyMap<number, FaultClass> = new Map(
  faultCodeTable.map(([code, faultClass]) => [code, faultClass])
)

/** The class of one code. */
export const classifyCode = (code: number): FaultClass => classByCode.get(code) ?? "permanent"

/**
 * The class of a fault with several codes: the one that matters most to the caller wins, in this order —
 * authentication, token expired, permanent, rate limit, transient (a fault is transient only when all its codes are).
 */
const precedence: ReadonlyArray<FaultClass> = ["authentication", "tokenExpired", "permanent", "rateLimit", "transient"]

/** The class of a fault from its codes; a fault without codes is transient on HTTP 5xx and permanent otherwise. */
export const classifyCodes = (codes: ReadonlyArray<number>, httpStatus: number): FaultClass => {
  if (codes.length === 0) return httpStatus >= 500 ? "transient" : "permanent"
  const classes = new Set(codes.map(classifyCode))
  return precedence.find((faultClass) => classes.has(faultClass)) ?? "permanent"
}

const nonNull = <A>(items: ReadonlyArray<A | null> | null | undefined): ReadonlyArray<A> =>
  (items ?? []).filter((item): item is A => item !== null)

/**
 * The reason of a `CampaignManagementError` for a decoded fault received with `httpStatus`; `retryAfter` is the wait
 * the response asked for (a `Retry-After` header), kept on a rate limit.
 */
export const reasonFromFault = (
  fault: WireFault,
  httpStatus: number,
  retryAfter?: Duration.Duration | undefined
): CampaignManagementErrorReason => {
  const detail = fault.detail
  // REST-only fault bodies without error codes.
  if (detail?._tag === "AdCenterAuthenticationFault" || detail?._tag === "AdCenterAuthorizationFault") {
    const authentication = detail._tag === "AdCenterAuthenticationFault"
    return new AuthenticationError({
      kind: "Credentials",
      code: undefined,
      errorCode: (authentication ? detail.value.ErrorCode : undefined) ?? detail._tag,
      detail: detail.value.ErrorMessage ?? fault.message,
      // Authentication (not authorization) may be a token the service no longer takes: refresh and send once more.
      resendAfterRefresh: authentication,
      httpStatus
    })
  }
  const errors = faultErrorCodes(fault)
  const faultClass = classifyCodes(
    errors.map((error) => error.code),
    httpStatus
  )
  const first = (wanted: FaultClass) => errors.find((error) => classifyCode(error.code) === wanted) ?? errors[0]
  switch (faultClass) {
    case "rateLimit": {
      const error = first("rateLimit")!
      return new RateLimitError({
        code: error.code,
        errorCode: error.errorCode,
        detail: error.message,
        retryAfter
      })
    }
    case "authentication":
    case "tokenExpired": {
      const error = first(faultClass)!
      return new AuthenticationError({
        kind: faultClass === "tokenExpired" ? "TokenExpired" : "Credentials",
        code: error.code,
        errorCode: error.errorCode,
        detail: error.message
      })
    }
    default: {
      const adApiErrors: ReadonlyArray<Schemas.AdApiError> =
        detail?._tag === "AdApiFaultDetail" ? nonNull(detail.value.Errors) : []
      const operationErrors: ReadonlyArray<Schemas.OperationError> =
        detail?._tag === "ApiFaultDetail" || detail?._tag === "EditorialApiFaultDetail"
          ? nonNull(detail.value.OperationErrors)
          : []
      const batchErrors: ReadonlyArray<Schemas.BatchErrorUnion> =
        detail?._tag === "ApiFaultDetail"
          ? nonNull<Schemas.BatchErrorUnion>(detail.value.BatchErrors)
          : detail?._tag === "EditorialApiFaultDetail"
            ? [...nonNull<Schemas.BatchErrorUnion>(detail.value.BatchErrors), ...nonNull(detail.value.EditorialErrors)]
            : []
      return new ApiFaultError({
        faultType: detail?._tag,
        faultCode: fault.faultCode,
        faultString: fault.message,
        httpStatus,
        adApiErrors,
        operationErrors,
        batchErrors,
        errors,
        transient: faultClass === "transient"
      })
    }
  }
}

/** What `reasonFromReply` needs of an HTTP answer. */
export interface ReplyFacts {
  readonly protocol: "soap" | "rest"
  readonly status: number
  /** The decoded fault of the body, when the body was one. */
  readonly fault: WireFault | undefined
  /** The `Retry-After` wait, when the answer gave one. */
  readonly retryAfter: Duration.Duration | undefined
  /** The first characters of the body, for `HttpStatusError`. */
  readonly bodyExcerpt: string
  /** `METHOD path` of the REST route, for `NotAvailableOverRestError`. */
  readonly route?: string | undefined
}

/**
 * The reason of a failed answer (a non-2xx status, or a fault with any status): the HTTP status rules first (429 rate
 * limit, 401 refresh and resend, REST 404/501 not available over REST), then the fault, then the status alone.
 */
export const reasonFromReply = (reply: ReplyFacts): CampaignManagementErrorReason => {
  const { status, fault } = reply
  const errors = fault === undefined ? [] : faultErrorCodes(fault)
  if (status === 429) {
    const limit = errors.find((error) => classifyCode(error.code) === "rateLimit")
    return new RateLimitError({
      code: limit?.code ?? 117,
      errorCode: limit?.errorCode ?? "CallRateExceeded",
      detail: limit?.message ?? "HTTP 429 Too Many Requests",
      retryAfter: reply.retryAfter
    })
  }
  if (status === 401) {
    const fromFault = fault === undefined ? undefined : reasonFromFault(fault, status, reply.retryAfter)
    if (fromFault?._tag === "AuthenticationError") {
      return new AuthenticationError({
        kind: fromFault.kind,
        code: fromFault.code,
        errorCode: fromFault.errorCode,
        detail: fromFault.detail,
        resendAfterRefresh: true,
        httpStatus: status
      })
    }
    const first = errors[0]
    return new AuthenticationError({
      kind: "Credentials",
      code: first?.code,
      errorCode: first?.errorCode,
      detail: first?.message ?? (fault === undefined ? "HTTP 401 Unauthorized" : fault.message),
      resendAfterRefresh: true,
      httpStatus: status
    })
  }
  if (reply.protocol === "rest" && (status === 404 || status === 501)) {
    return new NotAvailableOverRestError({
      status,
      detail: `the service answered HTTP ${status} to ${reply.route ?? "the REST route"}`
    })
  }
  if (fault !== undefined) return reasonFromFault(fault, status, reply.retryAfter)
  return new HttpStatusError({ status, bodyExcerpt: reply.bodyExcerpt })
}
