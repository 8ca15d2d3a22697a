import { assert, describe, it } from "@effect/vitest"
import { encodeRestFault, encodeRestResponse, type RequestOf } from "@uplink/campaign-management"
import { DateTime, Duration, Effect, Either, Layer, Redacted } from "effect"
import { MsadsConfig } from "../src/config/MsadsConfig.js"
import { CampaignManagement } from "../src/CampaignManagement.js"
import { Auth } from "../src/auth/Auth.js"
import * as RestTransport from "../src/transport/RestTransport.js"
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
  RestTransport.layer.pipe(
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

  /** Error bodies as Microsoft's REST models write them (one per `Type`), and the reason each one is. */
  const faultBodies = [
    [
      "ApiFaultDetail",
      400,
      `{"TrackingId":"t-1","BatchErrors":[],"OperationErrors":[{"Code":5600,"Details":null,"ErrorCode":"OfflineConversionsNullOrEmpty","Message":"The list of offline conversions cannot be null or empty."}],"Type":"ApiFaultDetail"}`,
      { _tag: "ApiFaultError", faultType: "ApiFaultDetail", retryable: false, refresh: false }
    ],
    [
      "AdApiFaultDetail",
      400,
      `{"TrackingId":"t-1","Errors":[{"Code":105,"Detail":null,"ErrorCode":"InvalidCredentials","Message":"Authentication failed."}],"Type":"AdApiFaultDetail"}`,
      { _tag: "AuthenticationError", kind: "Credentials", retryable: false, refresh: false }
    ],
    [
      "EditorialApiFaultDetail",
      400,
      `{"TrackingId":"t-1","EditorialErrors":[{"Type":"EditorialError","Code":1000,"ErrorCode":"E","Index":0,"Message":"m","Appealable":true}],"BatchErrors":[],"OperationErrors":[],"Type":"EditorialApiFaultDetail"}`,
      { _tag: "ApiFaultError", faultType: "EditorialApiFaultDetail", retryable: false, refresh: false }
    ],
    [
      "AdCenterAuthenticationFault",
      400,
      `{"TrackingId":"t-1","ErrorCode":"InvalidSecurityTicket","ErrorMessage":"The security ticket is invalid.","MTServerName":"mt1","FaultingLayer":"Authentication","ErrorSourceSystem":null,"Type":"AdCenterAuthenticationFault"}`,
      {
        _tag: "AuthenticationError",
        kind: "Credentials",
        errorCode: "InvalidSecurityTicket",
        retryable: false,
        refresh: true
      }
    ],
    [
      "AdCenterAuthorizationFault",
      403,
      `{"TrackingId":"t-1","ErrorMessage":"Not authorized.","MTServerName":"mt1","FaultingLayer":"Authorization","Type":"AdCenterAuthorizationFault"}`,
      {
        _tag: "AuthenticationError",
        kind: "Credentials",
        errorCode: "AdCenterAuthorizationFault",
        retryable: false,
        refresh: false
      }
    ],
    [
      "AdCenterFault",
      400,
      `{"TrackingId":"t-1","ErrorMessage":"Something is wrong.","FaultingLayer":"MiddleTier","Type":"AdCenterFault"}`,
      { _tag: "ApiFaultError", faultType: "AdCenterFault", retryable: false, refresh: false }
    ],
    [
      "AdCenterInternalErrorFault",
      500,
      `{"TrackingId":"t-1","ErrorMessage":"Internal error.","FaultingLayer":"Database","Type":"AdCenterInternalErrorFault"}`,
      { _tag: "ApiFaultError", faultType: "AdCenterInternalErrorFault", retryable: true, refresh: false }
    ],
    [
      "AdCenterSystemFault",
      500,
      `{"TrackingId":"t-1","ErrorMessage":"System fault.","MTServerName":"mt1","Type":"AdCenterSystemFault"}`,
      { _tag: "ApiFaultError", faultType: "AdCenterSystemFault", retryable: true, refresh: false }
    ]
  ] as const

  it.effect.each(faultBodies)("recognises a %s body (HTTP %i)", ([type, status, body, expected]) =>
    Effect.gen(function* () {
      for (const text of [body, `{"ApplicationFault":${body}}`]) {
        const error = yield* Effect.flip(send(() => jsonText(status, text)).program)
        const reason = error.reason
        assert.strictEqual(reason._tag, expected._tag, type)
        assert.strictEqual(error.trackingId, "t-1")
        assert.strictEqual(error.isRetryable, expected.retryable)
        assert.strictEqual(reason._tag === "AuthenticationError" && reason.refreshesToken, expected.refresh)
        if ("faultType" in expected)
          assert.isTrue(reason._tag === "ApiFaultError" && reason.faultType === expected.faultType)
        if ("errorCode" in expected)
          assert.isTrue(reason._tag === "AuthenticationError" && reason.errorCode === expected.errorCode)
      }
    })
  )

  it.effect("HTTP 429 is a rate limit whatever the body, with Retry-After in seconds or as an HTTP date", () =>
    Effect.gen(function* () {
      const bare = yield* Effect.flip(send(() => jsonText(429, "", { "Retry-After": "30" })).program)
      assert.isTrue(bare.reason._tag === "RateLimitError" && bare.reason.code === 117)
      assert.isTrue(bare.reason._tag === "RateLimitError" && Duration.toMillis(bare.reason.retryAfter!) === 30_000)
      assert.isTrue(bare.isRetryable)
      // A transient fault code in the body does not make a 429 anything but a rate limit.
      const later = new Date(Date.now() + 120_000).toUTCString()
      const internal = yield* Effect.flip(
        send(() => jsonText(429, encodeRestFault(apiFault(0, "InternalError")), { "Retry-After": later })).program
      )
      assert.strictEqual(internal.reason._tag, "RateLimitError")
      const wait = internal.reason._tag === "RateLimitError" ? Duration.toMillis(internal.reason.retryAfter!) : 0
      assert.isTrue(wait > 60_000 && wait <= 120_000, String(wait))
      const html = yield* Effect.flip(send(() => jsonText(429, "<html>slow down</html>")).program)
      assert.isTrue(html.reason._tag === "RateLimitError" && html.reason.retryAfter === undefined)
    })
  )

  it.effect("HTTP 401 without a body, or with any fault, asks for a token refresh and one resend", () =>
    Effect.gen(function* () {
      const bare = yield* Effect.flip(send(() => jsonText(401, "")).program)
      assert.isTrue(bare.reason._tag === "AuthenticationError" && bare.reason.refreshesToken)
      assert.isTrue(bare.reason._tag === "AuthenticationError" && bare.reason.httpStatus === 401)
      const credentials = yield* Effect.flip(
        send(() => jsonText(401, encodeRestFault(adApiFault(105, "InvalidCredentials")))).program
      )
      assert.isTrue(
        credentials.reason._tag === "AuthenticationError" &&
          credentials.reason.refreshesToken &&
          credentials.reason.code === 105
      )
      const internal = yield* Effect.flip(
        send(() => jsonText(401, encodeRestFault(apiFault(0, "InternalError")))).program
      )
      assert.isTrue(internal.reason._tag === "AuthenticationError" && internal.reason.refreshesToken)
      assert.isFalse(internal.isRetryable)
    })
  )

  it.effect.each([404, 501])(
    "HTTP %i on the REST route is not available over REST (with a body or without)",
    (status) =>
      Effect.gen(function* () {
        for (const body of ["", `{"TrackingId":"t-9","Type":"AdCenterFault","ErrorMessage":"no"}`]) {
          const error = yield* Effect.flip(send(() => jsonText(status, body)).program)
          assert.strictEqual(error.reason._tag, "NotAvailableOverRestError")
          assert.isFalse(error.isRetryable)
          assert.strictEqual(
            error.reason.message,
            `not available over REST: the service answered HTTP ${status} to POST /CampaignManagement/v13/OfflineConversions/Apply`
          )
        }
      })
  )

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

  it.effect("sends every operation over REST, the REST-only ones and the ones the naming rule routed wrongly", () => {
    const mock = makeMockHttpClient(() => jsonText(200, "{}"))
    return Effect.gen(function* () {
      const transport = yield* Transport
      const token = Redacted.make("access-token-value")
      yield* transport.send("AddListItemsToSharedList", {}, token)
      yield* transport.send("GetOfflineConversionReportByGoalIds", { GoalIds: [10000001n] }, token)
      assert.deepStrictEqual(
        mock.requests.map((sent) => `${sent.method} ${sent.url}`),
        [
          "POST http://127.0.0.1:9/CampaignManagement/v13/ListItems",
          "POST http://127.0.0.1:9/CampaignManagement/v13/OfflineConversionReport/QueryByGoalIds"
        ]
      )
      assert.deepStrictEqual(JSON.parse(mock.requests[1]!.body), { GoalIds: ["10000001"] })
    }).pipe(Effect.provide(layerFor(mock)))
  })

  it.effect("CampaignManagement.layerTransportFromConfig sends over the transport MsadsConfig.transport names", () => {
    const mock = makeMockHttpClient(() => json(200, {}))
    const carriedBy = (transport: "rest" | "soap") =>
      Effect.flatMap(CampaignManagement, (client) =>
        client.callOnce("GetConversionGoalsByIds", { ConversionGoalTypes: ["OfflineConversion"] })
      ).pipe(
        // The mock's empty JSON answer is no SOAP envelope: only where the request went matters here.
        Effect.ignore,
        Effect.provide(
          CampaignManagement.layerTransportFromConfig.pipe(
            Layer.provide(
              Layer.mergeAll(
                Auth.layerStatic(Redacted.make("t")),
                MsadsConfig.layerWith({ developerToken: "d", customerId: 1, accountId: 2, transport }),
                mock.layer
              )
            )
          )
        )
      )
    return Effect.gen(function* () {
      yield* carriedBy("rest")
      yield* carriedBy("soap")
      assert.deepStrictEqual(
        mock.requests.map((sent) => (sent.url.includes("CampaignManagementService.svc") ? "soap" : "rest")),
        ["rest", "soap"]
      )
    })
  })
})
