/**
 * "Is X retryable?" for every failure kind, answered by the one table (src/retry/RetryTable.ts): each row below is a
 * failure as the client makes it, with the `Retry` and the failure kind the table gives it, read through the reason,
 * the `CampaignManagementError`, the pipeline's `DeliveryFailure` and the default `RetryPolicy`. A last check makes
 * sure that every entry of every named table is exercised here, so a new row cannot go untested.
 */
import { assert, describe, it } from "@effect/vitest"
import type { WireFault } from "@uplink/campaign-management"
import { Duration } from "effect"
import { toDeliveryError } from "../src/CampaignManagementSender.js"
import {
  AuthenticationError,
  CampaignManagementError,
  type CampaignManagementErrorReason,
  DecodeError,
  HttpStatusError,
  InvalidRequestError,
  NotAvailableOverRestError,
  RateLimitError,
  RestOnlyOperationError,
  TransportError
} from "../src/errors/CampaignManagementError.js"
import { reasonFromReply } from "../src/errors/FaultClassification.js"
import {
  authenticationKinds,
  decisiveStatuses,
  decodeReasons,
  faultClasses,
  faultCodes,
  fixedReasons,
  pipelineFailures,
  type Retry,
  restFaultTypes,
  retriesInRun,
  transportErrorKinds
} from "../src/retry/RetryTable.js"

/** A fault of `type` with `codes` (REST `Type`, or a WSDL detail), as the codecs decode it. */
const fault = (type: keyof typeof restFaultTypes, codes: ReadonlyArray<number> = []): WireFault => {
  const errors = codes.map((code) => ({ Code: code, ErrorCode: `E${code}`, Message: `error ${code}` }))
  const value =
    type === "AdApiFaultDetail"
      ? { Errors: errors }
      : type === "ApiFaultDetail" || type === "EditorialApiFaultDetail"
        ? { OperationErrors: errors, BatchErrors: [] }
        : { ErrorMessage: `${type} body`, ErrorCode: type === "AdCenterAuthenticationFault" ? "AuthFailed" : undefined }
  return {
    _tag: "WireFault",
    faultCode: "s:Server",
    message: `${type} fault`,
    trackingId: undefined,
    detail: { _tag: type, value: { _tag: type, ...value } } as unknown as WireFault["detail"]
  }
}

const reply = (status: number, body?: WireFault, protocol: "soap" | "rest" = "rest") =>
  reasonFromReply({ protocol, status, fault: body, retryAfter: undefined, bodyExcerpt: "", route: "POST /x" })

interface Case {
  /** Which table entry the case exercises: `<table>.<key>`. */
  readonly entry: string
  readonly reason: CampaignManagementErrorReason
  readonly retry: Retry
  readonly kind: string
}

const cases: ReadonlyArray<Case> = [
  // Transport failures.
  ...(["Timeout", "RequestFailed", "ResponseBodyFailed", "InvalidUrl"] as const).map(
    (kind): Case => ({
      entry: `transportErrorKinds.${kind}`,
      reason: new TransportError({ kind, detail: "POST http://127.0.0.1:9/x" }),
      retry: kind === "InvalidUrl" ? "never" : "now",
      kind: {
        Timeout: "Timeout",
        RequestFailed: "ConnectionFailed",
        ResponseBodyFailed: "ResponseCut",
        InvalidUrl: "InvalidUrl"
      }[kind]
    })
  ),
  // Answers that could not be decoded.
  ...(
    [
      "NotWellFormed",
      "TooLarge",
      "UnknownElement",
      "OutOfOrder",
      "SchemaMismatch",
      "UnknownOperation",
      "NotAnEnvelope"
    ] as const
  ).map(
    (wireReason): Case => ({
      entry: `decodeReasons.${wireReason}`,
      reason: new DecodeError({ wireReason, path: undefined, detail: "eof" }),
      retry: wireReason === "NotWellFormed" || wireReason === "TooLarge" ? "now" : "never",
      kind: wireReason === "NotWellFormed" || wireReason === "TooLarge" ? "ResponseCut" : "UnexpectedResponse"
    })
  ),
  // HTTP statuses that decide whatever the body says.
  { entry: "decisiveStatuses.429", reason: reply(429), retry: "afterWait", kind: "RateLimit" },
  { entry: "decisiveStatuses.401", reason: reply(401), retry: "later", kind: "Authentication" },
  { entry: "decisiveStatuses.404", reason: reply(404), retry: "never", kind: "NotAvailable" },
  { entry: "decisiveStatuses.501", reason: reply(501), retry: "never", kind: "NotAvailable" },
  // The same statuses over SOAP are not REST routes: 404 is a status like any other.
  { entry: "statusRetry.404-soap", reason: reply(404, undefined, "soap"), retry: "never", kind: "Http404" },
  // Statuses without a fault.
  { entry: "statusRetry.408", reason: reply(408), retry: "now", kind: "Http408" },
  { entry: "statusRetry.500", reason: reply(500), retry: "now", kind: "Http500" },
  { entry: "statusRetry.503", reason: reply(503), retry: "now", kind: "Http503" },
  { entry: "statusRetry.400", reason: reply(400), retry: "never", kind: "Http400" },
  { entry: "statusRetry.403", reason: reply(403), retry: "never", kind: "Http403" },
  // Fault codes, one case per listed code, and one code that is not listed.
  ...faultCodes.map(
    ([code, faultClass]): Case => ({
      entry: `faultCodes.${code}`,
      reason: reply(500, fault("AdApiFaultDetail", [code])),
      retry: faultClasses[faultClass],
      kind: faultClass === "rateLimit" ? "RateLimit" : faultClass === "transient" ? "ApiFault" : "Authentication"
    })
  ),
  {
    entry: "faultCodes.unlisted",
    reason: reply(400, fault("ApiFaultDetail", [5600])),
    retry: "never",
    kind: "ApiFault"
  },
  // A fault whose codes disagree: the one that matters most to the caller wins.
  {
    entry: "faultCodes.mixed",
    reason: reply(500, fault("ApiFaultDetail", [0, 117, 105])),
    retry: "later",
    kind: "Authentication"
  },
  // REST fault types.
  {
    entry: "restFaultTypes.AdApiFaultDetail",
    reason: reply(500, fault("AdApiFaultDetail", [0])),
    retry: "now",
    kind: "ApiFault"
  },
  {
    entry: "restFaultTypes.ApiFaultDetail",
    reason: reply(400, fault("ApiFaultDetail", [1100])),
    retry: "never",
    kind: "ApiFault"
  },
  {
    entry: "restFaultTypes.EditorialApiFaultDetail",
    reason: reply(400, fault("EditorialApiFaultDetail", [1037])),
    retry: "never",
    kind: "ApiFault"
  },
  {
    entry: "restFaultTypes.AdCenterAuthenticationFault",
    reason: reply(400, fault("AdCenterAuthenticationFault")),
    retry: "later",
    kind: "Authentication"
  },
  {
    entry: "restFaultTypes.AdCenterAuthorizationFault",
    reason: reply(403, fault("AdCenterAuthorizationFault")),
    retry: "later",
    kind: "Authentication"
  },
  ...(["AdCenterFault", "AdCenterInternalErrorFault", "AdCenterSystemFault"] as const).flatMap(
    (type): Array<Case> => [
      { entry: `restFaultTypes.${type}`, reason: reply(500, fault(type)), retry: "now", kind: "ApiFault" },
      { entry: `restFaultTypes.${type}-4xx`, reason: reply(400, fault(type)), retry: "never", kind: "ApiFault" }
    ]
  ),
  // Refused credentials, whichever way.
  ...(["Credentials", "TokenExpired", "InvalidGrant", "OAuth", "NotLoggedIn"] as const).map(
    (kind): Case => ({
      entry: `authenticationKinds.${kind}`,
      reason: new AuthenticationError({ kind, code: undefined, errorCode: undefined, detail: "refused" }),
      retry: "later",
      kind: "Authentication"
    })
  ),
  // Reasons that mean one thing.
  {
    entry: "fixedReasons.RateLimitError",
    reason: new RateLimitError({ code: 117, errorCode: "CallRateExceeded", detail: "slow", retryAfter: undefined }),
    retry: "afterWait",
    kind: "RateLimit"
  },
  {
    entry: "fixedReasons.InvalidRequestError",
    reason: new InvalidRequestError({ path: "OfflineConversions[0].ConversionName", detail: "U+0001" }),
    retry: "never",
    kind: "UnencodableRequest"
  },
  {
    entry: "fixedReasons.RestOnlyOperationError",
    reason: new RestOnlyOperationError({ detail: "GetOfflineConversionReportByGoalIds" }),
    retry: "never",
    kind: "NotAvailable"
  },
  {
    entry: "fixedReasons.NotAvailableOverRestError",
    reason: new NotAvailableOverRestError({ status: undefined, detail: "no route" }),
    retry: "never",
    kind: "NotAvailable"
  }
]

describe("the retry table", () => {
  it.each(cases.map((c) => [c.entry, c] as const))("%s", (_, c) => {
    const error = new CampaignManagementError({
      operation: "ApplyOfflineConversions",
      trackingId: "t",
      reason: c.reason
    })
    assert.strictEqual(c.reason.retry, c.retry, "reason.retry")
    assert.strictEqual(c.reason.isRetryable, c.retry === "now" || c.retry === "afterWait", "reason.isRetryable")
    assert.strictEqual(c.reason.failureKind, c.kind, "reason.failureKind")
    assert.strictEqual(error.retry, c.retry, "error.retry")
    assert.strictEqual(error.isRetryable, retriesInRun(c.retry), "error.isRetryable")
    const delivery = toDeliveryError(error)
    assert.strictEqual(delivery.retry, c.retry, "DeliveryFailure.retry")
    assert.strictEqual(delivery.kind, c.kind, "DeliveryFailure.kind")
  })

  it("carries a rate limit's Retry-After to the error and the delivery failure", () => {
    const reason = new RateLimitError({
      code: 117,
      errorCode: "CallRateExceeded",
      detail: "",
      retryAfter: Duration.seconds(7)
    })
    const error = new CampaignManagementError({ operation: "ApplyOfflineConversions", trackingId: undefined, reason })
    assert.deepStrictEqual(error.retryAfter, Duration.seconds(7))
    assert.deepStrictEqual(toDeliveryError(error).retryAfter, Duration.seconds(7))
    const other = new CampaignManagementError({
      operation: "ApplyOfflineConversions",
      trackingId: undefined,
      reason: new HttpStatusError({ status: 503, bodyExcerpt: "" })
    })
    assert.isUndefined(other.retryAfter)
  })

  it("a stopped run's unsent records may pass in a later run", () => {
    assert.deepStrictEqual(pipelineFailures.NotSent, { retry: "later", failureKind: "NotSent" })
  })

  it("every entry of every named table has a case above", () => {
    const covered = new Set(cases.map((c) => c.entry))
    const entries = [
      ...Object.keys(transportErrorKinds).map((key) => `transportErrorKinds.${key}`),
      ...Object.keys(decodeReasons).map((key) => `decodeReasons.${key}`),
      ...Object.keys(decisiveStatuses).map((key) => `decisiveStatuses.${key}`),
      ...faultCodes.map(([code]) => `faultCodes.${code}`),
      ...Object.keys(restFaultTypes).map((key) => `restFaultTypes.${key}`),
      ...Object.keys(authenticationKinds).map((key) => `authenticationKinds.${key}`),
      ...Object.keys(fixedReasons).map((key) => `fixedReasons.${key}`)
    ]
    assert.deepStrictEqual(
      entries.filter((entry) => !covered.has(entry)),
      []
    )
  })
})
