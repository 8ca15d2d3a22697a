import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, Exit, Layer, Redacted } from "effect"
import { MsadsConfig } from "../src/config/MsadsConfig.js"

const base = {
  MSADS_DEVELOPER_TOKEN: "dev-token-secret",
  MSADS_CUSTOMER_ID: "1000001",
  MSADS_ACCOUNT_ID: "2000002"
}

const load = (env: Record<string, string>) =>
  Effect.gen(function* () {
    return yield* MsadsConfig
  }).pipe(
    Effect.provide(
      MsadsConfig.layer.pipe(
        Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))))
      )
    ),
    Effect.exit
  )

const failureMessage = (exit: Exit.Exit<unknown, unknown>) => {
  assert.isTrue(Exit.isFailure(exit))
  return String(Exit.isFailure(exit) ? exit.cause : "")
}

describe("MsadsConfig", () => {
  it.effect("reads the MSADS_* variables with production REST defaults", () =>
    Effect.gen(function* () {
      const exit = yield* load(base)
      assert.isTrue(Exit.isSuccess(exit))
      if (!Exit.isSuccess(exit)) return
      const config = exit.value
      assert.strictEqual(Redacted.value(config.developerToken), "dev-token-secret")
      assert.strictEqual(config.customerId, "1000001")
      assert.strictEqual(config.accountId, "2000002")
      assert.strictEqual(config.environment, "production")
      assert.strictEqual(config.transport, "rest")
      assert.strictEqual(
        config.endpoints.soap,
        "https://campaign.api.bingads.microsoft.com/Api/Advertiser/CampaignManagement/v13/CampaignManagementService.svc"
      )
      assert.strictEqual(config.endpoints.restBase, "https://campaign.api.bingads.microsoft.com")
      assert.strictEqual(Duration.toMillis(config.requestTimeout), 60_000)
      assert.notInclude(String(config.developerToken), "dev-token-secret")
    })
  )

  it.effect("sandbox hosts, soap transport, endpoint override and timeout", () =>
    Effect.gen(function* () {
      const sandbox = yield* load({ ...base, MSADS_ENVIRONMENT: "sandbox", MSADS_TRANSPORT: "soap" })
      assert.isTrue(Exit.isSuccess(sandbox))
      if (Exit.isSuccess(sandbox)) {
        assert.strictEqual(sandbox.value.environment, "sandbox")
        assert.strictEqual(sandbox.value.transport, "soap")
        assert.strictEqual(sandbox.value.endpoints.restBase, "https://campaign.api.sandbox.bingads.microsoft.com")
      }
      const local = yield* load({ ...base, MSADS_ENDPOINT: "http://127.0.0.1:8089/", MSADS_REQUEST_TIMEOUT: "2500" })
      assert.isTrue(Exit.isSuccess(local))
      if (Exit.isSuccess(local)) {
        assert.strictEqual(
          local.value.endpoints.soap,
          "http://127.0.0.1:8089/Api/Advertiser/CampaignManagement/v13/CampaignManagementService.svc"
        )
        assert.strictEqual(local.value.endpoints.restBase, "http://127.0.0.1:8089")
        assert.strictEqual(Duration.toMillis(local.value.requestTimeout), 2500)
      }
      const named = yield* load({ ...base, MSADS_REQUEST_TIMEOUT: "30 seconds" })
      assert.isTrue(Exit.isSuccess(named) && Duration.toMillis(named.value.requestTimeout) === 30_000)
    })
  )

  it.effect.each([
    ["MSADS_DEVELOPER_TOKEN", { MSADS_CUSTOMER_ID: "1", MSADS_ACCOUNT_ID: "2" }],
    ["MSADS_CUSTOMER_ID", { MSADS_DEVELOPER_TOKEN: "x", MSADS_ACCOUNT_ID: "2" }],
    ["MSADS_ACCOUNT_ID", { MSADS_DEVELOPER_TOKEN: "x", MSADS_CUSTOMER_ID: "1" }]
  ] as const)("a missing %s fails the layer naming it", ([name, env]) =>
    Effect.gen(function* () {
      assert.include(failureMessage(yield* load(env)), name)
    })
  )

  it.effect.each([
    ["MSADS_CUSTOMER_ID", "12ab"],
    ["MSADS_ACCOUNT_ID", "-5"],
    ["MSADS_ENVIRONMENT", "staging"],
    ["MSADS_TRANSPORT", "grpc"],
    ["MSADS_ENDPOINT", "ftp://example.com"],
    ["MSADS_ENDPOINT", "not a url"],
    ["MSADS_REQUEST_TIMEOUT", "soon"],
    ["MSADS_DEVELOPER_TOKEN", "  "]
  ] as const)("a malformed %s (%s) fails the layer naming it", ([name, value]) =>
    Effect.gen(function* () {
      const message = failureMessage(yield* load({ ...base, [name]: value }))
      assert.include(message, name)
    })
  )

  it.effect.each([
    ["0", "0 ms"],
    ["999", "999 ms"],
    ["-5", '"-5"'],
    ["99999999999", "99999999999 ms"],
    ["3 days", "3 days"]
  ] as const)("MSADS_REQUEST_TIMEOUT=%s is refused with its range", ([value, shown]) =>
    Effect.gen(function* () {
      const message = failureMessage(yield* load({ ...base, MSADS_REQUEST_TIMEOUT: value }))
      assert.include(message, "MSADS_REQUEST_TIMEOUT must be a duration from 1 second to 1 hour")
      assert.include(message, `got ${shown.startsWith('"') ? JSON.stringify(value) : shown}`)
    })
  )

  it("make refuses a request timeout outside its range", () => {
    const options = { developerToken: "t", customerId: 1, accountId: 2 }
    assert.throws(() => MsadsConfig.make({ ...options, requestTimeout: "10 millis" }), /requestTimeout must be/)
    assert.throws(() => MsadsConfig.make({ ...options, requestTimeout: "2 hours" }), /from 1 second to 1 hour/)
    assert.strictEqual(
      Duration.toMillis(MsadsConfig.make({ ...options, requestTimeout: "1 hour" }).requestTimeout),
      3_600_000
    )
  })

  it("make builds the same shape from values and rejects bad ids", () => {
    const config = MsadsConfig.make({
      developerToken: "t",
      customerId: 1000001n,
      accountId: 2000002,
      environment: "sandbox",
      transport: "soap",
      requestTimeout: "5 seconds"
    })
    assert.strictEqual(config.customerId, "1000001")
    assert.strictEqual(config.accountId, "2000002")
    assert.strictEqual(config.endpoints.restBase, "https://campaign.api.sandbox.bingads.microsoft.com")
    assert.strictEqual(Duration.toMillis(config.requestTimeout), 5000)
    assert.throws(() => MsadsConfig.make({ developerToken: "t", customerId: "abc", accountId: 1 }), /customerId/)
  })
})
