/**
 * The README's program, end to end: `CampaignManagement.layerConfig` built from `MSADS_*` variables only (endpoint
 * override to the emulator, OAuth through its token endpoint, token file from UPLINK_TOKEN_FILE), for both transports.
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { ConfigProvider, DateTime, Effect, Layer, Redacted } from "effect"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { Auth } from "../src/auth/Auth.js"
import { TokenStore } from "../src/auth/TokenStore.js"
import { CampaignManagement } from "../src/CampaignManagement.js"
import { MsadsConfig } from "../src/config/MsadsConfig.js"
import { RetryPolicy } from "../src/retry/RetryPolicy.js"
import { layerNodeHttpClient } from "../src/transport/NodeHttpClientLayer.js"
import * as SoapTransport from "../src/transport/SoapTransport.js"
import { randomClickId } from "@uplink/emulator/testing"
import { type Fixture, startFixture } from "./support/Loopback.js"

let fixture: Fixture
beforeAll(async () => {
  fixture = await startFixture()
})
afterAll(async () => {
  await fixture?.stop()
})

const program = Effect.gen(function* () {
  const cm = yield* CampaignManagement
  const { response, trackingId, transport } = yield* cm.call("ApplyOfflineConversions", {
    OfflineConversions: [
      {
        MicrosoftClickId: randomClickId(),
        ConversionName: "Offline Purchase",
        ConversionTime: DateTime.unsafeMake(Date.now() - 3_600_000),
        ConversionValue: 10,
        ConversionCurrencyCode: "USD"
      }
    ]
  })
  return { partialErrors: response.PartialErrors?.length ?? 0, trackingId, transport }
})

describe("CampaignManagement.layerConfig", () => {
  it.effect.each(["rest", "soap"] as const)("runs the README program from the environment over %s", (transport) =>
    Effect.gen(function* () {
      const tokenFile = NodePath.join(fixture.tempDir, `env-${transport}`, "tokens.json")
      const env = new Map([
        ["MSADS_DEVELOPER_TOKEN", "BBD37VB98"],
        ["MSADS_CUSTOMER_ID", "1000001"],
        ["MSADS_ACCOUNT_ID", "2000002"],
        ["MSADS_ENDPOINT", fixture.emulator.url],
        ["MSADS_TRANSPORT", transport],
        ["MSADS_CLIENT_ID", "readme-client"],
        ["MSADS_REFRESH_TOKEN", "emulator-refresh-token"],
        ["MSADS_AUTHORITY", `${fixture.emulator.url}/common`],
        ["UPLINK_TOKEN_FILE", tokenFile]
      ])
      const live = CampaignManagement.layerConfig.pipe(
        Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(env)))
      )
      const result = yield* program.pipe(Effect.provide(live))
      assert.strictEqual(result.partialErrors, 0)
      assert.strictEqual(result.transport, transport)
      assert.isDefined(result.trackingId)
      assert.strictEqual(NodeFs.statSync(tokenFile).mode & 0o777, 0o600)
    })
  )

  it.effect("fails at layer build naming a missing variable", () =>
    Effect.gen(function* () {
      const env = new Map([
        ["MSADS_DEVELOPER_TOKEN", "x"],
        ["MSADS_ACCOUNT_ID", "1"],
        ["MSADS_ACCESS_TOKEN", "t"]
      ])
      const live = CampaignManagement.layerConfig.pipe(
        Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(env)))
      )
      const error = yield* Effect.flip(program.pipe(Effect.provide(live)))
      assert.include(String(error), "MSADS_CUSTOMER_ID")
    })
  )

  it.effect("the README's hand-composed layers work the same", () =>
    Effect.gen(function* () {
      const live = CampaignManagement.layer.pipe(
        Layer.provide(
          Layer.mergeAll(
            SoapTransport.layer,
            Auth.layerOAuth({
              clientId: "your-app-id",
              refreshToken: Redacted.make("emulator-refresh-token"),
              authority: `${fixture.emulator.url}/common`
            }),
            RetryPolicy.layer(RetryPolicy.make({ maxRetries: 3, rateLimitWait: "90 seconds" }))
          )
        ),
        Layer.provide(
          Layer.mergeAll(
            MsadsConfig.layerWith({
              developerToken: "BBD37VB98",
              customerId: 1000001,
              accountId: 2000002,
              environment: "sandbox",
              endpoint: fixture.emulator.url
            }),
            TokenStore.layerFile(NodePath.join(fixture.tempDir, "hand", "tokens.json")),
            layerNodeHttpClient
          )
        )
      )
      const result = yield* program.pipe(Effect.provide(live))
      assert.strictEqual(result.transport, "soap")
      assert.strictEqual(result.partialErrors, 0)
    })
  )
})
