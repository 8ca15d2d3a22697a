import { DateTime, Equal, Hash } from "effect"
import { describe, expect, it } from "vitest"
import { fastUtcIsFaithful, makeUtc } from "../src/internal/utc.js"

const instants = [0, -0, 1, -1, 1_764_000_000_123, -62_135_596_800_000, 253_402_300_799_999, 8.64e15, -8.64e15]

describe("makeUtc", () => {
  it("applies to the Effect version installed (its Utc values own exactly epochMillis and partsUtc)", () => {
    expect(fastUtcIsFaithful).toBe(true)
  })

  it("makes values that Effect cannot tell from its own", () => {
    for (const ms of instants) {
      const ours = makeUtc(ms)
      const effects = DateTime.unsafeMake(ms)
      expect(DateTime.isDateTime(ours)).toBe(true)
      expect(DateTime.isUtc(ours)).toBe(true)
      expect(ours).toStrictEqual(effects)
      expect(Object.keys(ours)).toEqual(Object.keys(effects))
      expect(Object.getPrototypeOf(Object.getPrototypeOf(ours))).toBe(Object.getPrototypeOf(effects))
      expect((ours as { constructor: unknown }).constructor).toBe((effects as { constructor: unknown }).constructor)
      expect(Equal.equals(ours, effects)).toBe(true)
      expect(Equal.equals(effects, ours)).toBe(true)
      expect(Hash.hash(ours)).toBe(Hash.hash(effects))
      expect(JSON.stringify(ours)).toBe(JSON.stringify(effects))
      expect(String(ours)).toBe(String(effects))
      expect(DateTime.formatIso(ours)).toBe(DateTime.formatIso(effects))
      expect(DateTime.toEpochMillis(ours)).toBe(DateTime.toEpochMillis(effects))
      expect(Object.is(DateTime.toEpochMillis(ours), 0) || ms !== 0).toBe(true)
    }
  })

  it("keeps Effect's parts cache per value (set by toParts, read back, never shared)", () => {
    const a = makeUtc(1_764_000_000_123)
    const b = makeUtc(0)
    expect(DateTime.toPartsUtc(a)).toEqual(DateTime.toPartsUtc(DateTime.unsafeMake(1_764_000_000_123)))
    expect(DateTime.toPartsUtc(a)).toBe(DateTime.toPartsUtc(a))
    expect(DateTime.toPartsUtc(b).year).toBe(1970)
    expect(DateTime.toPartsUtc(a).year).toBe(2025)
    expect(Object.keys(a)).toEqual(["epochMillis"])
    expect(DateTime.format(DateTime.setZone(a, DateTime.zoneMakeOffset(5.5 * 3_600_000)), { timeZone: "UTC" })).toBe(
      DateTime.format(
        DateTime.setZone(DateTime.unsafeMake(1_764_000_000_123), DateTime.zoneMakeOffset(5.5 * 3_600_000)),
        {
          timeZone: "UTC"
        }
      )
    )
  })

  it("refuses what unsafeMake refuses and rounds what it rounds", () => {
    expect(() => makeUtc(Number.NaN)).toThrow()
    expect(() => makeUtc(8.64e15 + 1)).toThrow()
    expect(() => makeUtc(Number.POSITIVE_INFINITY)).toThrow()
    expect(makeUtc(1.7)).toStrictEqual(DateTime.unsafeMake(1.7))
  })
})
