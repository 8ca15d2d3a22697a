import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { HOUR_MS } from "../src/domain/Time.js"
import type { RunningEmulator } from "../src/Server.js"
import { NOW, at, conversion } from "./fixtures.js"
import { admin, restCall, soapCall, startEmulator } from "./http.js"

let emulator: RunningEmulator

beforeAll(async () => {
  emulator = await startEmulator({ seed: undefined })
})
afterAll(() => emulator.stop())

describe("admin API", () => {
  it("registers clicks and goals, reports what was accepted with receive counts, and resets", async () => {
    const clicks = await admin(emulator.url, "clicks", {
      aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: new Date(NOW - 5 * HOUR_MS).toISOString()
    })
    expect(clicks).toEqual({ status: 200, json: { registered: 1 } })
    const goals = await admin(emulator.url, "goals", [
      { name: "Admin goal", createdAt: new Date(NOW - 3 * HOUR_MS).toISOString(), countType: "Unique" },
      { name: "Undated goal" }
    ])
    expect(goals.status).toBe(200)
    expect(goals.json.map((g: any) => [g.name, g.countType, typeof g.id])).toEqual([
      ["Admin goal", "Unique", "string"],
      ["Undated goal", "All", "string"]
    ])
    const item = conversion({ ConversionName: "Admin goal", MicrosoftClickId: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" })
    await soapCall(emulator.url, "ApplyOfflineConversions", { OfflineConversions: [item] })
    await restCall(emulator.url, "ApplyOfflineConversions", { OfflineConversions: [item, item] })
    const { json: state } = await admin(emulator.url, "state")
    expect(state.requests).toBe(2)
    expect(state.requestsByOp).toEqual({ ApplyOfflineConversions: 2 })
    expect(state.accepted).toHaveLength(1)
    expect(state.accepted[0]).toMatchObject({
      transport: "soap",
      ConversionName: "Admin goal",
      ConversionTime: new Date(NOW - HOUR_MS).toISOString(),
      MicrosoftClickId: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      HashedEmailAddress: null
    })
    expect(state.receivedCounts).toEqual({ [state.accepted[0].key]: 3 })
    expect(state.faultsInjected).toEqual({
      latency: 0,
      rateLimit: 0,
      failure: 0,
      dropAfterApply: 0,
      faultHttp200: 0,
      garbage: 0,
      tokenExpired: 0
    })
    expect(await admin(emulator.url, "reset", {})).toEqual({ status: 200, json: { reset: true } })
    const { json: after } = await admin(emulator.url, "state")
    expect([after.requests, after.accepted, after.receivedCounts]).toEqual([0, [], {}])
    expect(after.goals.map((g: any) => g.name)).toEqual(["Admin goal", "Undated goal"])
    expect(after.clicks).toBe(1)
    const again = await restCall(emulator.url, "ApplyOfflineConversions", {
      OfflineConversions: [
        item,
        conversion({
          ConversionName: "Undated goal",
          ConversionTime: at(NOW - 2 * HOUR_MS),
          MicrosoftClickId: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        })
      ]
    })
    expect(JSON.parse(again.text).PartialErrors).toEqual([])
  })

  it("refuses bodies that are not what the route takes, naming the problem", async () => {
    expect(await admin(emulator.url, "clicks", { abc: "yesterday" })).toMatchObject({ status: 400 })
    const goal = await admin(emulator.url, "goals", [{ name: "x", conversionWindowInMinutes: 0 }])
    expect(goal.status).toBe(400)
    expect(goal.json.error).toMatch(/conversionWindowInMinutes/)
    const unknown = await admin(emulator.url, "goals", [{ name: "x", colour: "red" }])
    expect(unknown.status).toBe(400)
    const notJson = await fetch(`${emulator.url}/__emulator/faults`, { method: "POST", body: "{" })
    expect(notJson.status).toBe(400)
  })
})
