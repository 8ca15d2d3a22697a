/**
 * `signInWithDeviceCode`, the sign-in the CLI's `uplink auth login` runs: it asks the default authority (or the given
 * one) for a device code with the environment's scope, shows the code once, polls the token endpoint at the interval
 * the server asked for while the sign-in is pending, and gives the grant's refresh token.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Redacted, TestClock } from "effect"
import { signInWithDeviceCode } from "../src/index.js"
import type { DeviceCode } from "../src/auth/DeviceCodeFlow.js"
import { json, makeMockHttpClient, type RecordedRequest } from "./support/MockHttpClient.js"

const form = (request: RecordedRequest) => Object.fromEntries(new URLSearchParams(request.body))

const deviceCodeAnswer = json(200, {
  device_code: "device-1",
  user_code: "ABCD-EFGH",
  verification_uri: "https://microsoft.com/devicelogin",
  interval: 5,
  expires_in: 900
})

describe("signInWithDeviceCode", () => {
  it.effect("shows the code, polls while pending, and gives the refresh token (default authority, sandbox scope)", () =>
    Effect.gen(function* () {
      const mock = makeMockHttpClient((_, index) =>
        index === 0
          ? deviceCodeAnswer
          : index === 1
            ? json(400, { error: "authorization_pending" })
            : json(200, {
                token_type: "Bearer",
                access_token: "access-1",
                refresh_token: "refresh-1",
                expires_in: 3600
              })
      )
      const shown: Array<DeviceCode> = []
      const fiber = yield* signInWithDeviceCode({
        clientId: "app-1",
        environment: "sandbox",
        show: (code) => Effect.sync(() => shown.push(code))
      }).pipe(Effect.provide(mock.layer), Effect.fork)
      yield* TestClock.adjust("5 seconds")
      yield* TestClock.adjust("5 seconds")
      const exit = yield* Fiber.await(fiber)
      assert.isTrue(Exit.isSuccess(exit))
      if (Exit.isSuccess(exit)) assert.strictEqual(Redacted.value(exit.value), "refresh-1")
      assert.deepStrictEqual(
        shown.map((code) => code.userCode),
        ["ABCD-EFGH"]
      )
      assert.strictEqual(mock.requests[0]!.url, "https://login.microsoftonline.com/common/oauth2/v2.0/devicecode")
      assert.deepStrictEqual(form(mock.requests[0]!), {
        client_id: "app-1",
        scope: "https://si.ads.microsoft.com/msads.manage offline_access"
      })
      assert.strictEqual(mock.requests.length, 3)
      for (const poll of mock.requests.slice(1)) {
        assert.strictEqual(poll.url, "https://login.microsoftonline.com/common/oauth2/v2.0/token")
        assert.deepStrictEqual(form(poll), {
          grant_type: "urn:ietf:params:oauth:grant-type:device_code",
          client_id: "app-1",
          device_code: "device-1"
        })
      }
    })
  )

  it.effect("uses the given authority, and fails when the grant carries no refresh token", () =>
    Effect.gen(function* () {
      const mock = makeMockHttpClient((_, index) =>
        index === 0 ? deviceCodeAnswer : json(200, { token_type: "Bearer", access_token: "a", expires_in: 3600 })
      )
      const exit = yield* signInWithDeviceCode({
        clientId: "app-1",
        environment: "production",
        authority: "https://login.example/tenant/",
        show: () => Effect.void
      }).pipe(Effect.provide(mock.layer), Effect.exit)
      assert.strictEqual(mock.requests[0]!.url, "https://login.example/tenant/oauth2/v2.0/devicecode")
      assert.strictEqual(form(mock.requests[0]!).scope, "https://ads.microsoft.com/msads.manage offline_access")
      assert.isTrue(Exit.isFailure(exit))
      assert.include(String(Exit.isFailure(exit) ? exit.cause : ""), "no refresh token")
    })
  )
})
