/**
 * The ledger finds duplicates without writing dedupe keys: `conversionIdentity` and the ledger's field-by-field
 * comparison must agree with `conversionKey`, also when many conversions share a click id or hashed email, and
 * `receivedCounts` must list conversion and adjustment keys in the order they were first received.
 */
import { describe, expect, it } from "@effect/vitest"
import { conversionIdentity, conversionKey } from "../src/domain/DedupeKey.js"
import type { Goal } from "../src/domain/Goals.js"
import { Ledger } from "../src/domain/Ledger.js"
import type { AdjustmentRecord, ConversionRecord } from "../src/domain/Records.js"
import { HOUR_MS } from "../src/domain/Time.js"
import { NOW } from "./fixtures.js"

const goal: Goal = {
  id: 10_000_001n,
  name: "Purchase",
  createdAt: NOW - 3 * HOUR_MS,
  conversionWindowInMinutes: 43_200,
  countType: "All",
  revenue: { type: "NoValue", value: null, currencyCode: null },
  scope: "Account",
  status: "Active",
  goalCategory: null,
  excludeFromBidding: null,
  isExternallyAttributed: false,
  isEnhancedConversionsEnabled: false
}

const record = (fields: Partial<ConversionRecord>): ConversionRecord => ({
  ConversionCurrencyCode: null,
  ConversionName: "Purchase",
  ConversionTime: NOW - HOUR_MS,
  ConversionValue: null,
  ExternalAttributionCredit: null,
  ExternalAttributionModel: null,
  HashedEmailAddress: null,
  HashedPhoneNumber: null,
  MicrosoftClickId: "c1",
  ...fields
})

/**
 * Records whose identifying fields are drawn from pools of texts that look alike when run together, and of times in
 * the same or neighbouring seconds; `narrow` pools make equal keys of records that differ otherwise frequent.
 */
const generated = (count: number, narrow = false): Array<ConversionRecord> => {
  let x = narrow ? 7 : 99
  const next = (n: number) => {
    x = (x * 1103515245 + 12345) % 2147483648
    return Math.floor((x / 2147483648) * n)
  }
  const texts = narrow
    ? [null, "", "1:", "c1"]
    : [null, "", "1", "1:", ":1", "~", "1|", "a", "ab", '"', "[", "c1", "c11", "1:c"]
  const times = [null, 0, 999, 1000, -1, -1000, -1001, NOW, NOW + 999, NOW + 1000]
  return Array.from({ length: count }, () =>
    record({
      ConversionName: texts[next(texts.length)]!,
      ConversionTime: times[next(times.length)]!,
      HashedEmailAddress: texts[next(texts.length)]!,
      HashedPhoneNumber: texts[next(texts.length)]!,
      MicrosoftClickId: texts[next(texts.length)]!,
      ConversionCurrencyCode: [null, "USD", "EUR"][next(3)]!,
      ConversionValue: [null, 0, -0, 2.5, 1e21][next(5)]!,
      ExternalAttributionCredit: [null, 0.25][next(2)]!,
      ExternalAttributionModel: [null, "", "Model"][next(3)]!
    })
  )
}

describe("dedupe key comparisons", () => {
  it("conversionIdentity agrees with conversionKey on generated pairs", () => {
    const records = [...generated(200), ...generated(200, true)]
    const keys = records.map(conversionKey)
    const identities = records.map(conversionIdentity)
    const disagreements: Array<[number, number]> = []
    let equalPairs = 0
    for (let i = 0; i < records.length; i++) {
      for (let j = 0; j < records.length; j++) {
        const same = keys[i] === keys[j]
        if (same && records[i]!.ConversionTime !== records[j]!.ConversionTime) equalPairs++
        if ((identities[i] === identities[j]) !== same) {
          disagreements.push([i, j])
        }
      }
    }
    expect(disagreements).toEqual([])
    expect(equalPairs).toBeGreaterThan(0)
  })
})

describe("Ledger", () => {
  it("accepts each dedupe key once and counts every receipt, also when many conversions share an identifier", () => {
    const ledger = new Ledger()
    const arrival = { transport: "rest" as const, now: NOW }
    const records = [
      ...generated(2_000),
      ...generated(1_000, true),
      ...Array.from({ length: 300 }, (_, i) => record({ ConversionTime: NOW - i * 1000 })),
      ...Array.from({ length: 300 }, (_, i) => record({ ConversionTime: NOW - (i % 150) * 1000 - 500 })),
      ...Array.from({ length: 200 }, (_, i) =>
        record({ MicrosoftClickId: null, HashedEmailAddress: "e", ConversionTime: NOW - (i % 50) * 1000 })
      )
    ]
    const expected = new Map<string, number>()
    const first: Array<ConversionRecord> = []
    for (const r of records) {
      const key = conversionKey(r)
      const isNew = !expected.has(key)
      expected.set(key, (expected.get(key) ?? 0) + 1)
      if (isNew) first.push(r)
      expect(ledger.acceptConversion(r, goal, arrival)).toBe(isNew)
    }
    expect(Object.entries(ledger.receivedCounts())).toEqual([...expected.entries()])
    const accepted = ledger.accepted()
    expect(accepted.map((a) => a.key)).toEqual([...expected.keys()])
    // Each accepted conversion is the first record of its key, field for field (times as ISO text).
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())
    accepted.forEach((a, i) => {
      const {
        key,
        transport,
        receivedAt,
        goalId,
        counted,
        effectiveValue,
        effectiveCurrencyCode,
        adjustedBy,
        ...fields
      } = a
      expect(Object.is(fields.ConversionValue, first[i]!.ConversionValue)).toBe(true)
      expect(fields).toStrictEqual({
        ...first[i]!,
        ConversionTime: iso(first[i]!.ConversionTime)
      })
      expect([transport, receivedAt, goalId, counted, adjustedBy]).toEqual(["rest", iso(NOW), "10000001", true, null])
      expect(effectiveValue).toBe(first[i]!.ConversionValue)
      expect(effectiveCurrencyCode).toBe(first[i]!.ConversionCurrencyCode ?? "USD")
      expect(key).toBe(conversionKey(first[i]!))
    })
  })

  it("lists receive counts in order of first receipt across conversions and adjustments", () => {
    const ledger = new Ledger()
    const arrival = { transport: "soap" as const, now: NOW }
    const adjustment = (fields: Partial<AdjustmentRecord>): AdjustmentRecord => ({
      AdjustmentCurrencyCode: null,
      AdjustmentTime: NOW,
      AdjustmentType: "Retract",
      AdjustmentValue: null,
      ConversionName: "Purchase",
      ConversionTime: NOW - HOUR_MS,
      HashedEmailAddress: null,
      HashedPhoneNumber: null,
      MicrosoftClickId: "c1",
      ...fields
    })
    ledger.acceptAdjustment(adjustment({ MicrosoftClickId: "c0" }), goal, arrival)
    ledger.acceptConversion(record({ MicrosoftClickId: "c1" }), goal, arrival)
    ledger.acceptAdjustment(adjustment({ MicrosoftClickId: "c1" }), goal, arrival)
    ledger.acceptConversion(record({ MicrosoftClickId: "c2" }), goal, arrival)
    ledger.acceptConversion(record({ MicrosoftClickId: "c1" }), goal, arrival)
    ledger.acceptAdjustment(adjustment({ MicrosoftClickId: "c0" }), goal, arrival)
    ledger.acceptAdjustment(adjustment({ MicrosoftClickId: "c3" }), goal, arrival)
    const counts = Object.entries(ledger.receivedCounts())
    const clickOf = (key: string) => {
      const fields = JSON.parse(key) as Array<string | null>
      return fields.length === 5 ? fields[0] : fields[8] // conversion key / adjustment key
    }
    expect(counts.map(([key, n]) => [clickOf(key), n])).toEqual([
      ["c0", 2],
      ["c1", 2],
      ["c1", 1],
      ["c2", 1],
      ["c3", 1]
    ])
    expect(counts[1]![0]).toBe(conversionKey(record({ MicrosoftClickId: "c1" })))
    expect(ledger.accepted().map((a) => [a.MicrosoftClickId, a.adjustedBy])).toEqual([
      ["c1", "Retract"],
      ["c2", null]
    ])
    expect(ledger.adjustments().map((a) => [a.MicrosoftClickId, a.matched])).toEqual([
      ["c0", false],
      ["c1", true],
      ["c3", false]
    ])
  })
})
