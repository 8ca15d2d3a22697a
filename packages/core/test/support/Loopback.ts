/**
 * The loopback fixture: one `@uplink/emulator` (demo mode, its clock following the virtual test clock) behind a
 * rewriting proxy, and the client layers a test needs — config for either transport, static or OAuth auth with a
 * 0600 token file in a temporary folder, and the real node HTTP client wrapped to record every request.
 */
import type { EmulatorOptions, RunningEmulator } from "@uplink/emulator"
import { randomClickId, startEmulator, tempDir } from "@uplink/emulator/testing"
import type { RequestOf } from "@uplink/campaign-management"
import { DateTime, Effect, Layer, Redacted } from "effect"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { Auth } from "../../src/auth/Auth.js"
import { TokenStore } from "../../src/auth/TokenStore.js"
import { CampaignManagement } from "../../src/CampaignManagement.js"
import { MsadsConfig, type TransportKind } from "../../src/config/MsadsConfig.js"
import { makeCapturingHttpClient } from "./CapturingHttpClient.js"
import { driveClock } from "./ClockDriver.js"
import type { RecordedRequest } from "./MockHttpClient.js"
import { type RewritingProxy, startRewritingProxy } from "./RewritingProxy.js"

export const CLIENT_ID = "uplink-loopback-tests"
export const CLIENT_SECRET = "uplink-test-client-secret-value"
export const DEVELOPER_TOKEN = "BBD37VB98"
export const REFRESH_TOKEN = "emulator-refresh-token"
export const ACCESS_TOKEN = "emulator-access-token"

/** A running emulator whose clock is the real one plus `offsetMs` (moved by the clock driver). */
export interface Fixture {
  readonly emulator: RunningEmulator
  readonly proxy: RewritingProxy
  readonly virtual: { offsetMs: number }
  readonly tempDir: string
  readonly stop: () => Promise<void>
}

/**
 * Starts the fixture. The emulator's clock is `now()` (default: the real clock) plus the virtual time the test has
 * jumped; `options` override the defaults (demo mode on).
 */
export const startFixture = async (options: EmulatorOptions = {}, now: () => number = Date.now): Promise<Fixture> => {
  const virtual = { offsetMs: 0 }
  const emulator = await startEmulator({ demo: true, clock: () => now() + virtual.offsetMs, ...options })
  const proxy = await startRewritingProxy(emulator.url)
  const folder = tempDir("uplink-core-loopback-")
  return {
    emulator,
    proxy,
    virtual,
    tempDir: folder,
    stop: async () => {
      await proxy.stop()
      await emulator.stop()
      NodeFs.rmSync(folder, { recursive: true, force: true })
    }
  }
}

export interface ClientOptions {
  readonly transport: TransportKind
  readonly auth?: { readonly static: string } | { readonly refreshToken: string } | undefined
  readonly developerToken?: string | undefined
  readonly customerId?: string | undefined
  readonly accountId?: string | undefined
  /** Go through the rewriting proxy instead of straight to the emulator. */
  readonly viaProxy?: boolean | undefined
  readonly tokenFile?: string | undefined
}

let files = 0

/** The client layer for `options`, and the requests it sends. */
export const makeClient = (fixture: Fixture, options: ClientOptions) => {
  const capture = makeCapturingHttpClient()
  const tokenFile = options.tokenFile ?? NodePath.join(fixture.tempDir, `tokens-${++files}.json`)
  const auth =
    options.auth !== undefined && "static" in options.auth
      ? Auth.layerStatic(options.auth.static)
      : Auth.layerOAuth({
          clientId: CLIENT_ID,
          clientSecret: Redacted.make(CLIENT_SECRET),
          refreshToken: Redacted.make(options.auth?.refreshToken ?? REFRESH_TOKEN),
          authority: `${fixture.emulator.url}/common`
        })
  const config = MsadsConfig.layerWith({
    developerToken: options.developerToken ?? DEVELOPER_TOKEN,
    customerId: options.customerId ?? "1000001",
    accountId: options.accountId ?? "2000002",
    endpoint: options.viaProxy === true ? fixture.proxy.url : fixture.emulator.url,
    transport: options.transport,
    requestTimeout: "1 hour"
  })
  const layer = CampaignManagement.layerTransportFromConfig.pipe(
    Layer.provide(auth),
    Layer.provide(Layer.mergeAll(config, TokenStore.layerFile(tokenFile), capture.layer))
  )
  return { layer, requests: capture.requests, tokenFile, idle: capture.idle }
}

/** Runs `effect` with `layer` under the TestClock, moving the emulator's clock along with it. */
export const runDriven = <A, E, R>(
  fixture: Fixture,
  effect: Effect.Effect<A, E, R>,
  layer: Layer.Layer<R, unknown>,
  idle?: () => boolean
) =>
  driveClock(effect.pipe(Effect.provide(layer)) as Effect.Effect<A, E | unknown>, {
    onJump: (millis) => {
      fixture.virtual.offsetMs += millis
    },
    ...(idle === undefined ? {} : { idle })
  }) as Effect.Effect<A, E>

/** An ApplyOfflineConversions request for demo goals; `currency` lets a test make an item invalid. */
export const conversions = (...currencies: ReadonlyArray<string>): RequestOf<"ApplyOfflineConversions"> => ({
  OfflineConversions: (currencies.length === 0 ? ["USD"] : currencies).map((currency) => ({
    MicrosoftClickId: randomClickId(),
    ConversionName: "Offline Purchase",
    ConversionTime: DateTime.unsafeMake(Date.now() - 60 * 60 * 1000),
    ConversionValue: 25.5,
    ConversionCurrencyCode: currency
  }))
})

/** The calls the emulator counted for the API (not OAuth, not admin). */
export const apiRequests = (fixture: Fixture): number => fixture.emulator.state().requests

/** The token-endpoint calls the emulator saw. */
export const tokenRequests = (fixture: Fixture) =>
  fixture.emulator.state().tokenRequests.filter((request) => request.endpoint === "token")

/** SOAP envelopes among recorded requests. */
export const soapBodies = (requests: ReadonlyArray<RecordedRequest>): ReadonlyArray<string> =>
  requests.filter((request) => request.url.endsWith(".svc")).map((request) => request.body)
