import { describe, expect, it } from "@effect/vitest"
import { DedupeTable } from "../../src/internal/dedupeTable.js"
import { KeyUnits } from "../../src/internal/keyUnits.js"
import { murmur128, murmur128Units } from "../../src/internal/murmur3.js"
import * as Dedupe from "../../src/pipeline/dedupe.js"
import * as Validate from "../../src/pipeline/validate.js"
import type { FieldValues } from "../../src/pipeline/columns.js"
import { NOW, clickId, hoursAgo } from "./support.js"

const prepared = (values: FieldValues, line = 1) => {
  const result = Validate.prepareConversion({ line, values }, { nowMs: NOW, time: {} })
  if (Validate.isOutcome(result) || result._tag !== "Conversion") throw new Error("expected a valid record")
  return result
}

const key = (values: FieldValues) => Dedupe.conversionKey(prepared(values))
const base = { MicrosoftClickId: clickId(1), ConversionName: "Goal", ConversionTime: "2025-06-15T08:00:00Z" }

describe("dedupe key", () => {
  it("is the service's key: click id, name, time at second precision, hashed email and phone", () => {
    expect(key({ ...base, ConversionTime: "2025-06-15T08:00:00.900Z" })).toBe(key(base))
    expect(key({ ...base, ConversionTime: "2025-06-15T10:00:00+02:00" })).toBe(key(base))
    expect(key({ ...base, ConversionValue: "99", ConversionCurrencyCode: "EUR" })).toBe(key(base))
    expect(key({ ...base, ConversionTime: "2025-06-15T08:00:01Z" })).not.toBe(key(base))
    expect(key({ ...base, ConversionName: "goal" })).not.toBe(key(base))
    expect(key({ ...base, Email: "a@b.c" })).not.toBe(key(base))
    expect(key({ ...base, Email: "A@B.C " })).toBe(key({ ...base, Email: "a@b.c" }))
  })

  it("for adjustments is the whole record", () => {
    const adjustment = (values: FieldValues) => {
      const result = Validate.prepareAdjustment(
        { line: 1, values: { ...base, AdjustmentType: "Restate", AdjustmentTime: hoursAgo(1), ...values } },
        { nowMs: NOW, time: {} }
      )
      if (Validate.isOutcome(result) || result._tag !== "Adjustment") throw new Error("expected a valid record")
      return Dedupe.adjustmentKey(result)
    }
    const restate = { AdjustmentValue: "5", AdjustmentCurrencyCode: "USD" }
    expect(adjustment(restate)).toBe(adjustment({ ...restate }))
    expect(adjustment(restate)).not.toBe(adjustment({ ...restate, AdjustmentValue: "6" }))
    expect(adjustment(restate)).not.toBe(adjustment({ ...restate, AdjustmentTime: hoursAgo(2) }))
  })
})

describe("KeyUnits", () => {
  it("writes length-prefixed fields, ~ for absent ones, and numbers as String() writes them", () => {
    const key = new KeyUnits()
    key.reset().raw("m").text("ab").text(null).text("").number(0).number(1_234_567_890_123).number(-5).number(0.25)
    expect(key.toString()).toBe("m2:ab~0:1:013:12345678901232:-54:0.25")
    key.reset().text("Café ✓ 😀".repeat(100))
    expect(key.toString()).toBe(`${"Café ✓ 😀".length * 100}:${"Café ✓ 😀".repeat(100)}`)
  })

  it("hashes to the same fingerprint as the key text, so the table treats both alike", () => {
    const record = prepared({ ...base, Email: "a@b.c", ConversionValue: "3" })
    const units = Dedupe.writeConversionKey(new KeyUnits(), record)
    const fromUnits = new Uint32Array(4)
    const fromText = new Uint32Array(4)
    murmur128Units(units.units, units.length, fromUnits)
    murmur128(Dedupe.conversionKey(record), fromText)
    expect([...fromUnits]).toEqual([...fromText])
    const table = new DedupeTable()
    expect(table.firstSeen(units, 7)).toBe(0)
    expect(table.firstSeen(Dedupe.conversionKey(record), 8)).toBe(7)
  })
})

describe("murmur128", () => {
  it("matches the reference MurmurHash3 x86_128 of the UTF-16LE bytes (vectors from the mmh3 reference)", () => {
    const hex = (text: string) => {
      const out = new Uint32Array(4)
      murmur128(text, out)
      return [...out].map((word) => word.toString(16))
    }
    expect(hex("")).toEqual(["0", "0", "0", "0"])
    expect(hex("a")).toEqual(["33bb196", "ccef4fe1", "ccef4fe1", "ccef4fe1"])
    expect(hex("hello")).toEqual(["498e4989", "6c081b48", "2cf3f74", "2cf72941"])
    expect(hex("hello world!")).toEqual(["5f7b301f", "2697d815", "2119f4f2", "a346deaf"])
    expect(hex("Café – 日本")).toEqual(["99470e0a", "e707888e", "af081d72", "45e86bf3"])
    expect(hex("x".repeat(37))).toEqual(["3faef66b", "b3406f76", "74d7a31e", "d257b4df"])
  })
})

describe("DedupeTable", () => {
  it("returns 0 for a new key and the first line for a repeat", () => {
    const table = new DedupeTable()
    expect(table.firstSeen("a", 3)).toBe(0)
    expect(table.firstSeen("b", 4)).toBe(0)
    expect(table.firstSeen("a", 9)).toBe(3)
    expect(table.firstSeen("a", 10)).toBe(3)
    expect(table.size).toBe(2)
  })

  it("reserve sizes the table once, exactly, for the keys to come and keeps the keys it has", () => {
    const table = new DedupeTable()
    expect(table.firstSeen("before", 1)).toBe(0)
    table.reserve(50_000)
    const reserved = table.bytes
    expect(reserved).toBeGreaterThanOrEqual(Math.ceil(50_000 / 0.8) * 16)
    // Exactly the size needed, not rounded up to a power of two (that was up to twice the memory on large files).
    expect(reserved).toBeLessThanOrEqual((Math.ceil(50_000 / 0.8) + 1) * 16)
    for (let i = 2; i <= 50_000; i++) expect(table.firstSeen(`key ${i}`, i)).toBe(0)
    expect(table.bytes).toBe(reserved)
    expect(table.firstSeen("before", 99)).toBe(1)
    expect(table.firstSeen("key 777", 99)).toBe(777)
    table.reserve(10)
    expect(table.bytes).toBe(reserved)
  })

  it("release frees its buffer at once (detached, not left to the garbage collector) and refuses later use", () => {
    const table = new DedupeTable()
    table.reserve(50_000)
    expect(table.firstSeen("a", 1)).toBe(0)
    // The buffer the table holds (private): once released, it must be detached, its bytes freed at once.
    const buffer = (table as unknown as { readonly slots: Uint32Array }).slots.buffer
    expect(buffer.byteLength).toBeGreaterThan(50_000 * 16)
    table.release()
    expect(buffer.byteLength).toBe(0)
    expect(table.bytes).toBe(0)
    expect(table.size).toBe(0)
    expect(() => table.firstSeen("a", 2)).toThrow("DedupeTable: used after release")
  })

  it("grows and keeps every key through growth, at 16 bytes a slot", () => {
    const table = new DedupeTable()
    const n = 100_000
    let newKeys = 0
    for (let i = 1; i <= n; i++) if (table.firstSeen(`k${i}`, i) === 0) newKeys++
    expect(newKeys).toBe(n)
    const repeats: Array<number> = []
    for (let i = 1; i <= n; i += 997) repeats.push(table.firstSeen(`k${i}`, n + i))
    expect(repeats).toEqual(Array.from({ length: repeats.length }, (_, k) => 1 + k * 997))
    expect(table.size).toBe(n)
    expect(table.bytes).toBeLessThanOrEqual(Math.ceil(n / 0.4) * 16 * 2)
    expect(table.bytes / n).toBeLessThan(48)
  })
})
