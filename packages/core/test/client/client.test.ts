/**
 * The Promise client against the emulator, over REST and over SOAP: apply and adjust with plain records (Date and
 * text times, raw email), goals, the daily report, `call` of an operation, stopping a run with an AbortSignal while a
 * request is in flight, the errors it throws, and a file streamed by path. The client uses the real clock and the
 * real HTTP client, as a user's program would. The 100,000-record stream is in `largeStream.integration.test.ts`.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { HOUR, randomClickId, waitFor } from "@uplink/emulator/testing"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { createClient, type UplinkClient, UplinkError } from "../../src/client/index.js"
import { ACCESS_TOKEN, DEVELOPER_TOKEN, type Fixture, startFixture } from "../support/Loopback.js"

describe.each(["rest", "soap"] as const)("the Promise client over %s", (transport) => {
  let fixture: Fixture
  let client: UplinkClient
  const make = (overrides: Parameters<typeof createClient>[0] = {}) =>
    createClient({
      developerToken: DEVELOPER_TOKEN,
      customerId: 1000001,
      accountId: 2000002n,
      auth: { accessToken: ACCESS_TOKEN },
      endpoint: fixture.emulator.url,
      transport,
      tokenFile: NodePath.join(fixture.tempDir, "tokens.json"),
      ...overrides
    })

  beforeAll(async () => {
    fixture = await startFixture()
    client = make()
  })
  afterAll(async () => {
    await client?.close()
    await fixture?.stop()
  })

  it("applies plain records and answers one outcome per record, in order, with the summary", async () => {
    fixture.emulator.reset()
    const first = randomClickId()
    const result = await client.applyOfflineConversions([
      { MicrosoftClickId: first, ConversionName: "Offline Purchase", ConversionTime: new Date(Date.now() - HOUR) },
      {
        id: "crm-2",
        ConversionName: "Offline Purchase",
        ConversionTime: new Date(Date.now() - 2 * HOUR).toISOString().replace("Z", "+00:00"),
        ConversionValue: 12.5,
        ConversionCurrencyCode: "EUR",
        Email: " Jane.Doe@Example.com "
      },
      {
        MicrosoftClickId: randomClickId(),
        ConversionName: "Offline Purchase",
        ConversionTime: new Date(Date.now() + HOUR)
      },
      { MicrosoftClickId: first, ConversionName: "Offline Purchase", ConversionTime: new Date(Date.now() - HOUR) }
    ])
    expect(result.outcomes.map((o) => [o.index, o.status, o.code])).toEqual([
      [0, "accepted", null],
      [1, "accepted", null],
      [2, "invalid", 5614],
      [3, "duplicate", null]
    ])
    expect(result.outcomes[1]?.id).toBe("crm-2")
    expect(result.outcomes[2]).toMatchObject({ field: "ConversionTime", errorCode: "FutureConversionTimeCannotBeSet" })
    expect(result.outcomes[3]?.duplicateOf).toBe(1)
    expect(result.summary).toMatchObject({ total: 4, interrupted: false })
    expect(result.summary.byStatus).toMatchObject({ accepted: 2, invalid: 1, duplicate: 1 })
    expect(fixture.emulator.state().accepted).toHaveLength(2)
    expect(JSON.stringify(result)).not.toMatch(/jane/i)
    expect(JSON.stringify(fixture.emulator.state())).not.toMatch(/jane/i)
  })

  it("restates and retracts conversions sent earlier", async () => {
    fixture.emulator.reset()
    const click = randomClickId()
    const time = new Date(Date.now() - 3 * HOUR)
    await client.applyOfflineConversions([
      { MicrosoftClickId: click, ConversionName: "Offline Purchase", ConversionTime: time }
    ])
    const result = await client.applyOfflineConversionAdjustments([
      {
        MicrosoftClickId: click,
        ConversionName: "Offline Purchase",
        ConversionTime: time,
        AdjustmentType: "Restate",
        AdjustmentTime: new Date(Date.now() - HOUR),
        AdjustmentValue: 30,
        AdjustmentCurrencyCode: "USD"
      },
      {
        MicrosoftClickId: click,
        ConversionName: "Offline Purchase",
        ConversionTime: time,
        AdjustmentType: "Delete",
        AdjustmentTime: new Date()
      }
    ])
    expect(result.outcomes.map((o) => [o.status, o.code])).toEqual([
      ["accepted", null],
      ["invalid", 5618]
    ])
    expect(fixture.emulator.state().adjustments).toHaveLength(1)
  })

  it("creates and lists goals, reports the days, and calls any operation with plain values", async () => {
    const name = `Client Goal ${transport} ${randomClickId().slice(0, 6)}`
    const created = await client.goals.create({ name, conversionWindowDays: 7, value: 5, currencyCode: "USD" })
    expect(created.id).toMatch(/^\d+$/)
    const goals = await client.goals.list()
    const goal = goals.find((g) => g.Name === name)
    expect(goal).toMatchObject({ ConversionWindowInMinutes: 7 * 24 * 60, Revenue: { Type: "FixedValue", Value: 5 } })

    const today = new Date()
    const days = await client.report({ from: new Date(today.getTime() - 24 * HOUR), to: today })
    expect(days.reduce((sum, day) => sum + day.successCount, 0)).toBeGreaterThan(0)
    for (const day of days) expect(day.date).toMatch(/^\d{4}-\d{2}-\d{2}$/)

    const byId = await client.call("GetConversionGoalsByIds", {
      ConversionGoalIds: [created.id!],
      ConversionGoalTypes: ["OfflineConversion"],
      ReturnAdditionalFields: null
    })
    expect(byId.response.ConversionGoals?.map((g) => g?.Name)).toEqual([name])
    expect(byId.trackingId).toBeTypeOf("string")
    const applied = await client.call("ApplyOfflineConversions", {
      OfflineConversions: [
        { MicrosoftClickId: randomClickId(), ConversionName: name, ConversionTime: new Date(Date.now() - HOUR) }
      ]
    })
    // The goal is younger than two hours: the service refuses its conversions with 5615.
    expect(applied.response.PartialErrors?.map((e) => e?.Code)).toEqual([5615])
  })

  it("stops a run gently on abort: the request in flight finishes, the records read but not sent are NotSent", async () => {
    fixture.emulator.reset()
    fixture.emulator.setFaults({ latencyMs: 1_500 })
    try {
      const stop = new AbortController()
      const records = Array.from({ length: 6 }, () => ({
        MicrosoftClickId: randomClickId(),
        ConversionName: "Offline Purchase",
        ConversionTime: new Date(Date.now() - HOUR)
      }))
      const running = client.applyOfflineConversions(records, { signal: stop.signal, batchSize: 2, concurrency: 1 })
      // A latency fault counted: the first request has arrived and waits in the emulator, unanswered.
      await waitFor("the first request to be in flight", () => fixture.emulator.state().faultsInjected.latency >= 1)
      stop.abort("stopped by the test")
      const result = await running
      expect(result.outcomes.map((o) => o.status)).toEqual([
        "accepted",
        "accepted",
        "failed",
        "failed",
        "failed",
        "failed"
      ])
      expect(result.outcomes[2]).toMatchObject({ errorCode: "NotSent" })
      expect(result.outcomes[2]?.message).toContain("stopped by the test")
      expect(result.summary.interrupted).toBe(true)
      expect(fixture.emulator.state().accepted).toHaveLength(2)
    } finally {
      fixture.emulator.setFaults({})
    }
  })

  it("throws UplinkError with the reason, codes and retryability", async () => {
    const wrong = make({ auth: { accessToken: "not-the-token" } })
    try {
      const error = await wrong
        .call("GetConversionGoalsByIds", {
          ConversionGoalIds: null,
          ConversionGoalTypes: ["OfflineConversion"],
          ReturnAdditionalFields: null
        })
        .then(
          () => undefined,
          (e: unknown) => e
        )
      expect(error).toBeInstanceOf(UplinkError)
      expect(error).toMatchObject({
        reason: "Authentication",
        codes: [105],
        isRetryable: false,
        operation: "GetConversionGoalsByIds"
      })
      expect(String((error as Error).message)).not.toContain("not-the-token")
    } finally {
      await wrong.close()
    }
    await expect(client.applyOfflineConversions([], { concurrency: 1000 })).rejects.toMatchObject({
      name: "UplinkError",
      reason: "InvalidOptions"
    })
    await expect(
      client.call("GetConversionGoalsByIds", {
        ConversionGoalIds: ["twelve"],
        ConversionGoalTypes: ["OfflineConversion"],
        ReturnAdditionalFields: null
      })
    ).rejects.toMatchObject({ reason: "InvalidRequest", operation: "GetConversionGoalsByIds" })
    const missing = createClient({
      developerToken: DEVELOPER_TOKEN,
      endpoint: fixture.emulator.url,
      auth: { accessToken: ACCESS_TOKEN }
    })
    await expect(missing.goals.list()).rejects.toMatchObject({ reason: "Configuration" })
    await missing.close()
    const closed = make()
    await closed.close()
    await expect(closed.goals.list()).rejects.toBeInstanceOf(UplinkError)
  })

  it("streams a file by path: outcomes carry its lines", async () => {
    fixture.emulator.reset()
    const path = NodePath.join(fixture.tempDir, `input-${transport}.csv`)
    const time = new Date(Date.now() - HOUR).toISOString()
    NodeFs.writeFileSync(
      path,
      `Microsoft Click Id,Conversion Name,Conversion Time\n${randomClickId()},Offline Purchase,${time}\n,Offline Purchase,${time}\n`
    )
    const seen = []
    for await (const outcome of client.streamOfflineConversions(path))
      seen.push([outcome.line, outcome.index, outcome.status])
    expect(seen.sort()).toEqual([
      [2, undefined, "accepted"],
      [3, undefined, "invalid"]
    ])
  })
})
