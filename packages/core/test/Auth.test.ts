import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Deferred, Effect, Exit, Fiber, Layer, Option, Redacted, TestClock } from "effect"
import { Auth, type OAuthOptions } from "../src/auth/Auth.js"
import { type TokenKey, TokenStore } from "../src/auth/TokenStore.js"
import { MsadsConfig } from "../src/config/MsadsConfig.js"
import { type Answer, json, makeMockHttpClient, type RecordedRequest } from "./support/MockHttpClient.js"

const config = (environment: "production" | "sandbox" = "production") =>
  MsadsConfig.layerWith({
    developerToken: "dev",
    customerId: 1,
    accountId: 2,
    environment,
    requestTimeout: "5 seconds"
  })

const grant = (accessToken: string, extra: Record<string, unknown> = {}) =>
  json(200, {
    token_type: "Bearer",
    access_token: accessToken,
    expires_in: 3600,
    scope: "https://ads.microsoft.com/msads.manage",
    ...extra
  })

const form = (request: RecordedRequest) => Object.fromEntries(new URLSearchParams(request.body))
const key: TokenKey = { clientId: "client-1", environment: "production" }

/** Runs `body` with an OAuth Auth over a scripted token endpoint and a memory token store. */
const withOAuth = <A, E>(
  handler: (request: RecordedRequest, index: number) => Answer | Effect.Effect<Answer>,
  body: (auth: typeof Auth.Service, store: typeof TokenStore.Service) => Effect.Effect<A, E>,
  options: Partial<OAuthOptions> = {},
  seed: ReadonlyArray<readonly [TokenKey, string]> = [[key, "refresh-from-store"]],
  environment: "production" | "sandbox" = "production"
) => {
  const mock = makeMockHttpClient(handler)
  const program = Effect.gen(function* () {
    const auth = yield* Auth
    const store = yield* TokenStore
    return yield* body(auth, store)
  }).pipe(
    Effect.provide(
      Auth.layerOAuth({ clientId: "client-1", authority: "https://login.example/tenant", ...options }).pipe(
        Layer.provideMerge(Layer.mergeAll(config(environment), TokenStore.layerMemory(seed), mock.layer))
      )
    )
  )
  return { mock, program }
}

describe("Auth (OAuth refresh token)", () => {
  it.effect("posts the refresh-token grant to <authority>/oauth2/v2.0/token and caches the access token", () => {
    const { mock, program } = withOAuth(
      () => grant("access-1"),
      (auth) =>
        Effect.gen(function* () {
          const first = yield* auth.accessToken
          const second = yield* auth.accessToken
          return [Redacted.value(first), Redacted.value(second)]
        })
    )
    return Effect.gen(function* () {
      assert.deepStrictEqual(yield* program, ["access-1", "access-1"])
      assert.strictEqual(mock.requests.length, 1)
      const request = mock.requests[0]!
      assert.strictEqual(request.method, "POST")
      assert.strictEqual(request.url, "https://login.example/tenant/oauth2/v2.0/token")
      assert.include(request.headers["content-type"] ?? "", "application/x-www-form-urlencoded")
      assert.deepStrictEqual(form(request), {
        grant_type: "refresh_token",
        client_id: "client-1",
        refresh_token: "refresh-from-store",
        scope: "https://ads.microsoft.com/msads.manage offline_access"
      })
    })
  })

  it.effect("sends the client secret when given and the sandbox scope in sandbox", () => {
    const sandboxKey = { clientId: "client-1", environment: "sandbox" } as const
    const { mock, program } = withOAuth(
      () => grant("a", { scope: "https://si.ads.microsoft.com/msads.manage offline_access" }),
      (auth) => auth.accessToken,
      { clientSecret: Redacted.make("the-secret") },
      [[sandboxKey, "r"]],
      "sandbox"
    )
    return Effect.gen(function* () {
      yield* program
      const sent = form(mock.requests[0]!)
      assert.strictEqual(sent.client_secret, "the-secret")
      assert.strictEqual(sent.scope, "https://si.ads.microsoft.com/msads.manage offline_access")
    })
  })

  it.effect("refreshes before expiry: not before the margin, then once", () => {
    const { mock, program } = withOAuth(
      (_, index) => grant(`access-${index + 1}`),
      (auth) =>
        Effect.gen(function* () {
          assert.strictEqual(Redacted.value(yield* auth.accessToken), "access-1")
          yield* TestClock.adjust("54 minutes")
          assert.strictEqual(Redacted.value(yield* auth.accessToken), "access-1")
          yield* TestClock.adjust("1 minute")
          assert.strictEqual(Redacted.value(yield* auth.accessToken), "access-2")
          assert.strictEqual(Redacted.value(yield* auth.accessToken), "access-2")
        })
    )
    return Effect.gen(function* () {
      yield* program
      assert.strictEqual(mock.requests.length, 2)
    })
  })

  it.effect("concurrent callers during expiry share one refresh (single flight)", () =>
    Effect.gen(function* () {
      const release = yield* Deferred.make<void>()
      const { mock, program } = withOAuth(
        (_, index) => Effect.as(Deferred.await(release), grant(`access-${index + 1}`)),
        (auth) =>
          Effect.gen(function* () {
            const fiber = yield* Effect.fork(
              Effect.all(
                Array.from({ length: 25 }, () => auth.accessToken),
                { concurrency: "unbounded" }
              )
            )
            yield* Effect.yieldNow()
            yield* Deferred.succeed(release, undefined)
            const tokens = yield* Fiber.join(fiber)
            assert.deepStrictEqual(new Set(tokens.map(Redacted.value)), new Set(["access-1"]))
            // 109 seen by many callers holding the same token: one refresh for all of them.
            const after = yield* Effect.all(
              Array.from({ length: 25 }, () => auth.refreshAfterExpiry(tokens[0]!)),
              { concurrency: "unbounded" }
            )
            assert.deepStrictEqual(new Set(after.map(Redacted.value)), new Set(["access-2"]))
            // A late caller with the old token gets the new one without another refresh.
            assert.strictEqual(Redacted.value(yield* auth.refreshAfterExpiry(tokens[0]!)), "access-2")
          })
      )
      yield* program
      assert.strictEqual(mock.requests.length, 2)
    })
  )

  it.effect("persists a rotated refresh token and uses it for the next refresh", () => {
    const { mock, program } = withOAuth(
      (_, index) => grant(`access-${index + 1}`, { refresh_token: `rotated-${index + 1}` }),
      (auth, store) =>
        Effect.gen(function* () {
          const first = yield* auth.accessToken
          assert.strictEqual(Redacted.value(Option.getOrThrow(yield* store.load(key))), "rotated-1")
          yield* auth.refreshAfterExpiry(first)
          assert.strictEqual(Redacted.value(Option.getOrThrow(yield* store.load(key))), "rotated-2")
        })
    )
    return Effect.gen(function* () {
      yield* program
      assert.strictEqual(form(mock.requests[1]!).refresh_token, "rotated-1")
    })
  })

  it.effect("MSADS_REFRESH_TOKEN seeds an empty store; a stored token wins over it", () =>
    Effect.gen(function* () {
      const seeded = withOAuth(
        () => grant("a"),
        (auth, store) => Effect.zipRight(auth.accessToken, store.load(key)),
        { refreshToken: Redacted.make("from-env") },
        []
      )
      assert.strictEqual(Redacted.value(Option.getOrThrow(yield* seeded.program)), "from-env")
      assert.strictEqual(form(seeded.mock.requests[0]!).refresh_token, "from-env")

      const fileWins = withOAuth(
        () => grant("a"),
        (auth) => auth.accessToken,
        { refreshToken: Redacted.make("from-env") }
      )
      yield* fileWins.program
      assert.strictEqual(form(fileWins.mock.requests[0]!).refresh_token, "refresh-from-store")
    })
  )

  it.effect("without any refresh token the layer fails, naming MSADS_REFRESH_TOKEN and the login command", () =>
    Effect.gen(function* () {
      const { program } = withOAuth(
        () => grant("a"),
        (auth) => auth.accessToken,
        {},
        []
      )
      const error = yield* Effect.flip(program)
      assert.strictEqual(error._tag, "AuthenticationError")
      if (error._tag !== "AuthenticationError") return
      assert.strictEqual(error.kind, "NotLoggedIn")
      assert.include(error.message, "MSADS_REFRESH_TOKEN")
      assert.include(error.message, "uplink auth login")
    })
  )

  it.effect("invalid_grant is an authentication error telling the user to log in again, and is not retried", () => {
    const { mock, program } = withOAuth(
      () =>
        json(400, {
          error: "invalid_grant",
          error_description:
            "AADSTS70008: The refresh token refresh-from-store has expired due to inactivity. Trace ID: x Correlation ID: y"
        }),
      (auth) => Effect.zip(Effect.flip(auth.accessToken), Effect.flip(auth.accessToken))
    )
    return Effect.gen(function* () {
      const [first, second] = yield* program
      assert.strictEqual(first._tag, "AuthenticationError")
      if (first._tag !== "AuthenticationError") return
      assert.strictEqual(first.kind, "InvalidGrant")
      assert.isFalse(first.isRetryable)
      assert.include(first.message, "Log in again")
      assert.include(first.message, "AADSTS70008")
      assert.notInclude(first.message, "refresh-from-store")
      assert.notInclude(first.message, "Trace ID")
      assert.strictEqual(second, first)
      assert.strictEqual(mock.requests.length, 1)
    })
  })

  it.effect.each([
    ["HTTP 500", "HttpStatusError", true, { status: 500, body: "oops" }],
    ["temporarily_unavailable", "HttpStatusError", true, json(400, { error: "temporarily_unavailable" })],
    [
      "invalid_client",
      "AuthenticationError",
      false,
      json(401, { error: "invalid_client", error_description: "AADSTS7000215: bad secret" })
    ],
    ["a connection failure", "TransportError", true, { fail: "connect ECONNREFUSED" }],
    ["a body that is not JSON", "DecodeError", true, { status: 200, body: '{"access_tok' }],
    ["a grant without access_token", "DecodeError", false, json(200, { expires_in: 3600 })],
    ["a grant without msads.manage", "AuthenticationError", false, grant("a", { scope: "openid profile" })]
  ] as const)("%s fails with %s (retryable: %s)", ([, tag, retryable, answer]) => {
    const { program } = withOAuth(
      () => answer as Answer,
      (auth) => Effect.flip(auth.accessToken)
    )
    return Effect.gen(function* () {
      const error = yield* program
      assert.strictEqual(error._tag, tag)
      assert.strictEqual(error.isRetryable, retryable)
    })
  })

  it.effect("a token request that never answers times out as a retryable transport error", () =>
    Effect.gen(function* () {
      const { program } = withOAuth(
        () => Effect.never,
        (auth) => Effect.flip(auth.accessToken)
      )
      const fiber = yield* Effect.fork(program)
      yield* TestClock.adjust("5 seconds")
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error._tag, "TransportError")
      assert.isTrue(error.isRetryable)
    })
  )
})

describe("Auth (static access token)", () => {
  it.effect("returns the token and cannot refresh it", () =>
    Effect.gen(function* () {
      const auth = yield* Auth
      assert.strictEqual(Redacted.value(yield* auth.accessToken), "static-token")
      const error = yield* Effect.flip(auth.refreshAfterExpiry(yield* auth.accessToken))
      assert.strictEqual(error._tag, "AuthenticationError")
      assert.include(error.message, "MSADS_ACCESS_TOKEN")
      assert.notInclude(error.message, "static-token")
    }).pipe(Effect.provide(Auth.layerStatic("static-token")))
  )
})

describe("Auth.layerConfig", () => {
  const build = (env: Record<string, string>) => {
    const mock = makeMockHttpClient(() => grant("from-oauth"))
    return Effect.flatMap(Auth, (auth) => Effect.map(auth.accessToken, (t) => [auth.mode, Redacted.value(t)])).pipe(
      Effect.provide(
        Auth.layerConfig.pipe(
          Layer.provide(Layer.mergeAll(config(), TokenStore.layerMemory(), mock.layer)),
          Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))))
        )
      ),
      Effect.exit
    )
  }

  it.effect("MSADS_ACCESS_TOKEN gives a static token; MSADS_CLIENT_ID + MSADS_REFRESH_TOKEN gives OAuth", () =>
    Effect.gen(function* () {
      const fixed = yield* build({ MSADS_ACCESS_TOKEN: "given", MSADS_CLIENT_ID: "c" })
      assert.deepStrictEqual(Exit.isSuccess(fixed) ? fixed.value : undefined, ["static", "given"])
      const oauth = yield* build({ MSADS_CLIENT_ID: "c", MSADS_REFRESH_TOKEN: "r" })
      assert.deepStrictEqual(Exit.isSuccess(oauth) ? oauth.value : undefined, ["oauth", "from-oauth"])
    })
  )

  it.effect("no credentials at all fails naming the variables", () =>
    Effect.gen(function* () {
      const exit = yield* build({})
      assert.isTrue(Exit.isFailure(exit))
      const text = Exit.isFailure(exit) ? String(exit.cause) : ""
      assert.include(text, "MSADS_ACCESS_TOKEN")
      assert.include(text, "MSADS_CLIENT_ID")
      const noRefresh = yield* build({ MSADS_CLIENT_ID: "c" })
      assert.include(Exit.isFailure(noRefresh) ? String(noRefresh.cause) : "", "MSADS_REFRESH_TOKEN")
    })
  )
})
