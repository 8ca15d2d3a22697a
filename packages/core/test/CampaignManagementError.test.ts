import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import {
  ApiFaultError,
  AuthenticationError,
  CampaignManagementError,
  DecodeError,
  HttpStatusError,
  InvalidRequestError,
  RateLimitError,
  TransportError
} from "../src/errors/CampaignManagementError.js"

describe("CampaignManagementError", () => {
  it.each([
    [new TransportError({ kind: "Timeout", detail: "POST x: no complete response" }), true],
    [new TransportError({ kind: "InvalidUrl", detail: "bad" }), false],
    [new HttpStatusError({ status: 502, bodyExcerpt: "" }), true],
    [new HttpStatusError({ status: 408, bodyExcerpt: "" }), true],
    [new HttpStatusError({ status: 404, bodyExcerpt: "" }), false],
    [new RateLimitError({ code: 117, errorCode: "CallRateExceeded", detail: "", retryAfter: undefined }), true],
    [new AuthenticationError({ kind: "Credentials", code: 105, errorCode: "InvalidCredentials", detail: "" }), false],
    [new DecodeError({ wireReason: "TooLarge", path: undefined, detail: "" }), true],
    [new DecodeError({ wireReason: "UnknownElement", path: "a.b", detail: "" }), false],
    [new InvalidRequestError({ path: "OfflineConversions[0].ConversionValue", detail: "NaN" }), false]
  ] as const)("%s retryable: %s", (reason, retryable) => {
    const error = new CampaignManagementError({ operation: "ApplyOfflineConversions", trackingId: "abc", reason })
    assert.strictEqual(error.isRetryable, retryable)
    assert.strictEqual(error._tag, "CampaignManagementError")
  })

  it.effect("has a formatted message with operation, reason and TrackingId, and is yieldable", () =>
    Effect.gen(function* () {
      const reason = new ApiFaultError({
        faultType: "ApiFaultDetail",
        faultCode: "s:Server",
        faultString: "Invalid client data.",
        httpStatus: 500,
        adApiErrors: [],
        operationErrors: [{ Code: 5600, ErrorCode: "OfflineConversionsNullOrEmpty", Message: "empty" }],
        batchErrors: [],
        errors: [{ code: 5600, errorCode: "OfflineConversionsNullOrEmpty", message: "empty" }],
        transient: false
      })
      const error = new CampaignManagementError({ operation: "ApplyOfflineConversions", trackingId: "t-9", reason })
      assert.strictEqual(
        error.message,
        "ApplyOfflineConversions failed: ApiFaultError: ApiFaultDetail 5600 OfflineConversionsNullOrEmpty: empty (TrackingId t-9)"
      )
      const caught = yield* Effect.flip(error)
      assert.strictEqual(caught, error)
      assert.include(String(error), "ApplyOfflineConversions failed")
    })
  )
})
