/**
 * From a failed answer to the `reason` of a `CampaignManagementError`, by the tables of retry/RetryTable.ts (fault
 * codes, decisive HTTP statuses, REST fault types). `reasonFromFault` turns a decoded SOAP or REST fault into a reason
 * by its codes' classes (plus the fault types that carry no codes: the REST `AdCenter*Fault` bodies).
 * `reasonFromReply` puts the HTTP status rules first:
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
import { faultErrorCodes, type WireFault, type WireFaultDetail } from "@uplink/campaign-management/wire"
import type * as Duration from "effect/Duration"
import {
  ApiFaultError,
  AuthenticationError,
  type CampaignManagementErrorReason,
  HttpStatusError,
  NotAvailableOverRestError,
  RateLimitError
} from "./CampaignManagementError.js"
import { classifyCode, classifyCodes, decisiveStatus, type FaultClass, restFaultTypes } from "../retry/RetryTable.js"

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
  // REST-only fault bodies without error codes that refuse the credentials (`restFaultTypes`).
  const restType = detail === undefined ? undefined : restFaultTypes[detail._tag]
  if (restType === "authentication" || restType === "authorization") {
    const refusal = detail as Extract<WireFaultDetail, { readonly _tag: `AdCenterAuth${string}` }>
    const authentication = restType === "authentication"
    return new AuthenticationError({
      kind: "Credentials",
      code: undefined,
      errorCode: (refusal._tag === "AdCenterAuthenticationFault" ? refusal.value.ErrorCode : undefined) ?? refusal._tag,
      detail: refusal.value.ErrorMessage ?? fault.message,
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
  const decisive = decisiveStatus(status, reply.protocol)?.reason
  if (decisive === "RateLimitError") {
    const limit = errors.find((error) => classifyCode(error.code) === "rateLimit")
    return new RateLimitError({
      code: limit?.code ?? 117,
      errorCode: limit?.errorCode ?? "CallRateExceeded",
      detail: limit?.message ?? "HTTP 429 Too Many Requests",
      retryAfter: reply.retryAfter
    })
  }
  if (decisive === "AuthenticationError") {
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
  if (decisive === "NotAvailableOverRestError") {
    return new NotAvailableOverRestError({
      status,
      detail: `the service answered HTTP ${status} to ${reply.route ?? "the REST route"}`
    })
  }
  if (fault !== undefined) return reasonFromFault(fault, status, reply.retryAfter)
  return new HttpStatusError({ status, bodyExcerpt: reply.bodyExcerpt })
}
