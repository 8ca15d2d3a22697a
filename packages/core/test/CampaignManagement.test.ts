import { assert, describe, it } from "@effect/vitest"
import type { OperationName, RequestOf } from "@uplink/campaign-management"
import { Effect, Fiber, Layer, Redacted, TestClock } from "effect"
import { Auth, type AuthShape } from "../src/auth/Auth.js"
import { CampaignManagement } from "../src/CampaignManagement.js"
import {
  AuthenticationError,
  CampaignManagementError,
  type CampaignManagementErrorReason,
  HttpStatusError,
  TransportError
} from "../src/errors/CampaignManagementError.js"
import { RetryPolicy } from "../src/retry/RetryPolicy.js"
import { Transport, type TransportResponse, type TransportShape } from "../src/transport/Transport.js"

type Script = ReadonlyArray<CampaignManagementErrorReason | "ok">

/** A transport that answers from a script and records the token of each send. */
const scriptedTransport = (script: Script) => {
  const tokens: Array<string> = []
  const shape: TransportShape = {
    kind: "rest",
    send: <Op extends OperationName>(operation: Op, _request: RequestOf<Op>, token: Redacted.Redacted<string>) =>
      Effect.suspend(() => {
        tokens.push(Redacted.value(token))
        const step = script[tokens.length - 1] ?? "ok"
        return step === "ok"
          ? Effect.succeed({
              response: { PartialErrors: [] },
              trackingId: `t-${tokens.length}`,
              transport: "rest"
            } as unknown as TransportResponse<Op>)
          : Effect.fail(new CampaignManagementError({ operation, trackingId: `t-${tokens.length}`, reason: step }))
      })
  }
  return { tokens, layer: Layer.succeed(Transport, shape) }
}

/** An auth whose refresh hands out token-2, token-3, … and counts refreshes. */
const countingAuth = (refreshFailure?: AuthenticationError) => {
  let current = 1
  const refreshes: Array<string> = []
  const shape: AuthShape = {
    mode: "oauth",
    accessToken: Effect.sync(() => Redacted.make(`token-${current}`)),
    refreshAfterExpiry: (rejected) =>
      Effect.suspend(() => {
        refreshes.push(Redacted.value(rejected))
        if (refreshFailure !== undefined) return Effect.fail(refreshFailure)
        current++
        return Effect.succeed(Redacted.make(`token-${current}`))
      })
  }
  return { refreshes, layer: Layer.succeed(Auth, shape) }
}

const expired = new AuthenticationError({
  kind: "TokenExpired",
  code: 109,
  errorCode: "AuthenticationTokenExpired",
  detail: "expired"
})
const transient = new TransportError({ kind: "RequestFailed", detail: "socket hang up" })
const request = { OfflineConversions: [] } satisfies RequestOf<"ApplyOfflineConversions">

const run = (script: Script, auth = countingAuth(), policy?: Layer.Layer<RetryPolicy>) => {
  const transport = scriptedTransport(script)
  const deps = Layer.merge(transport.layer, auth.layer)
  const layer = CampaignManagement.layer.pipe(Layer.provide(policy === undefined ? deps : Layer.merge(deps, policy)))
  return { transport, auth, provide: Effect.provide(layer) }
}

describe("CampaignManagement", () => {
  it.effect("returns the typed response with its TrackingId", () => {
    const { provide } = run(["ok"])
    return Effect.gen(function* () {
      const cm = yield* CampaignManagement
      const result = yield* cm.call("ApplyOfflineConversions", request)
      assert.deepStrictEqual(result.response.PartialErrors, [])
      assert.strictEqual(result.trackingId, "t-1")
    }).pipe(provide)
  })

  it.effect("on 109 refreshes once and sends once more with the new token", () => {
    const { provide, transport, auth } = run([expired, "ok"])
    return Effect.gen(function* () {
      const cm = yield* CampaignManagement
      const result = yield* cm.callOnce("ApplyOfflineConversions", request)
      assert.strictEqual(result.trackingId, "t-2")
      assert.deepStrictEqual(transport.tokens, ["token-1", "token-2"])
      assert.deepStrictEqual(auth.refreshes, ["token-1"])
    }).pipe(provide)
  })

  const unauthorized = new AuthenticationError({
    kind: "Credentials",
    code: undefined,
    errorCode: undefined,
    detail: "HTTP 401 Unauthorized",
    resendAfterRefresh: true,
    httpStatus: 401
  })
  const adCenterAuthentication = new AuthenticationError({
    kind: "Credentials",
    code: undefined,
    errorCode: "InvalidSecurityTicket",
    detail: "The security ticket is invalid.",
    resendAfterRefresh: true
  })

  it.effect.each([
    ["HTTP 401", unauthorized],
    ["an AdCenterAuthenticationFault", adCenterAuthentication]
  ] as const)("on %s refreshes once and sends once more; a second refusal is the error", ([, refusal]) => {
    const { provide, transport, auth } = run([refusal, "ok"])
    const again = run([refusal, refusal, "ok"])
    return Effect.gen(function* () {
      const cm = yield* CampaignManagement
      const result = yield* cm.callOnce("ApplyOfflineConversions", request)
      assert.strictEqual(result.trackingId, "t-2")
      assert.deepStrictEqual(transport.tokens, ["token-1", "token-2"])
      assert.deepStrictEqual(auth.refreshes, ["token-1"])
      const error = yield* Effect.flip(
        Effect.flatMap(CampaignManagement, (c) => c.call("ApplyOfflineConversions", request)).pipe(again.provide)
      )
      assert.strictEqual(error.reason, refusal)
      assert.deepStrictEqual(again.transport.tokens, ["token-1", "token-2"])
      assert.strictEqual(again.auth.refreshes.length, 1)
    }).pipe(provide)
  })

  it.effect(
    "with a static token a 401 is the error as it came (nothing to refresh); 105 without 401 is never resent",
    () => {
      const staticAuth = {
        refreshes: [] as Array<string>,
        layer: Layer.succeed(Auth, {
          mode: "static",
          accessToken: Effect.succeed(Redacted.make("token-1")),
          refreshAfterExpiry: () => Effect.die("a static token is never refreshed")
        } satisfies AuthShape)
      }
      const { provide, transport } = run([unauthorized, "ok"], staticAuth)
      const credentials = new AuthenticationError({
        kind: "Credentials",
        code: 105,
        errorCode: "InvalidCredentials",
        detail: "refused"
      })
      const plain = run([credentials, "ok"])
      return Effect.gen(function* () {
        const cm = yield* CampaignManagement
        const error = yield* Effect.flip(cm.callOnce("ApplyOfflineConversions", request))
        assert.strictEqual(error.reason, unauthorized)
        assert.deepStrictEqual(transport.tokens, ["token-1"])
        const refused = yield* Effect.flip(
          Effect.flatMap(CampaignManagement, (c) => c.call("ApplyOfflineConversions", request)).pipe(plain.provide)
        )
        assert.strictEqual(refused.reason, credentials)
        assert.deepStrictEqual(plain.transport.tokens, ["token-1"])
        assert.deepStrictEqual(plain.auth.refreshes, [])
      }).pipe(provide)
    }
  )

  it.effect("109 again after the refresh is an authentication error, not retried", () => {
    const { provide, transport, auth } = run([expired, expired, "ok"])
    return Effect.gen(function* () {
      const cm = yield* CampaignManagement
      const error = yield* Effect.flip(cm.call("ApplyOfflineConversions", request))
      assert.strictEqual(error.reason._tag, "AuthenticationError")
      assert.isFalse(error.isRetryable)
      assert.strictEqual(transport.tokens.length, 2)
      assert.strictEqual(auth.refreshes.length, 1)
    }).pipe(provide)
  })

  it.effect("a failed refresh surfaces as the call's error with the operation and TrackingId", () => {
    const failure = new AuthenticationError({
      kind: "InvalidGrant",
      code: undefined,
      errorCode: "invalid_grant",
      detail: "log in again"
    })
    const { provide } = run([expired], countingAuth(failure))
    return Effect.gen(function* () {
      const cm = yield* CampaignManagement
      const error = yield* Effect.flip(cm.call("ApplyOfflineConversions", request))
      assert.isTrue(error.reason._tag === "AuthenticationError" && error.reason.kind === "InvalidGrant")
      assert.strictEqual(error.reason.message, failure.message)
      assert.strictEqual(error.operation, "ApplyOfflineConversions")
      assert.strictEqual(error.trackingId, "t-1")
    }).pipe(provide)
  })

  it.effect("retries transient failures per the RetryPolicy; callOnce does not", () => {
    const { provide, transport } = run([transient, new HttpStatusError({ status: 503, bodyExcerpt: "" }), "ok"])
    return Effect.gen(function* () {
      const cm = yield* CampaignManagement
      const fiber = yield* Effect.fork(cm.call("ApplyOfflineConversions", request))
      yield* TestClock.adjust("1 minute")
      const result = yield* Fiber.join(fiber)
      assert.strictEqual(result.trackingId, "t-3")
      assert.strictEqual(transport.tokens.length, 3)
    }).pipe(provide)
  })

  it.effect("callOnce makes one attempt", () => {
    const { provide, transport } = run([transient, transient, "ok"])
    return Effect.gen(function* () {
      const cm = yield* CampaignManagement
      yield* Effect.flip(cm.callOnce("ApplyOfflineConversions", request))
      assert.strictEqual(transport.tokens.length, 1)
    }).pipe(provide)
  })

  it.effect("a RetryPolicy provided to the layer replaces the default", () => {
    const { provide, transport } = run(
      [transient, transient, "ok"],
      countingAuth(),
      RetryPolicy.layer(RetryPolicy.never)
    )
    return Effect.gen(function* () {
      const cm = yield* CampaignManagement
      const error = yield* Effect.flip(cm.call("ApplyOfflineConversions", request))
      assert.isTrue(error.isRetryable)
      assert.strictEqual(transport.tokens.length, 1)
    }).pipe(provide)
  })
})
