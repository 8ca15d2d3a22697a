/**
 * The sample-value generator (`@uplink/campaign-management/testing`): deterministic, fills every field, picks derived
 * types, goes beyond 2^53, terminates on every wire type, and puts nils where asked.
 */
import { DateTime } from "effect"
import { describe, expect, it } from "vitest"
import { wireTypes } from "../src/index.js"
import { sampleRequest, sampleResponse, sampleValue } from "../src/testing/samples.js"

const walk = (value: unknown, visit: (v: unknown) => void): void => {
  visit(value)
  if (Array.isArray(value)) for (const item of value) walk(item, visit)
  else if (typeof value === "object" && value !== null && !DateTime.isDateTime(value)) {
    for (const v of Object.values(value)) walk(v, visit)
  }
}

describe("sample values", () => {
  it("are deterministic, and change with the seed", () => {
    expect(sampleRequest("ApplyOfflineConversions")).toStrictEqual(sampleRequest("ApplyOfflineConversions"))
    expect(sampleRequest("ApplyOfflineConversions", { seed: 1 })).not.toStrictEqual(
      sampleRequest("ApplyOfflineConversions")
    )
  })

  it("fill every field, optional ones included", () => {
    const conversions = sampleRequest("ApplyOfflineConversions").OfflineConversions!
    expect(conversions).toHaveLength(2)
    for (const conversion of conversions) {
      expect(Object.keys(conversion!).sort()).toEqual(
        wireTypes.OfflineConversion!.kind === "struct"
          ? wireTypes.OfflineConversion!.fields.map((f) => f.name).sort()
          : []
      )
    }
  })

  it("pick every derived type of a polymorphic array, with Type set to the REST discriminator", () => {
    const goals = sampleResponse("GetConversionGoalsByIds").ConversionGoals!
    expect(goals.map((goal) => goal?._tag)).toEqual([
      "ConversionGoal",
      "UrlGoal",
      "DurationGoal",
      "PagesViewedPerVisitGoal",
      "EventGoal",
      "AppInstallGoal",
      "OfflineConversionGoal",
      "InStoreTransactionGoal"
    ])
    expect(goals.find((goal) => goal?._tag === "OfflineConversionGoal")?.Type).toEqual(["OfflineConversion"])
  })

  it("use longs beyond 2^53, dateTimes, enums and multi-value lists", () => {
    const seen = { bigLong: false, dateTime: false }
    walk(sampleResponse("GetConversionGoalsByIds"), (v) => {
      if (typeof v === "bigint" && (v > 2n ** 53n || v < -(2n ** 53n))) seen.bigLong = true
    })
    walk(sampleRequest("GetOfflineConversionReports"), (v) => {
      if (DateTime.isDateTime(v)) seen.dateTime = true
    })
    expect(seen).toEqual({ bigLong: true, dateTime: true })
    expect(sampleRequest("GetConversionGoalsByIds").ConversionGoalTypes).toHaveLength(2)
  })

  it("put nils on nillable fields and null items in nillable arrays when asked", () => {
    const plain = sampleResponse("ApplyOfflineConversions")
    const nils = sampleResponse("ApplyOfflineConversions", { nils: true })
    let nulls = 0
    walk(plain, (v) => {
      if (v === null) nulls++
    })
    expect(nulls).toBe(0)
    expect(nils.PartialErrors).toContain(null)
    expect(Object.values(nils.PartialErrors!.find((e) => e !== null)!)).toContain(null)
  })

  it("terminate on every wire type (recursion goes one level deep)", () => {
    for (const type of Object.keys(wireTypes)) {
      expect(() => sampleValue(type)).not.toThrow()
      expect(
        JSON.stringify(sampleValue(type, { nils: true }), (_, v) => (typeof v === "bigint" ? String(v) : v)).length
      ).toBeLessThan(200_000)
    }
  })
})
