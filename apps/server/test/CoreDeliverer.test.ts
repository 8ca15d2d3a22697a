/**
 * The production `Deliverer` (core's pipeline over `CampaignManagement`) against the emulator: outcomes map back to
 * records, a 117 is counted and waited out, refused credentials keep records for later instead of failing them, a
 * failure core's retry table calls `never` fails them, the customer's limiter appears in `/metrics` by its id, and
 * missing `MSADS_*` settings make the deliverer `NotConfigured` instead of stopping the server.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Outcome, RateLimiters } from "@uplink/core"
import type { RunningEmulator } from "@uplink/emulator"
import { emulatorEnv, startEmulator } from "@uplink/emulator/testing"
import { ConfigProvider, Effect, Layer, Metric, Option } from "effect"
import * as CoreDeliverer from "../src/CoreDeliverer.js"
import { SharedThrottle } from "../src/SharedThrottle.js"
import { Deliverer, type DeliveryOutcome } from "../src/Deliverer.js"
import type { ClaimedRecord } from "../src/Outbox.js"
import { prometheusText, rateLimited } from "../src/ServerMetrics.js"
import { temporaryDirectory } from "./support/files.js"
import { conversion } from "./support/records.js"

const claimed = (id: string, fields: Record<string, unknown>): ClaimedRecord => ({
  id,
  kind: "conversion",
  fields,
  attempts: 1,
  createdAt: Date.now()
})

const environment = (emulatorUrl: string, overrides: Record<string, string> = {}) =>
  new Map(Object.entries({ ...emulatorEnv(emulatorUrl, temporaryDirectory()), ...overrides }))

const deliverWith = (
  env: Map<string, string>,
  records: ReadonlyArray<ClaimedRecord>,
  options: CoreDeliverer.CoreDelivererOptions = {}
) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const deliverer = yield* Deliverer
      const outcomes = yield* deliverer.deliver("conversion", records)
      return { readiness: deliverer.readiness, outcomes }
    }).pipe(
      Effect.provide(
        CoreDeliverer.layerFromEnv(options).pipe(Layer.provide(Layer.merge(SharedThrottle.local, RateLimiters.layer())))
      ),
      Effect.withConfigProvider(ConfigProvider.fromMap(env)),
      Effect.scoped
    )
  )

const tags = (outcomes: ReadonlyArray<DeliveryOutcome>) => outcomes.map((outcome) => outcome._tag)

describe("CoreDeliverer", () => {
  let emulator: RunningEmulator

  beforeAll(async () => {
    emulator = await startEmulator({ demo: true })
  })

  afterAll(async () => {
    await emulator?.stop()
  })

  it("maps the service's answer back to each record: accepted, rejected, duplicate", async () => {
    emulator.reset()
    const records = [
      claimed("a", conversion("core-a")),
      claimed("b", conversion("core-b", { MicrosoftClickId: "not-a-click-id" })),
      claimed("c", conversion("core-a")),
      claimed("d", conversion("core-d", { ConversionName: "No Such Goal" }))
    ]
    const { readiness, outcomes } = await deliverWith(environment(emulator.url), records)
    expect(readiness).toEqual({ _tag: "Ready", description: `rest to ${emulator.url}` })
    expect(tags(outcomes)).toEqual(["Accepted", "Rejected", "Duplicate", "Rejected"])
    expect(outcomes[1]).toMatchObject({ code: 5604, errorCode: "OfflineConversionMicrosoftClickIdInvalid" })
    expect(outcomes[3]).toMatchObject({ code: 5606 })
    expect(emulator.state().accepted.map((entry) => entry.MicrosoftClickId)).toEqual([
      conversion("core-a").MicrosoftClickId
    ])
  })

  it("sends over SOAP when MSADS_TRANSPORT says so", async () => {
    emulator.reset()
    const { outcomes } = await deliverWith(environment(emulator.url, { MSADS_TRANSPORT: "soap" }), [
      claimed("s", conversion("core-soap"))
    ])
    expect(tags(outcomes)).toEqual(["Accepted"])
    expect(emulator.state().accepted[0]!.transport).toBe("soap")
  })

  it("counts 117 CallRateExceeded, waits, and delivers", async () => {
    emulator.reset()
    emulator.setFaults({ rateLimit: { calls: 1, windowMs: 600 } })
    const before = (await Effect.runPromise(Metric.value(rateLimited))).count
    const env = environment(emulator.url)
    const first = await deliverWith(env, [claimed("r1", conversion("core-rate-1"))], { rateLimitWait: "700 millis" })
    const second = await deliverWith(env, [claimed("r2", conversion("core-rate-2"))], { rateLimitWait: "700 millis" })
    expect(tags(first.outcomes)).toEqual(["Accepted"])
    expect(tags(second.outcomes)).toEqual(["Accepted"])
    const after = (await Effect.runPromise(Metric.value(rateLimited))).count
    expect(after - before).toBeGreaterThanOrEqual(1)
    emulator.setFaults({})
  })

  it("keeps records for later when the service refuses the credentials or cannot be reached", async () => {
    emulator.reset()
    const refused = await deliverWith(environment(emulator.url, { MSADS_ACCESS_TOKEN: "wrong-token" }), [
      claimed("x", conversion("core-refused"))
    ])
    expect(tags(refused.outcomes)).toEqual(["Retry"])
    const retry = refused.outcomes[0] as Extract<DeliveryOutcome, { _tag: "Retry" }>
    expect(retry.message).not.toContain("wrong-token")
    expect(Option.isNone(retry.retryAfterMs)).toBe(true)

    const unreachable = await deliverWith(
      environment("http://127.0.0.1:9"),
      [claimed("y", conversion("core-unreachable"))],
      { maxRetries: 0 }
    )
    expect(tags(unreachable.outcomes)).toEqual(["Retry"])
    expect(emulator.state().accepted).toEqual([])
  })

  it("fails the records when sending them again can never help (HTTP 404 on the REST route: not served over REST)", async () => {
    emulator.reset()
    const { outcomes } = await deliverWith(environment(`${emulator.url}/no-such-service`), [
      claimed("n", conversion("core-never"))
    ])
    expect(tags(outcomes)).toEqual(["Failed"])
    expect(outcomes[0]).toMatchObject({ errorCode: "NotAvailable" })
  })

  it("sends under the customer's limiter from RateLimiters: /metrics shows it by the customer id", async () => {
    emulator.reset()
    const { outcomes, text } = await Effect.runPromise(
      Effect.gen(function* () {
        const deliverer = yield* Deliverer
        const outcomes = yield* deliverer.deliver("conversion", [claimed("m", conversion("core-metrics"))])
        // Scraped while the deliverer (and so its limiter) is alive.
        return { outcomes, text: yield* prometheusText }
      }).pipe(
        Effect.provide(
          CoreDeliverer.layerFromEnv().pipe(Layer.provide(Layer.merge(SharedThrottle.local, RateLimiters.layer())))
        ),
        Effect.withConfigProvider(ConfigProvider.fromMap(environment(emulator.url))),
        Effect.scoped
      )
    )
    expect(tags(outcomes)).toEqual(["Accepted"])
    expect(text).toContain('uplink_delivery_concurrency{customer_id="1000001"}')
    expect(text).toContain('uplink_delivery_throttles{customer_id="1000001"} 0')
  })

  it("is NotConfigured, naming the missing variables, when MSADS_* settings are absent", async () => {
    const result = await Effect.runPromise(
      Effect.gen(function* () {
        const deliverer = yield* Deliverer
        const outcomes = yield* deliverer.deliver("conversion", [claimed("z", conversion("core-none"))])
        return { readiness: deliverer.readiness, outcomes }
      }).pipe(
        Effect.provide(
          Layer.fresh(
            CoreDeliverer.layerFromEnv().pipe(Layer.provide(Layer.merge(SharedThrottle.local, RateLimiters.layer())))
          )
        ),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["MSADS_CUSTOMER_ID", "1000001"]]))),
        Effect.scoped
      )
    )
    expect(result.readiness._tag).toBe("NotConfigured")
    expect(result.readiness._tag === "NotConfigured" && result.readiness.reason).toMatch(/MSADS_DEVELOPER_TOKEN/)
    expect(tags(result.outcomes)).toEqual(["Retry"])
  })
})

describe("CoreDeliverer.toDeliveryOutcome: a failed record's fate is its cause's row of the retry table", () => {
  const failed = (retry: "now" | "afterWait" | "later" | "never", retryAfterMs: number | null = null) =>
    Outcome.Outcome.Failed({
      line: 1,
      identity: { microsoftClickId: null, conversionName: null, conversionTime: null },
      cause: {
        message: "m",
        trackingId: null,
        code: null,
        errorCode: null,
        kind: "K",
        attempts: 1,
        retry,
        retryAfterMs
      }
    })

  it.each([
    ["now", "Retry"],
    ["afterWait", "Retry"],
    ["later", "Retry"],
    ["never", "Failed"]
  ] as const)("%s → %s", (retry, tag) => {
    expect(CoreDeliverer.toDeliveryOutcome(failed(retry))._tag).toBe(tag)
  })

  it("keeps the service's wait", () => {
    expect(CoreDeliverer.toDeliveryOutcome(failed("afterWait", 5_000))).toMatchObject({
      _tag: "Retry",
      retryAfterMs: Option.some(5_000)
    })
  })
})
