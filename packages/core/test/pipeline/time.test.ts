import { describe, expect, it } from "@effect/vitest"
import { FastCheck, Option } from "effect"
import * as Time from "../../src/pipeline/time.js"

const utc = (text: string, context: Time.TimeContext = {}) => {
  const parsed = Time.parse(text, context)
  return parsed.ok ? Time.formatUtc(parsed.epochMs) : `invalid: ${parsed.reason}`
}
const zone = (name: string) => Option.getOrThrow(Time.zone(name))

describe("Time.parse", () => {
  it("reads ISO 8601 with Z, keeping milliseconds and truncating longer fractions", () => {
    expect(utc("2025-06-01T10:00:00Z")).toBe("2025-06-01T10:00:00.000Z")
    expect(utc("2020-04-30T17:02:35.6853793Z")).toBe("2020-04-30T17:02:35.685Z")
    expect(utc(" 2025-06-01 10:00z ")).toBe("2025-06-01T10:00:00.000Z")
  })

  it("converts offsets to UTC: +05:30, -08:00, a typographic minus, compact and hour-only forms", () => {
    expect(utc("2025-06-01T10:00:00+05:30")).toBe("2025-06-01T04:30:00.000Z")
    expect(utc("2025-06-01T10:00:00-08:00")).toBe("2025-06-01T18:00:00.000Z")
    expect(utc("2025-06-01T10:00:00\u221208:00")).toBe("2025-06-01T18:00:00.000Z")
    expect(utc("2025-06-01T10:00:00+0530")).toBe("2025-06-01T04:30:00.000Z")
    expect(utc("2025-06-01T23:30:00-03")).toBe("2025-06-02T02:30:00.000Z")
  })

  it("rejects impossible dates and times", () => {
    expect(utc("2025-02-29T10:00:00Z")).toBe("invalid: the day does not exist in that month")
    expect(utc("2024-02-29T10:00:00Z")).toBe("2024-02-29T10:00:00.000Z")
    expect(utc("2025-13-01T10:00:00Z")).toBe("invalid: the month is out of range")
    expect(utc("2025-06-01T24:00:00Z")).toBe("invalid: the time of day is out of range")
    expect(utc("2025-06-01T10:00:00+19:00")).toBe("invalid: the UTC offset is out of range")
    expect(utc("yesterday")).toMatch(/^invalid: not an ISO 8601 time/)
    expect(utc("2025-06-01")).toMatch(/^invalid: not an ISO 8601 time/)
  })

  it("rejects a time without a zone unless a time zone is configured", () => {
    expect(utc("2025-06-01T10:00:00")).toMatch(/^invalid: the time has no zone/)
    expect(utc("2025-06-01T10:00:00", { timeZone: zone("Europe/Paris") })).toBe("2025-06-01T08:00:00.000Z")
    expect(utc("2025-01-15T10:00:00", { timeZone: zone("Europe/Paris") })).toBe("2025-01-15T09:00:00.000Z")
  })

  it("handles daylight saving in the configured zone (gap moves forward, repeated hour takes the first)", () => {
    const newYork = { timeZone: zone("America/New_York") }
    expect(utc("2025-03-09T01:59:59", newYork)).toBe("2025-03-09T06:59:59.000Z")
    expect(utc("2025-03-09T02:30:00", newYork)).toBe("2025-03-09T07:30:00.000Z")
    expect(utc("2025-03-09T03:30:00", newYork)).toBe("2025-03-09T07:30:00.000Z")
    expect(utc("2025-11-02T01:30:00", newYork)).toBe("2025-11-02T05:30:00.000Z")
    expect(utc("2025-11-02T02:30:00", newYork)).toBe("2025-11-02T07:30:00.000Z")
    expect(utc("2025-07-04T12:00:00.250", newYork)).toBe("2025-07-04T16:00:00.250Z")
    const kolkata = { timeZone: zone("Asia/Kolkata") }
    expect(utc("2025-06-01T10:00:00", kolkata)).toBe("2025-06-01T04:30:00.000Z")
  })

  it("an explicit offset wins over the configured zone", () => {
    expect(utc("2025-06-01T10:00:00Z", { timeZone: zone("Asia/Tokyo") })).toBe("2025-06-01T10:00:00.000Z")
  })

  it("reads Bulk times as UTC, 12-hour and 24-hour, only for Bulk records", () => {
    const bulk = { bulkFormat: true }
    expect(utc("4/1/2020 6:50:54 PM", bulk)).toBe("2020-04-01T18:50:54.000Z")
    expect(utc("4/1/2020 12:05:00 AM", bulk)).toBe("2020-04-01T00:05:00.000Z")
    expect(utc("4/1/2020 12:05:00 PM", bulk)).toBe("2020-04-01T12:05:00.000Z")
    expect(utc("04/01/2020 18:50:54", bulk)).toBe("2020-04-01T18:50:54.000Z")
    expect(utc("4/1/2020 18:50:54.5", bulk)).toBe("2020-04-01T18:50:54.500Z")
    expect(utc("4/1/2020 13:00:00 PM", bulk)).toBe("invalid: the hour is out of range for AM/PM")
    expect(utc("2/30/2020 1:00:00 PM", bulk)).toBe("invalid: the day does not exist in that month")
    expect(utc("4/1/2020 6:50:54 PM")).toMatch(/^invalid: not an ISO 8601 time/)
    expect(utc("2025-06-01T10:00:00Z", bulk)).toBe("2025-06-01T10:00:00.000Z")
  })

  it("knows IANA zones and refuses unknown ones", () => {
    expect(Option.isSome(Time.zone("Australia/Lord_Howe"))).toBe(true)
    expect(Option.isNone(Time.zone("Mars/Olympus_Mons"))).toBe(true)
  })
})

describe("Time.formatUtc", () => {
  it("is toISOString's text for any instant", () => {
    const samples = [
      0, -1, 1, 951_782_400_000, 4_102_444_799_999, -62_135_596_800_000, 253_402_300_800_000, -1e15, 8.64e15
    ]
    for (const ms of samples) expect(Time.formatUtc(ms)).toBe(new Date(ms).toISOString())
    FastCheck.assert(
      FastCheck.property(FastCheck.integer({ min: -8.64e15, max: 8.64e15 }), (ms) => {
        expect(Time.formatUtc(ms)).toBe(new Date(ms).toISOString())
      }),
      { numRuns: 2000 }
    )
  })
})

describe("Time.canonicalUtcText", () => {
  it("is the text itself exactly when formatUtc writes that text for the instant it parses to", () => {
    FastCheck.assert(
      FastCheck.property(FastCheck.integer({ min: -8.64e15, max: 8.64e15 }), (ms) => {
        const text = new Date(ms).toISOString()
        const canonical = Time.canonicalUtcText(text)
        if (canonical !== undefined) {
          expect(canonical).toBe(text)
          const parsed = Time.parse(text)
          expect(parsed.ok && Time.formatUtc(parsed.epochMs)).toBe(text)
        }
      }),
      { numRuns: 2000 }
    )
    expect(Time.canonicalUtcText("2026-11-28T14:06:48.387Z")).toBe("2026-11-28T14:06:48.387Z")
  })

  it("leaves every other form to formatUtc", () => {
    for (const text of [
      "2026-11-28T14:06:48Z",
      "2026-11-28T14:06:48.3870Z",
      "2026-11-28T14:06:48.387+00:00",
      "2026-11-28t14:06:48.387Z",
      "2026-11-28T14:06:48.387z",
      "2026-11-28 14:06:48.387Z",
      " 2026-11-28T14:06:48.387Z",
      "0999-11-28T14:06:48.387Z",
      "2026-1a-28T14:06:48.387Z",
      "11/28/2026 2:06:48 PM",
      "",
      null,
      undefined,
      20261128
    ]) {
      expect(Time.canonicalUtcText(text)).toBeUndefined()
    }
  })
})
