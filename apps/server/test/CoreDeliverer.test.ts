/**
 * The production `Deliverer` (core's pipeline over `CampaignManagement`) against the emulator: outcomes map back to
 * records, a 117 is counted and waited out, refused credentials keep records for later instead of failing them, and
 * missing `MSADS_*` settings make the deliverer `NotConfigured` instead of stopping the server.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import type { RunningEmulator } from "@uplink/emulator"
import { emulatorEnv, startEmulator } from "@uplink/emulator/testing"
import { ConfigProvider, Effect, Layer, Metric, Option } from "effect"
import * as CoreDeliverer from "../src/CoreDeliverer.js"
import { SharedThrottle } from "../src/SharedThrottle.js"
import { Deliverer, type DeliveryOutcome } from "../src/Deliverer.js"
import type { ClaimedRecord } from "../src/Outbox.js"
import { rateLimited } from "../src/ServerMetrics.js"
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
      Effect.provide(CoreDeliverer.layerFromEnv(options).pipe(Layer.provide(SharedThrottle.local))),
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

  it("is NotConfigured, naming the missing variables, when MSADS_* settings are absent", async () => {
    const result = await Effect.runPromise(
      Effect.gen(function* () {
        const deliverer = yield* Deliverer
        const outcomes = yield* deliverer.deliver("conversion", [claimed("z", conversion("core-none"))])
        return { readiness: deliverer.readiness, outcomes }
      }).pipe(
        Effect.provide(Layer.fresh(CoreDeliverer.layerFromEnv().pipe(Layer.provide(SharedThrottle.local)))),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["MSADS_CUSTOMER_ID", "1000001"]]))),
        Effect.scoped
      )
    )
    expect(result.readiness._tag).toBe("NotConfigured")
    expect(result.readiness._tag === "NotConfigured" && result.readiness.reason).toMatch(/MSADS_DEVELOPER_TOKEN/)
    expect(tags(result.outcomes)).toEqual(["Retry"])
  })
})
