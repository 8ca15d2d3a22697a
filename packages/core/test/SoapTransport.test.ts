import { assert, describe, it } from "@effect/vitest"
import { encodeSoapFault, encodeSoapResponse, type RequestOf } from "@uplink/campaign-management"
import { validateXml } from "@uplink/xsd-check"
import { DateTime, Duration, Effect, Either, Fiber, Layer, Redacted, TestClock } from "effect"
import { MsadsConfig } from "../src/config/MsadsConfig.js"
import * as SoapTransport from "../src/transport/SoapTransport.js"
import { Transport } from "../src/transport/Transport.js"
import { adApiFault, apiFault } from "./support/Faults.js"
import { type Answer, makeMockHttpClient, type RecordedRequest } from "./support/MockHttpClient.js"

const request: RequestOf<"ApplyOfflineConversions"> = {
  OfflineConversions: [
    {
      MicrosoftClickId: "f894f652ea334e739002f7167ab8f8e3",
      ConversionName: "Offline Purchase",
      ConversionTime: DateTime.unsafeMake("2026-01-02T03:04:05Z"),
      ConversionValue: 10,
      ConversionCurrencyCode: "USD"
    }
  ]
}

const okEnvelope = Either.getOrThrow(
  encodeSoapResponse(
    "ApplyOfflineConversions",
    {
      PartialErrors: [
        { _tag: "BatchError", Code: 5611, ErrorCode: "OfflineConversionCurrencyCodeInvalid", Index: 0, Message: "bad" }
      ]
    },
    "track-ok"
  )
)

const send = (handler: (request: RecordedRequest) => Answer | Effect.Effect<Answer>, body = request) => {
  const mock = makeMockHttpClient(handler)
  const program = Effect.flatMap(Transport, (transport) =>
    transport.send("ApplyOfflineConversions", body, Redacted.make("access-token-value"))
  ).pipe(
    Effect.provide(
      SoapTransport.layer.pipe(
        Layer.provide(
          Layer.merge(
            MsadsConfig.layerWith({
              developerToken: "developer-token-value",
              customerId: 1000001,
              accountId: 2000002,
              endpoint: "http://127.0.0.1:9",
              requestTimeout: "10 seconds"
            }),
            mock.layer
          )
        )
      )
    )
  )
  return { mock, program }
}

const xml = (status: number, body: string, headers: Record<string, string> = {}): Answer => ({
  status,
  body,
  headers: { "content-type": "text/xml; charset=utf-8", ...headers }
})

describe("SoapTransport", () => {
  it.effect("POSTs a valid envelope with a quoted SOAPAction and text/xml; charset=utf-8", () => {
    const { mock, program } = send(() => xml(200, okEnvelope))
    return Effect.gen(function* () {
      const result = yield* program
      const sent = mock.requests[0]!
      assert.strictEqual(sent.method, "POST")
      assert.strictEqual(
        sent.url,
        "http://127.0.0.1:9/Api/Advertiser/CampaignManagement/v13/CampaignManagementService.svc"
      )
      assert.strictEqual(sent.headers.soapaction, '"ApplyOfflineConversions"')
      assert.strictEqual(sent.headers["content-type"], "text/xml; charset=utf-8")
      for (const header of [
        "AuthenticationToken>access-token-value<",
        "DeveloperToken>developer-token-value<",
        "CustomerId>1000001<",
        "CustomerAccountId>2000002<"
      ]) {
        assert.include(sent.body, header)
      }
      const validation = validateXml(sent.body)
      assert.isTrue(validation.valid, validation.errors.join("\n"))
      assert.strictEqual(result.transport, "soap")
      assert.strictEqual(result.trackingId, "track-ok")
      assert.strictEqual(result.response.PartialErrors?.[0]?.Code, 5611)
    })
  })

  it.effect.each([
    ["an HTTP 500 fault", 500],
    ["an HTTP 200 fault", 200]
  ] as const)("recognises %s and keeps its TrackingId", ([, status]) => {
    const { program } = send(() =>
      xml(status, encodeSoapFault(apiFault(5600, "OfflineConversionsNullOrEmpty", "t-fault")))
    )
    return Effect.gen(function* () {
      const error = yield* Effect.flip(program)
      assert.strictEqual(error.reason._tag, "ApiFaultError")
      assert.strictEqual(error.trackingId, "t-fault")
      assert.isFalse(error.isRetryable)
      assert.isTrue(error.reason._tag === "ApiFaultError" && error.reason.httpStatus === status)
    })
  })

  it.effect.each([
    ["105 → AuthenticationError", adApiFault(105, "InvalidCredentials"), "AuthenticationError", false],
    ["109 → AuthenticationError", adApiFault(109, "AuthenticationTokenExpired"), "AuthenticationError", false],
    ["117 → RateLimitError", apiFault(117, "CallRateExceeded"), "RateLimitError", true],
    ["0 → transient ApiFaultError", apiFault(0, "InternalError"), "ApiFaultError", true]
  ] as const)("%s", ([, fault, tag, retryable]) => {
    const { program } = send(() => xml(500, encodeSoapFault(fault)))
    return Effect.gen(function* () {
      const error = yield* Effect.flip(program)
      assert.strictEqual(error.reason._tag, tag)
      assert.strictEqual(error.isRetryable, retryable)
    })
  })

  it.effect.each([
    ["a cut body with 200 is a retryable decode error", 200, okEnvelope.slice(0, 200), "DecodeError", true],
    ["a cut body with 500 is a retryable HTTP status", 500, okEnvelope.slice(0, 200), "HttpStatusError", true],
    [
      "a well-formed non-envelope with 200 is a permanent decode error",
      200,
      "<html><body>Maintenance</body></html>",
      "DecodeError",
      false
    ],
    ["a 503 page is a retryable HTTP status", 503, "<html>busy</html>", "HttpStatusError", true],
    ["a 404 page is a permanent HTTP status", 404, "not found", "HttpStatusError", false],
    ["a 429 is a rate limit", 429, "", "RateLimitError", true]
  ] as const)("%s", ([, status, body, tag, retryable]) => {
    const { program } = send(() => xml(status, body, { TrackingId: "header-track" }))
    return Effect.gen(function* () {
      const error = yield* Effect.flip(program)
      assert.strictEqual(error.reason._tag, tag)
      assert.strictEqual(error.isRetryable, retryable)
      assert.strictEqual(error.trackingId, "header-track")
    })
  })

  it.effect("a REST-only operation is refused before anything is sent", () => {
    const mock = makeMockHttpClient(() => xml(200, okEnvelope))
    return Effect.gen(function* () {
      const transport = yield* Transport
      const error = yield* Effect.flip(
        transport.send("GetOfflineConversionReportByGoalIds", { GoalIds: [1n] }, Redacted.make("access-token-value"))
      )
      assert.strictEqual(error.reason._tag, "RestOnlyOperationError")
      assert.isFalse(error.isRetryable)
      assert.include(
        error.message,
        "GetOfflineConversionReportByGoalIds is not in the WSDL and cannot be sent over SOAP"
      )
      assert.strictEqual(mock.requests.length, 0)
    }).pipe(
      Effect.provide(
        SoapTransport.layer.pipe(
          Layer.provide(
            Layer.merge(MsadsConfig.layerWith({ developerToken: "d", customerId: 1, accountId: 2 }), mock.layer)
          )
        )
      )
    )
  })

  it.effect("HTTP 429 is a rate limit and HTTP 401 a refresh-and-resend, whatever the fault says", () =>
    Effect.gen(function* () {
      const limited = yield* Effect.flip(
        send(() => xml(429, encodeSoapFault(apiFault(0, "InternalError")), { "Retry-After": "5" })).program
      )
      assert.isTrue(limited.reason._tag === "RateLimitError" && Duration.toMillis(limited.reason.retryAfter!) === 5000)
      const unauthorized = yield* Effect.flip(
        send(() => xml(401, encodeSoapFault(adApiFault(105, "InvalidCredentials")))).program
      )
      assert.isTrue(unauthorized.reason._tag === "AuthenticationError" && unauthorized.reason.refreshesToken)
      // 404 over SOAP is a wrong endpoint, not "not available over REST".
      const missing = yield* Effect.flip(send(() => xml(404, "<html>not found</html>")).program)
      assert.strictEqual(missing.reason._tag, "HttpStatusError")
    })
  )

  it.effect("a connection failure is a retryable transport error without credentials in it", () => {
    const { program } = send(() => ({ fail: "socket hang up" }))
    return Effect.gen(function* () {
      const error = yield* Effect.flip(program)
      assert.strictEqual(error.reason._tag, "TransportError")
      assert.isTrue(error.isRetryable)
      assert.include(error.message, "socket hang up")
      for (const secret of ["access-token-value", "developer-token-value"]) {
        assert.notInclude(error.message, secret)
        assert.notInclude(JSON.stringify(error), secret)
      }
    })
  })

  it.effect("a response that never comes is a retryable timeout", () =>
    Effect.gen(function* () {
      const { program } = send(() => Effect.never)
      const fiber = yield* Effect.fork(Effect.flip(program))
      yield* TestClock.adjust("10 seconds")
      const error = yield* Fiber.join(fiber)
      assert.isTrue(error.reason._tag === "TransportError" && error.reason.kind === "Timeout")
      assert.isTrue(error.isRetryable)
    })
  )

  it.effect("a value that cannot be written is an InvalidRequestError and nothing is sent", () => {
    const bad = { OfflineConversions: [{ ...request.OfflineConversions![0]!, ConversionValue: Number.NaN }] }
    const { mock, program } = send(() => xml(200, okEnvelope), bad)
    return Effect.gen(function* () {
      const error = yield* Effect.flip(program)
      assert.strictEqual(error.reason._tag, "InvalidRequestError")
      assert.isFalse(error.isRetryable)
      assert.strictEqual(mock.requests.length, 0)
    })
  })
})
