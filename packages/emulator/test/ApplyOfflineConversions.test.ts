import type { Schemas } from "@uplink/campaign-management"
import { describe, expect, it } from "@effect/vitest"
import { DAY_MS, HOUR_MS, MINUTE_MS } from "../src/domain/Time.js"
import { CLICK_A, CLICK_B, HASH, NOW, at, codesByIndex, conversion, makeClock, makeService } from "./fixtures.js"

const apply = (
  service: ReturnType<typeof makeService>,
  items: ReadonlyArray<Schemas.OfflineConversion | null> | null,
  transport: "soap" | "rest" = "rest"
) => service.handle("ApplyOfflineConversions", { OfflineConversions: items }, { transport })

const partialErrors = (outcome: ReturnType<typeof apply>) => {
  if (outcome._tag !== "Answered") throw new Error(`refused: ${JSON.stringify(outcome.refusal)}`)
  return outcome.body.PartialErrors ?? []
}

describe("ApplyOfflineConversions rules", () => {
  it("answers one BatchError per broken rule with the item's zero-based Index, in a mixed batch", () => {
    const service = makeService()
    const items: Array<Schemas.OfflineConversion | null> = [
      conversion(), // 0 valid
      null, // 1 5602
      conversion({ ConversionName: "  " }), // 2 5605
      conversion({ ConversionTime: undefined }), // 3 5608
      conversion({ MicrosoftClickId: null }), // 4 5603
      conversion({ ConversionTime: at(NOW + MINUTE_MS) }), // 5 5614
      conversion({ ConversionTime: at(NOW - 91 * DAY_MS) }), // 6 5609
      conversion({ ConversionCurrencyCode: "usd" }), // 7 5611
      conversion({ ConversionValue: -1 }), // 8 5610
      conversion({ ConversionName: "No such goal" }), // 9 5606
      conversion({ ConversionName: "Fresh" }), // 10 5615
      conversion({ MicrosoftClickId: "ffffffff-not-a-click-id" }), // 11 5604 (not well-formed)
      conversion({ ConversionTime: at(NOW - 2 * DAY_MS) }), // 12 5616 (CLICK_A is 1 day old)
      conversion({ ConversionName: "Short", MicrosoftClickId: CLICK_B }), // 13 5617 (2 h after click, window 60 min)
      conversion({ ConversionValue: 99 }), // 14 duplicate of 0: no error
      conversion({ MicrosoftClickId: null, HashedEmailAddress: HASH }) // 15 valid without click
    ]
    const errors = partialErrors(apply(service, items))
    expect(codesByIndex(errors)).toEqual([
      [1, 5602],
      [2, 5605],
      [3, 5608],
      [4, 5603],
      [5, 5614],
      [6, 5609],
      [7, 5611],
      [8, 5610],
      [9, 5606],
      [10, 5615],
      [11, 5604],
      [12, 5616],
      [13, 5617]
    ])
    const first = errors[0]!
    expect(first).toMatchObject({ ErrorCode: "OfflineConversionIsNull", Type: "BatchError" })
    expect(errors.find((e) => e?.Code === 5617)?.FieldPath).toBe("ConversionTime")
    const state = service.state()
    expect(state.accepted.map((a) => a.MicrosoftClickId)).toEqual([CLICK_A, null])
    expect(state.accepted[0]?.ConversionValue).toBe(10)
  })

  it("refuses an empty or null list with 5600 and more than 1,000 items with 5601, as operation errors", () => {
    const service = makeService()
    for (const items of [[], null]) {
      const outcome = apply(service, items)
      expect(outcome).toMatchObject({ _tag: "Refused", refusal: { _tag: "ApiRefusal" } })
      if (outcome._tag === "Refused" && outcome.refusal._tag === "ApiRefusal") {
        expect(outcome.refusal.errors[0]?.error.code).toBe(5600)
      }
    }
    const tooMany = Array.from({ length: 1001 }, (_, i) => conversion({ ConversionTime: at(NOW - HOUR_MS + i) }))
    const outcome = apply(service, tooMany)
    expect(
      outcome._tag === "Refused" && outcome.refusal._tag === "ApiRefusal" && outcome.refusal.errors[0]?.error
    ).toMatchObject({ code: 5601, errorCode: "OfflineConversionsLimitExceeded" })
    const exactly = Array.from({ length: 1000 }, (_, i) => conversion({ ConversionTime: at(NOW - HOUR_MS - i * 1000) }))
    expect(partialErrors(apply(service, exactly))).toEqual([])
    expect(service.state().accepted).toHaveLength(1000)
  })

  it("dedupes on (click, name, time at second precision, email, phone): first wins, no error, counted", () => {
    const service = makeService()
    const base = conversion({ ConversionTime: at(Date.parse("2026-08-01T11:00:00.100Z")) })
    expect(partialErrors(apply(service, [base]))).toEqual([])
    const sameSecond = conversion({ ConversionTime: at(Date.parse("2026-08-01T11:00:00.900Z")), ConversionValue: 50 })
    expect(partialErrors(apply(service, [sameSecond], "soap"))).toEqual([])
    const otherSecond = conversion({ ConversionTime: at(Date.parse("2026-08-01T11:00:01.000Z")) })
    const withEmail = conversion({ ...base, HashedEmailAddress: HASH })
    expect(partialErrors(apply(service, [otherSecond, withEmail]))).toEqual([])
    const state = service.state()
    expect(state.accepted).toHaveLength(3)
    expect(state.accepted[0]).toMatchObject({ ConversionValue: 10, transport: "rest" })
    const key = JSON.stringify([CLICK_A, "Purchase", "2026-08-01T11:00:00Z", null, null])
    expect(state.accepted[0]?.key).toBe(key)
    expect(state.receivedCounts[key]).toBe(2)
  })

  it("applies the goal's revenue when the conversion has none, and the account currency for Account scope", () => {
    const service = makeService()
    apply(service, [
      conversion({ ConversionValue: null, ConversionCurrencyCode: null }),
      conversion({
        ConversionName: "NoCurrency",
        ConversionValue: 3,
        ConversionCurrencyCode: undefined,
        ConversionTime: at(NOW - 2 * HOUR_MS)
      })
    ])
    const [purchase, noCurrency] = service.state().accepted
    expect(purchase).toMatchObject({ effectiveValue: 5, effectiveCurrencyCode: "USD" })
    expect(noCurrency).toMatchObject({ effectiveValue: 3, effectiveCurrencyCode: "USD" })
  })

  it("counts only the first conversion after a click for a CountType Unique goal", () => {
    const service = makeService()
    apply(service, [
      conversion({ ConversionName: "Unique", ConversionTime: at(NOW - 2 * HOUR_MS) }),
      conversion({ ConversionName: "Unique", ConversionTime: at(NOW - HOUR_MS) }),
      conversion({ ConversionName: "Purchase", ConversionTime: at(NOW - HOUR_MS) }),
      conversion({ ConversionName: "Purchase", ConversionTime: at(NOW - 2 * HOUR_MS) })
    ])
    expect(service.state().accepted.map((a) => [a.ConversionName, a.counted])).toEqual([
      ["Unique", true],
      ["Unique", false],
      ["Purchase", true],
      ["Purchase", true]
    ])
  })

  it("accepts conversions for a goal exactly two hours old, and refuses 5615 one minute earlier", () => {
    const time = makeClock(NOW)
    const service = makeService({ clock: time.clock })
    service.registerGoals([{ name: "New", createdAt: NOW }])
    const item = conversion({ ConversionName: "New", ConversionTime: at(NOW - 10 * MINUTE_MS) })
    time.set(NOW + 2 * HOUR_MS - MINUTE_MS)
    expect(codesByIndex(partialErrors(apply(service, [item])))).toEqual([[0, 5615]])
    time.set(NOW + 2 * HOUR_MS)
    expect(partialErrors(apply(service, [item]))).toEqual([])
  })

  it("in demo mode accepts any 32-hex click id with a click one minute before the conversion", () => {
    const service = makeService({ demo: true })
    const errors = partialErrors(
      apply(service, [
        conversion({ MicrosoftClickId: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" }),
        conversion({ MicrosoftClickId: "not-a-click-id" }),
        conversion({ ConversionName: "Short", MicrosoftClickId: "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" })
      ])
    )
    expect(codesByIndex(errors)).toEqual([[1, 5604]])
    expect(makeService().clicks.clickTime("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NOW)).toBeUndefined()
  })

  it("judges the conversion window inclusively: exactly the window after the click is inside", () => {
    const service = makeService()
    const clickAt = NOW - 5 * HOUR_MS
    service.registerClicks({ edgeclick: new Date(clickAt).toISOString() })
    const inside = conversion({
      ConversionName: "Short",
      MicrosoftClickId: "edgeclick",
      ConversionTime: at(clickAt + HOUR_MS)
    })
    const outside = conversion({
      ConversionName: "Short",
      MicrosoftClickId: "edgeclick",
      ConversionTime: at(clickAt + HOUR_MS + 1000)
    })
    const atClick = conversion({ ConversionName: "Short", MicrosoftClickId: "edgeclick", ConversionTime: at(clickAt) })
    expect(codesByIndex(partialErrors(apply(service, [inside, outside, atClick])))).toEqual([
      [1, 5617],
      [2, 5616]
    ])
  })
})
