import { describe, expect, it } from "@effect/vitest"
import { DateTime } from "effect"
import { DAY_MS, HOUR_MS } from "../src/domain/Time.js"
import { NOW, adjustment, at, conversion, makeClock, makeService } from "./fixtures.js"

describe("GetOfflineConversionReports", () => {
  it("answers daily success and failure counts of what was actually received, per UTC upload day", () => {
    const time = makeClock()
    const service = makeService({ clock: time.clock })
    const apply = (items: Parameters<typeof conversion>[0][]) =>
      service.handle("ApplyOfflineConversions", { OfflineConversions: items.map(conversion) }, { transport: "rest" })
    apply([{}, {}, { ConversionName: "nope" }]) // day 1: 2 success (1 duplicate), 1 failure
    service.handle(
      "ApplyOfflineConversionAdjustments",
      { OfflineConversionAdjustments: [adjustment(), adjustment({ AdjustmentType: "Bad" })] },
      { transport: "soap" }
    ) // day 1: +1 success, +1 failure
    service.handle("ApplyOfflineConversions", { OfflineConversions: [] }, { transport: "rest" }) // refused: not counted
    time.advance(DAY_MS)
    apply([{ ConversionTime: at(NOW + DAY_MS - HOUR_MS) }]) // day 2: 1 success
    const report = (from: number, to: number) => {
      const outcome = service.handle(
        "GetOfflineConversionReports",
        { StartDateUtc: at(from), EndDateUtc: at(to) },
        { transport: "rest" }
      )
      if (outcome._tag !== "Answered") throw new Error("refused")
      return (outcome.body.DailySummaries ?? []).map((d) => [
        d?.UploadDate ? DateTime.formatIsoDateUtc(d.UploadDate) : null,
        d?.SuccessCount,
        d?.FailureCount
      ])
    }
    expect(report(NOW - 7 * DAY_MS, NOW + DAY_MS)).toEqual([
      ["2026-08-01", 3, 2],
      ["2026-08-02", 1, 0]
    ])
    expect(report(NOW + DAY_MS, NOW + DAY_MS)).toEqual([["2026-08-02", 1, 0]])
    expect(report(NOW - 7 * DAY_MS, NOW - DAY_MS)).toEqual([])
  })

  it("refuses a missing or reversed date range with 113", () => {
    const service = makeService()
    const code = (outcome: ReturnType<typeof service.handle<"GetOfflineConversionReports">>) =>
      outcome._tag === "Refused" && outcome.refusal._tag === "ApiRefusal" ? outcome.refusal.errors[0]?.error.code : 0
    expect(code(service.handle("GetOfflineConversionReports", { StartDateUtc: at(NOW) }, { transport: "rest" }))).toBe(
      113
    )
    expect(
      code(
        service.handle(
          "GetOfflineConversionReports",
          { StartDateUtc: at(NOW), EndDateUtc: at(NOW - DAY_MS) },
          { transport: "rest" }
        )
      )
    ).toBe(113)
  })
})
