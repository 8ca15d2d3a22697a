/**
 * Scalars on the wire: numbers in plain decimal notation (no exponent, -0 kept, NaN/Infinity refused), dateTime in
 * UTC with Z, and the XSD lexical forms accepted when reading.
 */
import { DateTime } from "effect"
import { describe, expect, it } from "vitest"
import { EncodeFailure } from "../src/codec/errors.js"
import { formatDateTime, formatNumber, parseDateTime, parseDecimalText, utcFromMillis } from "../src/codec/scalars.js"

const XSD_DOUBLE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/
const XSD_DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/

describe("formatNumber", () => {
  it.each([
    [0, "0"],
    [-0, "-0"],
    [10, "10"],
    [12.5, "12.5"],
    [-3.25, "-3.25"],
    [1e21, "1000000000000000000000"],
    [1.5e22, "15000000000000000000000"],
    [-2e21, "-2000000000000000000000"],
    [1e-7, "0.0000001"],
    [1.25e-8, "0.0000000125"],
    [123456789.123, "123456789.123"],
    [0.1 + 0.2, "0.30000000000000004"]
  ])("writes %s as %s", (n, text) => {
    expect(formatNumber(n)).toBe(text)
  })

  it("writes every value as a plain decimal that reads back to the same number", () => {
    const values = [
      5e-324,
      2.2250738585072014e-308,
      1.7976931348623157e308,
      Math.PI * 1e100,
      1 / 3,
      2 ** 53 + 2,
      -1e-300
    ]
    for (const n of values) {
      const text = formatNumber(n)
      expect(text).toMatch(XSD_DECIMAL)
      expect(text).toMatch(XSD_DOUBLE)
      expect(Number(text)).toBe(n)
    }
  })

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])("refuses %s", (n) => {
    expect(() => formatNumber(n)).toThrow(EncodeFailure)
  })
})

describe("parseDecimalText", () => {
  it("reads the XSD lexical forms, exponent included for xs:double", () => {
    expect(parseDecimalText("1E21", false)).toBe(1e21)
    expect(parseDecimalText("-0", false)).toBe(-0)
    expect(parseDecimalText(".5", true)).toBe(0.5)
    expect(parseDecimalText("+3.", true)).toBe(3)
  })

  it.each(["INF", "NaN", "-INF", "1e400", "", "0x10", "1,5", "1e5"])(
    "refuses %j (finite only; no exponent in xs:decimal)",
    (text) => {
      expect(typeof parseDecimalText(text, text === "1e5")).toBe("string")
    }
  )
})

describe("dateTime", () => {
  it("writes UTC with Z, milliseconds only when not zero", () => {
    expect(formatDateTime(DateTime.unsafeMake(Date.UTC(2026, 7, 1, 17, 2, 35)))).toBe("2026-08-01T17:02:35Z")
    expect(formatDateTime(DateTime.unsafeMake(Date.UTC(2026, 7, 1, 17, 2, 35, 7)))).toBe("2026-08-01T17:02:35.007Z")
  })

  it("writes a zoned DateTime as its UTC instant", () => {
    const zoned = DateTime.unsafeMakeZoned(Date.UTC(2026, 0, 1, 12), { timeZone: "Europe/Berlin" })
    expect(formatDateTime(zoned)).toBe("2026-01-01T12:00:00Z")
  })

  it("refuses values that are not DateTimes (a Date or an ISO string) and years outside 0001–9999", () => {
    expect(() => formatDateTime(new Date())).toThrow(/expected a DateTime.Utc/)
    expect(() => formatDateTime("2026-01-01T00:00:00Z")).toThrow(/expected a DateTime.Utc/)
    expect(() => formatDateTime(DateTime.unsafeMake(Date.UTC(10000, 0, 1)))).toThrow(/0001–9999/)
  })

  it.each([
    ["2026-08-01T17:02:35Z", Date.UTC(2026, 7, 1, 17, 2, 35)],
    ["2020-04-30T17:02:35.6853793Z", Date.UTC(2020, 3, 30, 17, 2, 35, 685)],
    ["2026-08-01T17:02:35.123456+00:00", Date.UTC(2026, 7, 1, 17, 2, 35, 123)],
    ["2026-08-01T19:02:35+02:00", Date.UTC(2026, 7, 1, 17, 2, 35)],
    ["2026-08-01T12:02:35.5-05:00", Date.UTC(2026, 7, 1, 17, 2, 35, 500)],
    ["2026-08-01T17:02:35", Date.UTC(2026, 7, 1, 17, 2, 35)],
    ["2024-02-29T24:00:00Z", Date.UTC(2024, 2, 1)],
    ["0001-01-01T00:00:00Z", -62135596800000]
  ])("reads %s", (text, millis) => {
    const parsed = parseDateTime(text)
    expect(DateTime.isDateTime(parsed)).toBe(true)
    expect((parsed as DateTime.Utc).epochMillis).toBe(millis)
  })

  it.each([
    "",
    "2026-02-30T00:00:00Z",
    "2025-02-29T00:00:00Z",
    "2026-13-01T00:00:00Z",
    "2026-01-01 00:00:00Z",
    "2026-01-01T25:00:00Z",
    "2026-01-01T00:00:60Z",
    "2026-01-01T00:00:00+15:00",
    "0000-01-01T00:00:00Z",
    "not-a-date"
  ])("refuses %j", (text) => {
    expect(typeof parseDateTime(text)).toBe("string")
  })
})

describe("dateTime formatting agrees with Date.prototype.toISOString", () => {
  it("over years 0001–9999, leap days and millisecond edges", () => {
    const instants = [
      Date.UTC(2024, 1, 29, 23, 59, 59, 999),
      Date.UTC(2000, 1, 29),
      Date.UTC(1900, 2, 1),
      Date.UTC(1969, 11, 31, 23, 59, 59, 1),
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
      -62135596800000,
      0
    ]
    let x = 12345
    for (let i = 0; i < 5000; i++) {
      x = (x * 1103515245 + 12345) % 2147483648
      instants.push(-62135596800000 + Math.floor((x / 2147483648) * 315537897599999))
    }
    for (const ms of instants) {
      const iso = new Date(ms).toISOString()
      const expected = ms % 1000 === 0 ? `${iso.slice(0, 19)}Z` : iso
      expect(formatDateTime(DateTime.unsafeMake(ms))).toBe(expected)
    }
  })
})

describe("utcFromMillis", () => {
  it("makes the same DateTime as unsafeMake, each one independent of the next (the Date it goes through is reused)", () => {
    const instants = [0, -1, 1_764_000_000_123, -62_135_596_800_000, 253_402_300_799_999]
    const made = instants.map(utcFromMillis)
    made.forEach((value, i) => {
      expect(DateTime.isUtc(value)).toBe(true)
      expect(DateTime.toEpochMillis(value)).toBe(instants[i])
      expect(value).toEqual(DateTime.unsafeMake(instants[i]!))
    })
  })

  it("refuses a time that is not an instant, as unsafeMake does", () => {
    expect(() => utcFromMillis(Number.NaN)).toThrow()
    expect(DateTime.toEpochMillis(utcFromMillis(5))).toBe(5)
  })
})
