import { assert, describe, it } from "@effect/vitest"
import {
  encodeRestFault,
  encodeRestResponse,
  encodeSoapResponse,
  operationNames,
  operations,
  type RequestOf
} from "@uplink/campaign-management"
import { DateTime, Effect, Either, Layer, Redacted } from "effect"
import { MsadsConfig } from "../src/config/MsadsConfig.js"
import { Transport } from "../src/transport/Transport.js"
import { adApiFault, apiFault } from "./support/Faults.js"
import { type Answer, json, makeMockHttpClient, type RecordedRequest } from "./support/MockHttpClient.js"

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

const okBody = Either.getOrThrow(encodeRestResponse("ApplyOfflineConversions", { PartialErrors: [] }))

const layerFor = (mock: ReturnType<typeof makeMockHttpClient>) =>
  Transport.layerRest.pipe(
    Layer.provide(
      Layer.merge(
        MsadsConfig.layerWith({
          developerToken: "developer-token-value",
          customerId: 1000001,
          accountId: 2000002,
          endpoint: "http://127.0.0.1:9/",
          requestTimeout: "10 seconds"
        }),
        mock.layer
      )
    )
  )

const send = (handler: (request: RecordedRequest) => Answer) => {
  const mock = makeMockHttpClient(handler)
  const program = Effect.flatMap(Transport, (transport) =>
    transport.send("ApplyOfflineConversions", request, Redacted.make("access-token-value"))
  ).pipe(Effect.provide(layerFor(mock)))
  return { mock, program }
}

const jsonText = (status: number, body: string, headers: Record<string, string> = {}): Answer => ({
  status,
  body,
  headers: { "content-type": "application/json", ...headers }
})

describe("RestTransport", () => {
  it.effect("sends the route's method and path with Bearer token and ID headers, reads TrackingId", () => {
    const { mock, program } = send(() => jsonText(200, okBody, { TrackingId: "rest-track" }))
    return Effect.gen(function* () {
      const result = yield* program
      const sent = mock.requests[0]!
      assert.strictEqual(sent.method, "POST")
      assert.strictEqual(sent.url, "http://127.0.0.1:9/CampaignManagement/v13/OfflineConversions/Apply")
      assert.strictEqual(sent.headers.authorization, "Bearer access-token-value")
      assert.strictEqual(sent.headers.developertoken, "developer-token-value")
      assert.strictEqual(sent.headers.customerid, "1000001")
      assert.strictEqual(sent.headers.customeraccountid, "2000002")
      assert.strictEqual(sent.headers["content-type"], "application/json")
      const body = JSON.parse(sent.body)
      assert.strictEqual(body.OfflineConversions[0].ConversionTime, "2026-01-02T03:04:05Z")
      assert.strictEqual(result.transport, "rest")
      assert.strictEqual(result.trackingId, "rest-track")
      assert.deepStrictEqual(result.response.PartialErrors, [])
    })
  })

  it.effect.each([
    ["top level, HTTP 400", 400, (text: string) => text],
    ["top level, HTTP 200", 200, (text: string) => text],
    ["wrapped in ApplicationFault, HTTP 500", 500, (text: string) => `{"ApplicationFault":${text}}`],
    ["wrapped in ApplicationFault, HTTP 200", 200, (text: string) => `{"ApplicationFault":${text}}`]
  ] as const)("recognises a JSON fault %s", ([, status, wrap]) => {
    const { program } = send(() =>
      jsonText(status, wrap(encodeRestFault(apiFault(5600, "OfflineConversionsNullOrEmpty", "t-rest"))))
    )
    return Effect.gen(function* () {
      const error = yield* Effect.flip(program)
      assert.strictEqual(error.reason._tag, "ApiFaultError")
      assert.strictEqual(error.trackingId, "t-rest")
      assert.isTrue(error.reason._tag === "ApiFaultError" && error.reason.codes[0] === 5600)
      assert.isFalse(error.isRetryable)
    })
  })

  it.effect("a 117 fault keeps the Retry-After header; 109 is a TokenExpired authentication error", () =>
    Effect.gen(function* () {
      const limited = yield* Effect.flip(
        send(() => jsonText(429, encodeRestFault(apiFault(117, "CallRateExceeded")), { "Retry-After": "12" })).program
      )
      assert.isTrue(limited.reason._tag === "RateLimitError" && limited.reason.retryAfter !== undefined)
      const expired = yield* Effect.flip(
        send(() => jsonText(401, encodeRestFault(adApiFault(109, "AuthenticationTokenExpired")))).program
      )
      assert.isTrue(expired.reason._tag === "AuthenticationError" && expired.reason.kind === "TokenExpired")
    })
  )

  it.effect.each([
    ["cut JSON with 200 is a retryable decode error", 200, okBody.slice(0, 5), "DecodeError", true],
    ["a non-JSON 502 is a retryable HTTP status", 502, "<html>bad gateway</html>", "HttpStatusError", true],
    [
      "well-formed JSON that is not the contract is a permanent decode error",
      200,
      '{"PartialErrors": 5}',
      "DecodeError",
      false
    ],
    [
      "a JSON error without fault detail on 403 is a permanent HTTP status",
      403,
      '{"Message": "forbidden"}',
      "HttpStatusError",
      false
    ]
  ] as const)("%s", ([, status, body, tag, retryable]) => {
    const { program } = send(() => jsonText(status, body, { TrackingId: "h-track" }))
    return Effect.gen(function* () {
      const error = yield* Effect.flip(program)
      assert.strictEqual(error.reason._tag, tag)
      assert.strictEqual(error.isRetryable, retryable)
      assert.strictEqual(error.trackingId, "h-track")
    })
  })

  it.effect("an operation without a REST route goes over SOAP with the same credentials", () => {
    const unrouted = operationNames.find((name) => operations[name].rest === undefined)!
    assert.strictEqual(unrouted, "SetNegativeSitesToCampaigns")
    const envelope = Either.getOrThrow(encodeSoapResponse("GetConfigValue", { ConfigValue: "v" }, "soap-track"))
    const mock = makeMockHttpClient(() => ({ status: 200, body: envelope, headers: { "content-type": "text/xml" } }))
    return Effect.gen(function* () {
      const transport = yield* Transport
      const result = yield* transport.send("GetConfigValue", { ConfigKey: "k" }, Redacted.make("access-token-value"))
      assert.strictEqual(result.transport, "soap")
      assert.strictEqual(result.trackingId, "soap-track")
      assert.strictEqual(result.response.ConfigValue, "v")
      assert.strictEqual(mock.requests[0]!.headers.soapaction, '"GetConfigValue"')
      assert.include(mock.requests[0]!.url, "CampaignManagementService.svc")
    }).pipe(Effect.provide(layerFor(mock)))
  })

  it.effect("Transport.layer follows MsadsConfig.transport", () => {
    const mock = makeMockHttpClient(() => json(200, {}))
    const kind = (transport: "rest" | "soap") =>
      Effect.map(Transport, (t) => t.kind).pipe(
        Effect.provide(
          Transport.layer.pipe(
            Layer.provide(
              Layer.merge(
                MsadsConfig.layerWith({ developerToken: "d", customerId: 1, accountId: 2, transport }),
                mock.layer
              )
            )
          )
        )
      )
    return Effect.gen(function* () {
      assert.strictEqual(yield* kind("rest"), "rest")
      assert.strictEqual(yield* kind("soap"), "soap")
    })
  })
})
