import type { Schemas } from "@uplink/campaign-management"
import { describe, expect, it } from "@effect/vitest"
import { DAY_MS, HOUR_MS, MINUTE_MS } from "../src/domain/Time.js"
import { CLICK_A, NOW, adjustment, at, codesByIndex, conversion, makeService } from "./fixtures.js"

const adjust = (
  service: ReturnType<typeof makeService>,
  items: ReadonlyArray<Schemas.OfflineConversionAdjustment | null> | null
) => service.handle("ApplyOfflineConversionAdjustments", { OfflineConversionAdjustments: items }, { transport: "soap" })

const partialErrors = (outcome: ReturnType<typeof adjust>) => {
  if (outcome._tag !== "Answered") throw new Error(`refused: ${JSON.stringify(outcome.refusal)}`)
  return outcome.body.PartialErrors ?? []
}

describe("ApplyOfflineConversionAdjustments rules", () => {
  it("answers the documented code per broken rule with the item's Index", () => {
    const service = makeService()
    service.handle("ApplyOfflineConversions", { OfflineConversions: [conversion()] }, { transport: "rest" })
    const retract = adjustment({ AdjustmentType: "Retract", AdjustmentValue: null, AdjustmentCurrencyCode: null })
    const items: Array<Schemas.OfflineConversionAdjustment | null> = [
      adjustment(), // 0 valid Restate
      null, // 1 5602
      adjustment({ AdjustmentType: "Cancel" }), // 2 5618
      adjustment({ AdjustmentType: null }), // 3 5618
      adjustment({ AdjustmentTime: undefined }), // 4 5619
      adjustment({ AdjustmentTime: at(NOW - 2 * HOUR_MS) }), // 5 5620 (conversion was 1 h ago)
      adjustment({ AdjustmentTime: at(NOW + MINUTE_MS) }), // 6 5622
      adjustment({ AdjustmentTime: at(NOW - 91 * DAY_MS) }), // 7 5623
      { ...retract, AdjustmentValue: 1 }, // 8 5624
      adjustment({ AdjustmentValue: null }), // 9 5625
      adjustment({ ConversionName: "NoCurrency", AdjustmentCurrencyCode: null }), // 10 5626
      adjustment({ AdjustmentCurrencyCode: "XXX" }), // 11 5611
      adjustment({ ConversionName: null }), // 12 5605
      adjustment({ ConversionTime: undefined }), // 13 5608
      adjustment({ ConversionName: "Unknown goal" }), // 14 5606
      adjustment({ MicrosoftClickId: "nope" }), // 15 5604
      adjustment({ ConversionTime: at(NOW + MINUTE_MS), AdjustmentTime: at(NOW) }), // 16 5614
      retract // 17 valid Retract
    ]
    expect(codesByIndex(partialErrors(adjust(service, items)))).toEqual([
      [1, 5602],
      [2, 5618],
      [3, 5618],
      [4, 5619],
      [5, 5620],
      [6, 5622],
      [7, 5623],
      [8, 5624],
      [9, 5625],
      [10, 5626],
      [11, 5611],
      [12, 5605],
      [13, 5608],
      [14, 5606],
      [15, 5604],
      [16, 5614]
    ])
    const state = service.state()
    expect(state.adjustments.map((a) => [a.AdjustmentType, a.matched])).toEqual([
      ["Restate", true],
      ["Retract", true]
    ])
    expect(state.accepted[0]?.adjustedBy).toBe("Retract")
  })

  it("refuses a second adjustment of a retracted conversion with 5627", () => {
    const service = makeService()
    service.handle("ApplyOfflineConversions", { OfflineConversions: [conversion()] }, { transport: "rest" })
    const retract = adjustment({ AdjustmentType: "Retract", AdjustmentValue: null })
    expect(partialErrors(adjust(service, [retract]))).toEqual([])
    const restate = adjustment({ AdjustmentTime: at(NOW - 10 * MINUTE_MS) })
    expect(codesByIndex(partialErrors(adjust(service, [restate])))).toEqual([[0, 5627]])
    // The same Retract again (a resent batch) is a duplicate, not a second adjustment.
    expect(partialErrors(adjust(service, [retract]))).toEqual([])
    expect(service.state().receivedCounts[service.state().adjustments[0]!.key]).toBe(2)
  })

  it("ignores an identical adjustment (the whole record is the key) and records unmatched originals", () => {
    const service = makeService()
    const restate = adjustment({ MicrosoftClickId: CLICK_A })
    expect(partialErrors(adjust(service, [restate, restate]))).toEqual([])
    expect(partialErrors(adjust(service, [restate, adjustment({ AdjustmentValue: 8 })]))).toEqual([])
    const state = service.state()
    expect(state.adjustments).toHaveLength(2)
    expect(state.adjustments.every((a) => !a.matched)).toBe(true)
    expect(state.receivedCounts[state.adjustments[0]!.key]).toBe(3)
  })

  it("refuses an empty list with 5600 and more than 1,000 items with 5601", () => {
    const service = makeService()
    const codeOf = (outcome: ReturnType<typeof adjust>) =>
      outcome._tag === "Refused" && outcome.refusal._tag === "ApiRefusal" ? outcome.refusal.errors[0]?.error.code : -1
    expect(codeOf(adjust(service, []))).toBe(5600)
    expect(
      codeOf(
        adjust(
          service,
          Array.from({ length: 1001 }, () => adjustment())
        )
      )
    ).toBe(5601)
  })
})
