import { assert, describe, it } from "@effect/vitest"
import type { WireFault } from "@uplink/campaign-management"
import { Duration } from "effect"
import { reasonFromFault } from "../src/errors/FaultClassification.js"
import { classifyCode, classifyCodes, type FaultClass, faultCodes } from "../src/retry/RetryTable.js"

const adApiFault = (...codes: ReadonlyArray<number>): WireFault => ({
  _tag: "WireFault",
  faultCode: "s:Server",
  message: "Invalid client data. Check the SOAP fault details for more information.",
  trackingId: "track-1",
  detail: {
    _tag: "AdApiFaultDetail",
    value: {
      _tag: "AdApiFaultDetail",
      TrackingId: "track-1",
      Errors: codes.map((code) => ({ Code: code, Detail: null, ErrorCode: `E${code}`, Message: `message ${code}` }))
    }
  }
})

const apiFault = (operationCodes: ReadonlyArray<number>, batchCodes: ReadonlyArray<number> = []): WireFault => ({
  _tag: "WireFault",
  faultCode: "s:Server",
  message: "Invalid client data.",
  trackingId: "track-2",
  detail: {
    _tag: "ApiFaultDetail",
    value: {
      _tag: "ApiFaultDetail",
      TrackingId: "track-2",
      OperationErrors: operationCodes.map((code) => ({ Code: code, ErrorCode: `E${code}`, Message: `op ${code}` })),
      BatchErrors: batchCodes.map((code, index) => ({
        _tag: "BatchError" as const,
        Code: code,
        ErrorCode: `E${code}`,
        Index: index,
        Message: `batch ${code}`
      }))
    }
  }
})

describe("fault-code classification table", () => {
  it.each<[number, FaultClass]>([
    [0, "transient"],
    [833, "transient"],
    [1010, "transient"],
    [5612, "transient"],
    [117, "rateLimit"],
    [109, "tokenExpired"],
    [105, "authentication"],
    [106, "authentication"],
    [108, "authentication"],
    [120, "authentication"],
    [121, "authentication"],
    [122, "authentication"],
    [123, "authentication"],
    [124, "authentication"],
    [125, "authentication"],
    [126, "authentication"],
    [3101, "authentication"],
    [100, "permanent"],
    [201, "permanent"],
    [1102, "permanent"],
    [5600, "permanent"],
    [5604, "permanent"],
    [5615, "permanent"],
    [119, "permanent"],
    [127, "permanent"],
    [987654, "permanent"]
  ])("code %i is %s", (code, expected) => {
    assert.strictEqual(classifyCode(code), expected)
  })

  it("the table lists each code once", () => {
    const codes = faultCodes.map(([code]) => code)
    assert.strictEqual(new Set(codes).size, codes.length)
  })

  it.each<[ReadonlyArray<number>, number, FaultClass]>([
    [[0, 0], 500, "transient"],
    [[0, 5600], 500, "permanent"],
    [[117, 0], 500, "rateLimit"],
    [[117, 5600], 500, "permanent"],
    [[109, 0], 500, "tokenExpired"],
    [[109, 105], 500, "authentication"],
    [[], 500, "transient"],
    [[], 200, "permanent"]
  ])("codes %j with HTTP %i are %s", (codes, status, expected) => {
    assert.strictEqual(classifyCodes(codes, status), expected)
  })
})

describe("reasonFromFault", () => {
  it.each<[string, WireFault, string, boolean]>([
    ["0 InternalError", apiFault([0]), "ApiFaultError", true],
    ["833 ServiceTimeOut", adApiFault(833), "ApiFaultError", true],
    ["5612 apply failed", apiFault([5612]), "ApiFaultError", true],
    ["117 CallRateExceeded (OperationError)", apiFault([117]), "RateLimitError", true],
    ["117 CallRateExceeded (AdApiError)", adApiFault(117), "RateLimitError", true],
    ["105 InvalidCredentials", adApiFault(105), "AuthenticationError", false],
    ["106 UserIsNotAuthorized", adApiFault(106), "AuthenticationError", false],
    ["109 AuthenticationTokenExpired", adApiFault(109), "AuthenticationError", false],
    ["3101 OAuthTokenInvalid", adApiFault(3101), "AuthenticationError", false],
    ["5600 list empty", apiFault([5600]), "ApiFaultError", false],
    ["batch errors only", apiFault([], [5604, 5605]), "ApiFaultError", false]
  ])("%s → %s (retryable %s)", (_, fault, tag, retryable) => {
    const reason = reasonFromFault(fault, 500)
    assert.strictEqual(reason._tag, tag)
    assert.strictEqual(reason.isRetryable, retryable)
  })

  it("keeps the fault's errors, codes and kind on an ApiFaultError", () => {
    const reason = reasonFromFault(apiFault([5600], [5604]), 200)
    assert.strictEqual(reason._tag, "ApiFaultError")
    if (reason._tag !== "ApiFaultError") return
    assert.strictEqual(reason.faultType, "ApiFaultDetail")
    assert.strictEqual(reason.httpStatus, 200)
    assert.deepStrictEqual(reason.codes, [5600, 5604])
    assert.strictEqual(reason.operationErrors[0]?.ErrorCode, "E5600")
    assert.strictEqual(reason.batchErrors[0]?.Index, 0)
    assert.include(reason.message, "5600 E5600: op 5600")
  })

  it("109 is a TokenExpired authentication error; 105 a Credentials one", () => {
    const expired = reasonFromFault(adApiFault(109), 500)
    assert.isTrue(expired._tag === "AuthenticationError" && expired.kind === "TokenExpired" && expired.code === 109)
    const refused = reasonFromFault(adApiFault(105), 500)
    assert.isTrue(refused._tag === "AuthenticationError" && refused.kind === "Credentials")
  })

  it("a rate limit keeps the Retry-After it was given", () => {
    const reason = reasonFromFault(apiFault([117]), 429, Duration.seconds(7))
    assert.isTrue(reason._tag === "RateLimitError" && Duration.toMillis(reason.retryAfter!) === 7000)
  })

  it("a fault without detail is transient on HTTP 5xx and permanent otherwise", () => {
    const bare: WireFault = {
      _tag: "WireFault",
      faultCode: "s:Client",
      message: "x",
      trackingId: undefined,
      detail: undefined
    }
    assert.isTrue(reasonFromFault(bare, 500).isRetryable)
    assert.isFalse(reasonFromFault(bare, 400).isRetryable)
  })
})
