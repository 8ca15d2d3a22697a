/**
 * The client against @uplink/emulator over loopback, for both transports: success, every authentication failure,
 * 109 → refresh → success, refresh-token rotation persisted, 117 → wait → success, code-0 retries, a lost response,
 * a fault with HTTP 200, a cut body, a well-formed body that is not the contract, a permanent fault, one refresh for
 * concurrent callers — and every SOAP envelope sent validates against the WSDL's XSD.
 */
import { afterAll, assert, beforeAll, beforeEach, describe, it } from "@effect/vitest"
import { validateXml } from "@uplink/xsd-check"
import { Clock, Effect, TestClock } from "effect"
import * as NodeFs from "node:fs"
import { CampaignManagement } from "../src/CampaignManagement.js"
import type { CampaignManagementError } from "../src/errors/CampaignManagementError.js"
import {
  ACCESS_TOKEN,
  apiRequests,
  conversions,
  type Fixture,
  makeClient,
  REFRESH_TOKEN,
  runDriven,
  soapBodies,
  startFixture,
  tokenRequests
} from "./support/Loopback.js"

let fixture: Fixture

/** Shapes of SOAP envelopes (text content removed) already validated against the WSDL's XSD in this file. */
const validatedShapes = new Set<string>()

/** Every SOAP envelope shape in `envelopes` validates against the WSDL's XSD (xmllint); each shape is checked once. */
const assertValidEnvelopes = (envelopes: ReadonlyArray<string>) => {
  for (const envelope of envelopes) {
    const shape = envelope.replace(/>[^<]*</g, "><")
    if (validatedShapes.has(shape)) continue
    const result = validateXml(envelope)
    assert.isTrue(result.valid, result.errors.join("\n"))
    validatedShapes.add(shape)
  }
}

beforeAll(async () => {
  fixture = await startFixture()
})
afterAll(async () => {
  await fixture?.stop()
})
beforeEach(() => {
  fixture.emulator.reset()
  fixture.proxy.rewrite = undefined
})

const apply = (request = conversions()) =>
  Effect.flatMap(CampaignManagement, (cm) => cm.call("ApplyOfflineConversions", request))

const applyOnce = (request = conversions()) =>
  Effect.flatMap(CampaignManagement, (cm) => cm.callOnce("ApplyOfflineConversions", request))

describe.each(["rest", "soap"] as const)("CampaignManagement over %s against the emulator", (transport) => {
  /** Runs `effect` with a client for this transport; every SOAP envelope it sent must validate against the XSD. */
  const run = <A>(
    effect: Effect.Effect<A, CampaignManagementError, CampaignManagement>,
    options: Omit<Parameters<typeof makeClient>[1], "transport"> = {}
  ) => {
    const client = makeClient(fixture, { transport, ...options })
    return runDriven(fixture, effect, client.layer).pipe(
      Effect.tap(() => Effect.sync(() => assertValidEnvelopes(soapBodies(client.requests)))),
      Effect.tapError(() => Effect.sync(() => assertValidEnvelopes(soapBodies(client.requests)))),
      Effect.map((value) => ({ value, client }))
    )
  }
  const fail = (
    effect: Effect.Effect<unknown, CampaignManagementError, CampaignManagement>,
    options: Omit<Parameters<typeof makeClient>[1], "transport"> = {}
  ) => Effect.flip(Effect.map(run(effect, options), () => undefined)) as Effect.Effect<CampaignManagementError>

  it.effect("a successful call returns the typed response, its TrackingId, and partial errors as data", () =>
    Effect.gen(function* () {
      const { value } = yield* run(apply(conversions("USD", "XXX")))
      assert.strictEqual(value.transport, transport)
      assert.match(value.trackingId ?? "", /^[0-9a-f-]{36}$/)
      const partial = value.response.PartialErrors ?? []
      assert.strictEqual(partial.length, 1)
      assert.strictEqual(partial[0]?.Index, 1)
      assert.strictEqual(partial[0]?.Code, 5611)
      const state = fixture.emulator.state()
      assert.strictEqual(state.accepted.length, 1)
      assert.strictEqual(state.accepted[0]?.transport, transport)
    })
  )

  it.effect.each([
    ["a wrong developer token", { developerToken: "WRONG-DEV-TOKEN" }, 105],
    ["an unknown access token", { auth: { static: "not-a-token-the-emulator-issued" } }, 105],
    ["a customer id that is not the user's", { customerId: "999" }, 106],
    ["an account id that is not the user's", { accountId: "999" }, 106]
  ] as const)("%s is an authentication error, not retried", ([, options, code]) =>
    Effect.gen(function* () {
      const tokensBefore = tokenRequests(fixture).length
      const error = yield* fail(apply(), options)
      assert.strictEqual(error.reason._tag, "AuthenticationError")
      assert.isTrue(error.reason._tag === "AuthenticationError" && error.reason.code === code)
      assert.isFalse(error.isRetryable)
      assert.isDefined(error.trackingId)
      // Over REST the emulator answers 105 with HTTP 401, and any 401 gets one token refresh and one resend (as
      // Microsoft's .NET SDK does) when the token can be refreshed; a static token cannot, and SOAP faults are 500.
      const oauth = !("auth" in options)
      const resent = transport === "rest" && code === 105 && oauth
      assert.strictEqual(apiRequests(fixture), resent ? 2 : 1)
      // The first access token, and one refresh before the resend.
      assert.strictEqual(tokenRequests(fixture).length - tokensBefore, (oauth ? 1 : 0) + (resent ? 1 : 0))
    })
  )

  it.effect("an expired static access token (109) cannot be refreshed: authentication error naming the variable", () =>
    Effect.gen(function* () {
      fixture.emulator.setFaults({ expireTokenAfter: 0 })
      const error = yield* fail(apply(), { auth: { static: ACCESS_TOKEN } })
      assert.isTrue(error.reason._tag === "AuthenticationError" && error.reason.kind === "TokenExpired")
      assert.include(error.message, "MSADS_ACCESS_TOKEN")
      assert.strictEqual(apiRequests(fixture), 1)
    })
  )

  it.effect("a refused refresh token (invalid_grant) says to log in again and sends no API call", () =>
    Effect.gen(function* () {
      const error = yield* fail(apply(), { auth: { refreshToken: "revoked-refresh-token" } })
      assert.isTrue(error.reason._tag === "AuthenticationError" && error.reason.kind === "InvalidGrant")
      assert.include(error.message, "Log in again")
      assert.strictEqual(apiRequests(fixture), 0)
      assert.deepStrictEqual(
        tokenRequests(fixture).map((r) => r.outcome),
        ["invalid_grant"]
      )
    })
  )

  it.effect("109 → refresh → success", () =>
    Effect.gen(function* () {
      fixture.emulator.setFaults({ expireTokenAfter: 1 })
      const { value } = yield* run(Effect.zip(apply(), apply()))
      assert.isDefined(value[1].trackingId)
      assert.strictEqual(apiRequests(fixture), 3)
      assert.strictEqual(fixture.emulator.state().faultsInjected.tokenExpired, 1)
      assert.deepStrictEqual(
        tokenRequests(fixture).map((r) => r.outcome),
        ["issued", "issued"]
      )
    })
  )

  it.effect("117 → waits the documented 60 s → success", () =>
    Effect.gen(function* () {
      fixture.emulator.setFaults({ rateLimit: { calls: 1, windowMs: 60_000 } })
      const { value } = yield* run(
        Effect.gen(function* () {
          yield* apply()
          const before = yield* Clock.currentTimeMillis
          const result = yield* apply()
          return { result, waited: (yield* Clock.currentTimeMillis) - before }
        })
      )
      assert.isAtLeast(value.waited, 60_000)
      assert.isBelow(value.waited, 61_000)
      assert.strictEqual(fixture.emulator.state().faultsInjected.rateLimit, 1)
      assert.strictEqual(apiRequests(fixture), 3)
    })
  )

  it.effect("code-0 failures are retried with backoff until success", () =>
    Effect.gen(function* () {
      fixture.emulator.setFaults({ failFirst: 3 })
      const { value } = yield* run(apply())
      assert.strictEqual(value.transport, transport)
      assert.strictEqual(apiRequests(fixture), 4)
      assert.strictEqual(fixture.emulator.state().accepted.length, 1)
    })
  )

  it.effect("a lost response (connection dropped after applying) is retried; the resend is a duplicate", () =>
    Effect.gen(function* () {
      fixture.emulator.setFaults({ dropAfterApplyEvery: 2 })
      const request = conversions()
      const { value } = yield* run(Effect.zipRight(apply(), apply(request)))
      assert.isDefined(value.trackingId)
      const state = fixture.emulator.state()
      assert.strictEqual(state.faultsInjected.dropAfterApply, 1)
      assert.strictEqual(apiRequests(fixture), 3)
      assert.strictEqual(state.accepted.length, 2)
      assert.include(Object.values(state.receivedCounts), 2)
    })
  )

  it.effect("a fault sent with HTTP 200 is recognised as a fault (and code 0 on it is retried)", () =>
    Effect.gen(function* () {
      if (transport === "soap") fixture.emulator.setFaults({ faultsHttp200: true, failFirst: 1 })
      else {
        fixture.emulator.setFaults({ failFirst: 1 })
        fixture.proxy.rewrite = { status: () => 200 }
      }
      const first = yield* fail(applyOnce(), { viaProxy: true })
      assert.strictEqual(first.reason._tag, "ApiFaultError")
      assert.isTrue(
        first.reason._tag === "ApiFaultError" && first.reason.httpStatus === 200 && first.reason.codes[0] === 0
      )
      assert.isTrue(first.isRetryable)
      fixture.emulator.setFaults(transport === "soap" ? { faultsHttp200: true, failFirst: 1 } : { failFirst: 1 })
      const { value } = yield* run(apply(), { viaProxy: true })
      assert.isDefined(value.trackingId)
      const refused = yield* fail(apply(), { viaProxy: true, developerToken: "WRONG" })
      assert.isTrue(refused.reason._tag === "AuthenticationError" && refused.reason.code === 105)
    })
  )

  it.effect("a cut (not well-formed) body is a transient decode error and is retried", () =>
    Effect.gen(function* () {
      fixture.emulator.setFaults({ garbageEvery: 2 })
      const cut = yield* fail(Effect.zipRight(applyOnce(), applyOnce()))
      assert.isTrue(cut.reason._tag === "DecodeError" && cut.reason.wireReason === "NotWellFormed")
      assert.isTrue(cut.isRetryable)
      fixture.emulator.setFaults({ garbageEvery: 2 })
      const before = apiRequests(fixture)
      const { value } = yield* run(Effect.zipRight(apply(), apply()))
      assert.isDefined(value.trackingId)
      assert.strictEqual(apiRequests(fixture) - before, 3)
    })
  )

  it.effect("a well-formed body that does not match the contract is a decode error, not retried", () =>
    Effect.gen(function* () {
      fixture.proxy.rewrite = {
        body: () =>
          transport === "rest"
            ? '{"PartialErrors": {"not": "a list"}}'
            : '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><ApplyOfflineConversionsResponse xmlns="https://bingads.microsoft.com/CampaignManagement/v13"><PartialErrors><BatchError><Code>not-a-number</Code></BatchError></PartialErrors></ApplyOfflineConversionsResponse></s:Body></s:Envelope>'
      }
      const error = yield* fail(apply(), { viaProxy: true })
      assert.strictEqual(error.reason._tag, "DecodeError")
      assert.isFalse(error.isRetryable)
      assert.strictEqual(apiRequests(fixture), 1)
    })
  )

  it.effect("a permanent fault (5600 empty list) is not retried", () =>
    Effect.gen(function* () {
      const error = yield* fail(apply({ OfflineConversions: [] }))
      assert.isTrue(error.reason._tag === "ApiFaultError" && error.reason.codes[0] === 5600)
      assert.isFalse(error.isRetryable)
      assert.strictEqual(apiRequests(fixture), 1)
    })
  )

  it.effect("concurrent calls hit by 109 share exactly one refresh", () =>
    Effect.gen(function* () {
      const { value } = yield* run(
        Effect.gen(function* () {
          yield* apply()
          fixture.emulator.setFaults({ expireTokenAfter: 6 })
          for (let i = 0; i < 6; i++) yield* apply()
          return yield* Effect.all(
            Array.from({ length: 6 }, () => apply()),
            { concurrency: "unbounded" }
          )
        })
      )
      assert.strictEqual(value.length, 6)
      assert.strictEqual(fixture.emulator.state().faultsInjected.tokenExpired, 6)
      assert.strictEqual(tokenRequests(fixture).length, 2)
    })
  )

  it.effect("concurrent calls when the cached token expires by time share exactly one refresh", () =>
    Effect.gen(function* () {
      const { value } = yield* run(
        Effect.gen(function* () {
          yield* apply()
          fixture.virtual.offsetMs += 3600_000
          yield* TestClock.adjust("1 hour")
          return yield* Effect.all(
            Array.from({ length: 8 }, () => apply()),
            { concurrency: "unbounded" }
          )
        })
      )
      assert.strictEqual(value.length, 8)
      assert.strictEqual(fixture.emulator.state().faultsInjected.tokenExpired, 0)
      assert.strictEqual(tokenRequests(fixture).length, 2)
    })
  )

  it.effect("a rotated refresh token is persisted to the 0600 file and wins over MSADS_REFRESH_TOKEN next time", () =>
    Effect.gen(function* () {
      const rotating = yield* Effect.promise(() => startFixture({ oauth: { rotateRefreshTokens: true } }))
      yield* Effect.gen(function* () {
        const first = makeClient(rotating, { transport })
        yield* runDriven(rotating, apply(), first.layer)
        const file = JSON.parse(NodeFs.readFileSync(first.tokenFile, "utf8"))
        const stored: string = file.tokens[0].refreshToken
        assert.notStrictEqual(stored, REFRESH_TOKEN)
        assert.match(stored, /^emulator-rt-/)
        assert.strictEqual(NodeFs.statSync(first.tokenFile).mode & 0o777, 0o600)
        // A second run with the same environment: the seed is now invalid, the file's token works.
        const second = makeClient(rotating, { transport, tokenFile: first.tokenFile })
        yield* runDriven(rotating, apply(), second.layer)
        const rotatedAgain: string = JSON.parse(NodeFs.readFileSync(first.tokenFile, "utf8")).tokens[0].refreshToken
        assert.notStrictEqual(rotatedAgain, stored)
        assert.deepStrictEqual(
          rotating.emulator.state().tokenRequests.map((r) => [r.outcome, r.rotated]),
          [
            ["issued", true],
            ["issued", true]
          ]
        )
      }).pipe(Effect.ensuring(Effect.promise(() => rotating.stop())))
    })
  )
})
